"""TensorFlow's start-up log lines are dropped while Keras is imported; anything else
written to stderr then is kept. No Keras: a stand-in module writes the lines."""

import sys

from lstmgen.quiet_import import import_quietly

NOISE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796037125.375024   20104 port.cc:153] oneDNN custom operations are on.\n"
    "W0000 00:00:1796037125.375375   20104 cudart_stub.cc:31] Could not find cuda drivers\n"
)
KEPT = (
    "E0000 00:00:1796037125.375375   20104 cuda_dnn.cc:8] a real error\n"
    "something else the import says\n"
)


def test_absl_info_and_warning_lines_are_dropped_the_rest_kept(tmp_path, monkeypatch, capfd):
    module = tmp_path / "noisy_stand_in.py"
    module.write_text(f"import os\nos.write(2, {(NOISE + KEPT).encode()!r})\nVALUE = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "noisy_stand_in", raising=False)
    assert import_quietly("noisy_stand_in").VALUE == 7
    captured = capfd.readouterr()
    assert captured.err == KEPT and captured.out == ""


def test_a_failing_import_still_restores_stderr(tmp_path, monkeypatch, capfd):
    module = tmp_path / "failing_stand_in.py"
    module.write_text(f"import os\nos.write(2, {NOISE.encode()!r})\nraise ImportError('no')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import_quietly("failing_stand_in")
    except ImportError:
        pass
    else:
        raise AssertionError("the ImportError was lost")
    sys.stderr.write("after\n")
    sys.stderr.flush()
    assert capfd.readouterr().err == "after\n"
