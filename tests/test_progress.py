"""The progress line: on a terminal only, never in a pipe, never with --quiet."""

import io
import os
import subprocess
import sys

from lstmgen.cli import main
from lstmgen.progress import Progress
from oracle import ROOT, SEED

SEED_MODEL = os.path.join(SEED, "model.h5")


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_shown_on_a_terminal_then_cleared(tmp_path, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([SEED_MODEL, "-o", str(tmp_path / "p.py")]) == 0
    text = terminal.getvalue()
    for stage in (
        "reading",
        "building",
        "rendering",
        "formatting",
        "self-test",
        "encoding weights",
        "writing",
    ):
        assert f"\rlstmgen: {stage}... (" in text, stage
    last = text.rsplit("\r", 2)
    assert last[-1] == "" and last[-2].strip() == ""  # the line is blanked at the end
    assert "\n" not in text  # one line, rewritten in place


def test_off_with_quiet(tmp_path, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([SEED_MODEL, "-o", str(tmp_path / "p.py"), "--quiet"]) == 0
    assert terminal.getvalue() == ""


def test_off_when_stderr_is_a_pipe(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "lstmgen", SEED_MODEL, "-o", str(tmp_path / "p.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0
    assert result.stderr == ""


def test_a_stream_without_isatty_is_not_a_terminal():
    assert not Progress(object()).enabled
    assert Progress(FakeTerminal()).enabled
    assert not Progress(FakeTerminal(), enabled=False).enabled


def test_cleared_before_an_error_line(tmp_path, monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([str(tmp_path / "nope.h5"), "-o", str(tmp_path / "p.py")]) == 2
    before, error = terminal.getvalue().rsplit("\r", 1)
    assert error.startswith("lstmgen: error: ") and error.count("\n") == 1
