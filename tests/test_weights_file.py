"""--weights-file, and a retrained model changing only data lines (or only the .npz)."""

import difflib
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from lstmgen.cli import main
from lstmgen.output_files import write_npz
from oracle import SEED, edit_weight, load_module

SEED_MODEL = os.path.join(SEED, "model.h5")
# Lines that hold data: base64 blob lines and the assignments of the data section.
DATA_LINE = re.compile(r'^\s*"[A-Za-z0-9+/=]+"$|^(SOURCE_SHA256|_SELF_TEST|_WEIGHTS_BASE64) = ')


def generate(folder, *flags, model=SEED_MODEL, name="predictor"):
    os.makedirs(folder, exist_ok=True)
    out = os.path.join(str(folder), f"{name}.py")
    assert main([str(model), "-o", out, "-q", *flags]) == 0
    return out


def self_test(path):
    return subprocess.run([sys.executable, path, "--self-test"], capture_output=True, text=True)


def test_module_and_npz_work_anywhere_together(tmp_path):
    source = generate(tmp_path / "made", "--weights-file")
    text = open(source).read()
    assert "_WEIGHTS_BASE64" not in text and "zlib" not in text
    assert max(len(line) for line in text.splitlines()) < 200  # no blob
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    for name in ("predictor.py", "predictor.npz"):
        shutil.move(str(tmp_path / "made" / name), str(moved / name))
    result = self_test(str(moved / "predictor.py"))
    assert result.returncode == 0 and "self-test passed" in result.stdout, result.stderr
    embedded = load_module(generate(tmp_path / "embedded"))
    external = load_module(str(moved / "predictor.py"))
    x = np.random.default_rng(1).normal(size=(3, 32, 28)).astype(np.float32)
    np.testing.assert_array_equal(external.predict(x), embedded.predict(x))
    assert external.SOURCE_SHA256 == embedded.SOURCE_SHA256
    assert not external.lstm_kernel.flags.writeable


def test_missing_npz_is_a_clear_error(tmp_path):
    source = generate(tmp_path, "--weights-file")
    os.remove(tmp_path / "predictor.npz")
    result = self_test(source)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"FileNotFoundError: {tmp_path / 'predictor.npz'}: missing: this predictor reads its "
        "weights from it (lstmgen --weights-file writes it next to the .py file; keep the two together)"
    )


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda a: a.pop("dense_bias"), r"missing \['dense_bias'\], unexpected \[\]"),
        (
            lambda a: a.update(extra=np.zeros(1, np.float32)),
            r"missing \[\], unexpected \['extra'\]",
        ),
        (
            lambda a: a.update(dense_bias=np.zeros(3, np.float32)),
            r"array 'dense_bias' is float32 \(3,\), this predictor expects float32 \(2,\)",
        ),
        (lambda a: a.update(dense_bias=np.zeros(2, np.int32)), r"array 'dense_bias' is int32"),
        (
            lambda a: a.update(dense_bias=np.zeros(2, np.float64)),
            r"array 'dense_bias' is float64 \(2,\), this predictor expects float32 \(2,\)",
        ),
        (lambda a: a.update(dense_bias=np.zeros(2, ">f4")), r"array 'dense_bias' is >f4"),
    ],
)
def test_npz_that_does_not_fit_is_a_clear_error(tmp_path, edit, message):
    source = generate(tmp_path, "--weights-file")
    with np.load(tmp_path / "predictor.npz") as data:
        arrays = {name: data[name] for name in data.files}
    edit(arrays)
    write_npz(str(tmp_path / "predictor.npz"), arrays)
    with pytest.raises(
        ValueError, match=re.escape(str(tmp_path / "predictor.npz")) + ": .*" + message
    ):
        load_module(source)


def test_weights_file_needs_an_output_file(capsys):
    assert main([SEED_MODEL, "--weights-file"]) == 2
    assert capsys.readouterr().err == (
        "lstmgen: error: --weights-file needs -o OUT.py: the weights go to OUT.npz next to it\n"
    )


