"""`lstmgen inspect`: one report for every model it can read, whatever lstmgen makes of
it; exit 0 when the model translates, 1 when the last line says why it does not."""

import json
import os
import zipfile

import pytest

from lstmgen.cli import main
from oracle import edit_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(ROOT, "generated_examples", "seed_lstm", "model.h5")  # Keras 2
TEXTGEN = os.path.join(ROOT, "generated_examples", "textgen", "model.keras")  # Keras 3


def inspect(capsys, path):
    capsys.readouterr()
    code = main(["inspect", str(path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rows(out):
    """Layer name -> its table row's cells (split on runs of two spaces)."""
    lines = out.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("Layer "))
    table = {}
    for line in lines[start + 1 :]:
        if line.startswith("Total parameters"):
            break
        cells = [cell for cell in line.split("  ") if cell.strip()]
        table[cells[0].strip()] = [cell.strip() for cell in cells]
    return table


def edited_keras(tmp_path, layer, change):
    """A copy of the textgen model whose layer `layer` is changed by `change(raw)`."""
    with zipfile.ZipFile(TEXTGEN) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    for raw in config["config"]["layers"]:
        if raw["config"]["name"] == layer:
            change(raw)
    members["config.json"] = json.dumps(config).encode()
    path = tmp_path / "edited.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def custom(raw):
    raw.update(class_name="Twice", module=None, registered_name="my>Twice")


def lambda_layer(raw):
    raw.update(class_name="Lambda")
    raw["config"]["function"] = {"class_name": "__lambda__", "config": {"code": "AAAA"}}


def unknown(raw):
    raw.update(class_name="Zorglub")


@pytest.mark.parametrize(
    "change, supported, reason",
    [
        (custom, "refused", "it is a custom layer class registered as 'my>Twice'"),
        (lambda_layer, "refused", "Lambda layer"),
        (unknown, "no", "layer class not supported"),
    ],
    ids=["custom", "lambda", "unknown"],
)
def test_a_layer_lstmgen_cannot_translate_gets_the_same_report(
    capsys, tmp_path, change, supported, reason
):
    # Custom layers, Lambdas and unknown classes: the table, the reason, exit 1; and the
    # shapes after that layer come from the config (Keras 3 records them).
    code, out, err = inspect(capsys, edited_keras(tmp_path, "dropout", change))
    assert code == 1 and err == "", err
    table = rows(out)
    assert table["dropout"][4] == supported
    assert [table[name][2] for name in ("lstm", "dropout", "lstm_1", "dense")] == [
        "(batch, 20, 48)",
        "(batch, 20, 48)",
        "(batch, 48)",
        "(batch, 40)",
    ]
    assert out.splitlines()[-1].startswith("Translatable: no: layer 'dropout'") and reason in out


def test_where_the_config_records_no_shapes_they_are_unknown(capsys, tmp_path):
    def rename(config):
        config["config"]["layers"][1]["class_name"] = "MyLayer"  # the first LSTM

    code, out, _ = inspect(capsys, edit_config(SEED, tmp_path / "custom.h5", rename))
    table = rows(out)
    assert code == 1 and [table[name][2] for name in ("lstm", "lstm_1", "dense")] == ["?"] * 3


def test_a_translatable_model_exits_0_with_its_semantics(capsys):
    code, out, _ = inspect(capsys, SEED)
    assert code == 0 and out.endswith("Translatable: yes\n")
    assert rows(out)["lstm"][5] == "hard_sigmoid(x) = clip(0.2 * x + 0.5, 0, 1)"
    assert "input 'lstm_input': (batch, 32, 28) float32" in out


@pytest.mark.keras
def test_an_input_only_embeddings_read_is_listed_as_token_ids(capsys, tmp_path, keras2):
    K = keras2
    model = K.Sequential(
        [K.layers.Embedding(20, 4, input_length=6, name="embedding"), K.layers.LSTM(3)]
    )
    path = str(tmp_path / "emb.h5")
    model.save(path)
    code, out, _ = inspect(capsys, path)
    assert code == 0 and "input 'embedding_input': (batch, 6) int32" in out
