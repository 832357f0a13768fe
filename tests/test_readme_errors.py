"""The README's example error lines are what lstmgen prints for such inputs (the file
and layer names aside). No Keras: the inputs are the shipped model files, edited."""

import os
import re


from oracle import ROOT, edit_config, run_cli

GOLDEN = os.path.join(ROOT, "tests", "data", "golden")
SEED = os.path.join(ROOT, "generated_examples", "seed_lstm", "model.h5")


def readme_errors():
    """The `lstmgen: error:` lines of the README's example block."""
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    return [line for line in text.splitlines() if line.startswith("lstmgen: error: ")]


def rename(class_name, **config):
    def edit(model_config):
        layer = next(
            layer for layer in model_config["config"]["layers"] if layer["class_name"] == "Dense"
        )
        layer["class_name"] = class_name
        layer["config"].update(config)

    return edit


def attention_axes(model_config):
    for layer in model_config["config"]["layers"]:
        if layer["class_name"] == "MultiHeadAttention":
            layer["config"]["attention_axes"] = [1, 2]


def same_shape(line):
    """The line with its file and layer names replaced by placeholders."""
    line = re.sub(r"layer '[^']*'", "layer 'L'", line)
    return re.sub(r"^lstmgen: error: [^ ]*?(\.h5|\.json): ", r"lstmgen: error: FILE\1: ", line)


def produced(tmp_path, capsys):
    """What lstmgen says for each kind of input the README shows."""
    mha = os.path.join(GOLDEN, "multi_head_attention.k2.h5")
    inputs = [
        [edit_config(SEED, tmp_path / "sn.h5", rename("SpectralNormalization"))],
        [edit_config(mha, tmp_path / "mha.h5", attention_axes)],
        [edit_config(SEED, tmp_path / "lambda.h5", rename("Lambda", function="x"))],
        [tmp_path / "arch.json"],
        [SEED, "-o", tmp_path / "my-model.py"],
    ]
    (tmp_path / "arch.json").write_text("{}")
    lines = []
    for args in inputs:
        args = [str(arg) for arg in args]
        code, err = run_cli(
            capsys, *(args if "-o" in args else args + ["-o", str(tmp_path / "p.py")])
        )
        assert code == 2, err
        lines.append(same_shape(err.strip()).replace(str(tmp_path) + os.sep, ""))
    return lines


def test_each_readme_error_line_is_what_lstmgen_prints(tmp_path, capsys):
    shown = [same_shape(line) for line in readme_errors()]
    assert len(shown) == 5
    assert shown == produced(tmp_path, capsys)