def retrained(tmp_path):
    """The seed model, and the same architecture with other weights, under the same name."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    shutil.copy(SEED_MODEL, first / "model.h5")

    def retrain(group, name):
        group[name][...] = group[name][()] * 0.9 + 0.01

    current = SEED_MODEL
    for layer in ("lstm", "lstm_1", "dense"):
        for index in (0, 1):  # kernel, recurrent kernel or bias: every weight retrained
            edited = str(tmp_path / f"{layer}_{index}.h5")
            current = edit_weight(current, edited, layer, index, retrain)
    shutil.copy(current, second / "model.h5")
    return first / "model.h5", second / "model.h5"


def test_a_retrained_model_changes_only_data_lines(tmp_path):
    old_model, new_model = retrained(tmp_path)
    old = open(generate(tmp_path / "old", model=old_model)).read().splitlines()
    new = open(generate(tmp_path / "new", model=new_model)).read().splitlines()
    assert old != new
    changed = [
        line[1:]
        for line in difflib.unified_diff(old, new, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed and all(DATA_LINE.match(line) for line in changed), [
        line for line in changed if not DATA_LINE.match(line)
    ]
    data_start = next(k for k, line in enumerate(old) if line.startswith("SOURCE_SHA256 = "))
    first_change = next(k for k, (a, b) in enumerate(zip(old, new)) if a != b)
    assert first_change >= data_start  # everything above the data section is untouched


def test_with_weights_file_a_retrained_model_changes_only_the_npz(tmp_path):
    old_model, new_model = retrained(tmp_path)
    old = generate(tmp_path / "old", "--weights-file", model=old_model)
    new = generate(tmp_path / "new", "--weights-file", model=new_model)
    assert open(old, "rb").read() == open(new, "rb").read()
    npz = [open(os.path.splitext(p)[0] + ".npz", "rb").read() for p in (old, new)]
    assert npz[0] != npz[1]
    assert load_module(old).SOURCE_SHA256 != load_module(new).SOURCE_SHA256
    for path in (old, new):
        assert self_test(path).returncode == 0


def test_npz_bytes_are_reproducible(tmp_path):
    first = generate(tmp_path / "a", "--weights-file")
    second = generate(tmp_path / "b", "--weights-file")
    assert open(first[:-3] + ".npz", "rb").read() == open(second[:-3] + ".npz", "rb").read()


def test_weights_file_needs_an_output_ending_in_py(capsys, tmp_path):
    out = tmp_path / "predictor.txt"
    assert main([SEED_MODEL, "-o", str(out), "--weights-file"]) == 2
    err = capsys.readouterr().err
    assert err == (  # every -o names a module now, --weights-file or not
        f"lstmgen: error: -o {out}: the predictor is a Python module, so its name ends in .py "
        f"(e.g. -o {tmp_path / 'predictor.py'})\n"
    )
    assert os.listdir(tmp_path) == []


def test_generate_refuses_weights_file_instead_of_dropping_the_arrays():
    from lstmgen.errors import LstmgenError
    from lstmgen.generate import generate as generate_source_text
    from lstmgen.options import Options

    with pytest.raises(LstmgenError, match=r"Options\(weights_file=True\)"):
        generate_source_text(SEED_MODEL, options=Options(weights_file=True))


@pytest.mark.parametrize("previous_npz", [True, False])
def test_failed_module_move_leaves_no_half_replaced_pair(
    tmp_path, monkeypatch, capsys, previous_npz
):
    import lstmgen.output_files

    out = tmp_path / "predictor.py"
    if previous_npz:
        generate(tmp_path, "--weights-file")
        old = {
            name: open(tmp_path / name, "rb").read() for name in ("predictor.py", "predictor.npz")
        }
    real = os.replace

    def replace(source, target):
        if str(target).endswith(".py"):
            raise PermissionError(13, "Permission denied")
        real(source, target)

    monkeypatch.setattr(lstmgen.output_files.os, "replace", replace)
    _, new_model = retrained(tmp_path)
    capsys.readouterr()
    assert main([str(new_model), "-o", str(out), "--weights-file"]) == 2
    assert f"{out}: cannot write: Permission denied" in capsys.readouterr().err
    monkeypatch.undo()
    if previous_npz:
        assert {name: open(tmp_path / name, "rb").read() for name in old} == old
        assert self_test(str(out)).returncode == 0
    else:
        assert not (tmp_path / "predictor.npz").exists() and not out.exists()
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".lstmgen-")]


def test_stale_npz_next_to_an_embedded_module_is_warned_about(tmp_path, capsys):
    out = str(tmp_path / "predictor.py")
    generate(tmp_path, "--weights-file")
    capsys.readouterr()
    assert main([SEED_MODEL, "-o", out]) == 0
    err = capsys.readouterr().err
    assert (
        f"lstmgen: warning: {tmp_path / 'predictor.npz'}: left from an earlier --weights-file run"
        in err
    )
    assert "stale and unused" in err
    assert main([SEED_MODEL, "-o", out, "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert main([SEED_MODEL, "-o", out, "--weights-file"]) == 0  # now it is used: no warning
    assert "warning" not in capsys.readouterr().err
