"""Running the `lstmgen` command in-process, and editing model files with h5py (Keras-free)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import h5py

from lstmgen.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(ROOT, "generated_examples", "seed_lstm")


def run(capsys, *args):
    """`lstmgen ARGS` in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def run_cli(capsys, *args):
    """`lstmgen ARGS` in-process: (exit code, stderr)."""
    capsys.readouterr()  # drop what Keras printed while saving
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.err


def assert_refused(capsys, tmp_path, model_path, *fragments):
    """Generation exits 2 with one `lstmgen: error:` line holding every fragment, no
    traceback, no output and no staged file left; returns the line."""
    out = tmp_path / "out.py"
    code, err = run_cli(capsys, str(model_path), "-o", str(out))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lstmgen: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]
    assert not out.exists()
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".lstmgen-")]
    return lines[0]


def edit_config(source, target, edit):
    """Copy an HDF5 model file, letting `edit(config)` change its model_config JSON."""
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        config = json.loads(handle.attrs["model_config"])
        edit(config)
        handle.attrs["model_config"] = json.dumps(config)
    return target


def edit_weight(source, target, layer, index, edit):
    """Copy the file and let `edit(group, name)` change one of the layer's weights."""
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        group = handle["model_weights"][layer]
        name = group.attrs["weight_names"][index]
        edit(group, name.decode() if isinstance(name, bytes) else name)
    return target


def stream(module, x):
    """Feed x to a generated module's step() one timestep at a time; the outputs after each."""
    state = module.initial_state(x.shape[0])
    outputs = []
    for t in range(x.shape[1]):
        y, state = module.step(x[:, t], state)
        outputs.append(y)
    return outputs


def fresh_venv(folder, python=sys.executable) -> str:
    """A venv made by `python` without pip (quick); install into it with pip_install."""
    subprocess.run([python, "-m", "venv", "--without-pip", str(folder)], check=True)
    return os.path.join(str(folder), "bin", "python")


def pip_install(python, *requirements) -> None:
    """This interpreter's pip installs `requirements` into the environment of `python`."""
    command = [sys.executable, "-m", "pip", "--python", python, "install", "-q", *requirements]
    result = subprocess.run(command, capture_output=True, text=True, env=without_pythonpath())
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"


def without_pythonpath():
    """The environment without PYTHONPATH: a venv sees only what is installed in it."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
