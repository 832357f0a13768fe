"""Hostile model files, made from the small real ones in generated_examples with h5py,
zipfile and json (no Keras), and a runner that keeps every attempt within a memory cap
and a timeout and measures what it took (tests/test_hostile_files.py, bench/refusals.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "generated_examples")
SEED_H5 = os.path.join(EXAMPLES, "seed_lstm", "model.h5")  # Keras 2: LSTM, LSTM, Dense
SEED_PREDICTOR = os.path.join(EXAMPLES, "seed_lstm", "predictor.py")
SEED_KERAS = os.path.join(EXAMPLES, "textgen", "model.keras")  # Keras 3: LSTM, LSTM, Dense
FREE_KERAS = os.path.join(EXAMPLES, "seq2seq", "model.keras")  # Keras 3, free time axes
CORRUPT_HEAP = os.path.join(ROOT, "tests", "data", "corrupt_local_heap.keras")
MEMORY_CAP = 3 << 30  # address space of one run: Python, NumPy, h5py and lstmgen need ~0.5 GB


# --- running lstmgen (or a generated module) in bounds -------------------------------

_MEASURED = """
import os, resource, runpy, sys, time
cap, mode = int(sys.argv[1]), sys.argv[2]
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
sys.argv = sys.argv[2:]
if mode == "lstmgen":
    from lstmgen.cli import main
start = time.perf_counter()
code = 0
try:
    if mode == "lstmgen":
        code = main(sys.argv[1:])
    else:
        sys.argv = sys.argv[1:]
        runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else 1
seconds = time.perf_counter() - start
status = open("/proc/self/status").read()
own = int(status.split("VmHWM:")[1].split()[0]) * 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
sys.stderr.flush()
print(f"\\nLSTMGEN-MEASURED {max(own, children)} {seconds}", file=sys.stderr)
sys.exit(code)
"""


@dataclass
class Outcome:
    """How one capped run ended."""

    code: int
    out: str
    err: str  # without the measurement line
    seconds: float  # from the call of main() (or the script) to its end
    peak: int  # the largest resident set of the process or of its reading child, bytes

    @property
    def lines(self) -> List[str]:
        return self.err.strip().splitlines()


def run_capped(
    *args: str,
    script: Optional[str] = None,
    memory: int = MEMORY_CAP,
    timeout: float = 120,
    cwd: Optional[str] = None,
) -> Outcome:
    """`lstmgen ARGS` (or `python SCRIPT ARGS`) in a fresh process under an address-space
    cap and a timeout that kills its whole process group: a regression fails the test
    instead of hanging it or exhausting the machine."""
    target = ["script", script] if script else ["lstmgen"]
    command = [sys.executable, "-c", _MEASURED, str(memory), *target, *args]
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3")
    with subprocess.Popen(
        command,
        cwd=cwd or ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise AssertionError(f"{command[4:]} ran for more than {timeout} s") from None
    err, found, measured = err.rpartition("\nLSTMGEN-MEASURED ")
    if not found:  # the process died before measuring itself
        err, measured = measured, "0 0"
    peak, seconds = measured.split()
    return Outcome(process.returncode, out, err, float(seconds), int(peak))


def assert_one_line(outcome: Outcome, *fragments: str, prefix: str = "lstmgen: error: ") -> str:
    """Exit 2, one line on stderr starting with `prefix` and holding every fragment."""
    assert outcome.code == 2, (outcome.code, outcome.err)
    assert len(outcome.lines) == 1 and outcome.lines[0].startswith(prefix), outcome.err
    assert "Traceback" not in outcome.err
    for fragment in fragments:
        assert fragment in outcome.lines[0], (fragment, outcome.lines[0])
    return outcome.lines[0]


# --- editing real files --------------------------------------------------------------


def config_of(path: str) -> Dict[str, Any]:
    """The model config of an .h5 or .keras file."""
    if path.endswith(".h5"):
        with h5py.File(path, "r") as handle:
            return json.loads(handle.attrs["model_config"])
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))


def h5_with_config(target, config: Any, source: str = SEED_H5) -> str:
    """A copy of an .h5 model file whose model_config is `config` (a dict or raw text)."""
    shutil.copy(source, target)
    with h5py.File(target, "r+") as handle:
        handle.attrs["model_config"] = config if isinstance(config, str) else json.dumps(config)
    return str(target)


def members_of(path: str) -> Dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(target, members: Dict[str, bytes], compression=zipfile.ZIP_STORED) -> str:
    with zipfile.ZipFile(target, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(target)


def keras_with(target, source: str = SEED_KERAS, **replaced: bytes) -> str:
    """A copy of a .keras file with members replaced (config_json=..., metadata_json=...)."""
    members = members_of(source)
    for key, data in replaced.items():
        members[key.replace("_json", ".json")] = data
    return write_zip(target, members)


def edit_keras_weights(target, edit: Callable[[h5py.File], None], source: str = SEED_KERAS) -> str:
    """A copy of a .keras file whose model.weights.h5 `edit` changed."""
    members = members_of(source)
    scratch = str(target) + ".weights.h5"
    with open(scratch, "wb") as handle:
        handle.write(members["model.weights.h5"])
    with h5py.File(scratch, "r+") as handle:
        edit(handle)
    with open(scratch, "rb") as handle:
        members["model.weights.h5"] = handle.read()
    os.remove(scratch)
    return write_zip(target, members)


def layer(class_name: str, name: str, **config: Any) -> Dict[str, Any]:
    return {"class_name": class_name, "config": {"name": name, **config}}


def sequential(shape, *layers: Dict[str, Any], dtype: str = "float32") -> Dict[str, Any]:
    """A Keras 2 Sequential config: an InputLayer of batch shape `shape`, then `layers`."""
    first = layer("InputLayer", "x", batch_input_shape=list(shape), dtype=dtype)
    return {"class_name": "Sequential", "config": {"name": "hostile", "layers": [first, *layers]}}


def weightless_h5(target, config: Dict[str, Any]) -> str:
    """An .h5 model file holding `config` and no weights (for layers that have none)."""
    with h5py.File(target, "w") as handle:
        handle.attrs["model_config"] = json.dumps(config)
        handle.attrs["keras_version"] = "2.21.0"
        handle.attrs["backend"] = "tensorflow"
        handle.create_group("model_weights").attrs["layer_names"] = np.array([], dtype="S1")
    return str(target)


def h5_model(target, config: Dict[str, Any], weights: Dict[str, List[np.ndarray]]) -> str:
    """An .h5 model file as Keras 2 writes it: `config`, and for each layer name its
    arrays (named `<layer>/w<k>:0`) in the order Keras lists them."""
    weightless_h5(target, config)
    with h5py.File(target, "r+") as handle:
        group = handle["model_weights"]
        group.attrs["layer_names"] = [name.encode() for name in weights]
        for name, arrays in weights.items():
            names = [f"{name}/w{k}:0" for k in range(len(arrays))]
            layer_group = group.create_group(name)
            layer_group.attrs["weight_names"] = [n.encode() for n in names]
            for weight_name, array in zip(names, arrays):
                layer_group[weight_name] = np.asarray(array, dtype="f4")
    return str(target)


def functional(
    inputs: List[Dict[str, Any]], layers: List[Dict[str, Any]], outputs
) -> Dict[str, Any]:
    """A Keras 2 functional config: `inputs` (InputLayer configs), `layers` (each with its
    inbound_nodes), outputs as [name, node, index] triples."""
    body = [{**item, "inbound_nodes": []} for item in inputs] + layers
    return {
        "class_name": "Functional",
        "config": {
            "name": "hostile",
            "layers": body,
            "input_layers": [[item["config"]["name"], 0, 0] for item in inputs],
            "output_layers": outputs,
        },
    }


def called(item: Dict[str, Any], *sources: str) -> Dict[str, Any]:
    """A layer config called once on the first outputs of `sources`."""
    return {**item, "inbound_nodes": [[[source, 0, 0, {}] for source in sources]]}


def multi_output_model(target, names: List[str]) -> str:
    """One input, and one Activation output per name."""
    x = layer("InputLayer", "x", batch_input_shape=[None, 3])
    outputs = [called(layer("Activation", name, activation="tanh"), "x") for name in names]
    return weightless_h5(target, functional([x], outputs, [[n, 0, 0] for n in names]))


# --- the hostile files of each class ---------------------------------------------------


def polyglot_h5_then_zip(target, h5: str = SEED_H5, keras: str = SEED_KERAS) -> str:
    """An HDF5 file with a whole .keras zip appended: libhdf5 reads it from the start,
    zipfile from the end, so it is a valid file of each format."""
    with open(target, "wb") as out:
        for part in (h5, keras):
            with open(part, "rb") as handle:
                out.write(handle.read())
    return str(target)


def polyglot_zip_then_h5(target, keras: str = SEED_KERAS, h5: str = SEED_H5) -> str:
    """A .keras zip whose members sit in the user block of an HDF5 file (its superblock at
    the next power of two), the zip's central directory after the HDF5 data."""
    with open(keras, "rb") as handle:
        data = handle.read()
    end = data.rindex(b"PK\x05\x06")
    directory_size, directory_offset = struct.unpack("<II", data[end + 12 : end + 20])
    local, directory = data[:directory_offset], data[directory_offset:]
    userblock = 512
    while userblock < len(local):
        userblock *= 2
    scratch = str(target) + ".tmp"
    with h5py.File(h5, "r") as source, h5py.File(scratch, "w", userblock_size=userblock) as out:
        for key, value in source.attrs.items():
            out.attrs[key] = value
        for key in source:
            source.copy(source[key], out, key)
    with open(scratch, "rb") as handle:
        body = bytearray(handle.read())
    os.remove(scratch)
    body[: len(local)] = local
    new_offset = len(body)
    end_in_directory = end - directory_offset
    directory = bytearray(directory)
    directory[end_in_directory + 16 : end_in_directory + 20] = struct.pack("<I", new_offset)
    with open(target, "wb") as out:
        out.write(bytes(body) + bytes(directory))
    return str(target)


def nested_functional(target, depth: int, calls: int) -> str:
    """Functional models nested `depth` deep, each calling the one inside `calls` times:
    a few KB of config that expand to calls**depth layer calls."""
    inner = {
        "class_name": "Functional",
        "config": {
            "name": "m0",
            "layers": [
                {**layer("InputLayer", "i0", batch_input_shape=[None, 4]), "inbound_nodes": []},
                {
                    **layer("Activation", "a0", activation="relu"),
                    "inbound_nodes": [[["i0", 0, 0, {}]]],
                },
            ],
            "input_layers": [["i0", 0, 0]],
            "output_layers": [["a0", 0, 0]],
        },
    }
    for level in range(1, depth + 1):
        name, child = f"m{level}", inner["config"]["name"]
        nodes = [[[f"i{level}", 0, 0, {}]]] + [[[child, k, 0, {}]] for k in range(1, calls)]
        inner = {
            "class_name": "Functional",
            "config": {
                "name": name,
                "layers": [
                    {
                        **layer("InputLayer", f"i{level}", batch_input_shape=[None, 4]),
                        "inbound_nodes": [],
                    },
                    {
                        "class_name": "Functional",
                        "config": inner["config"],
                        "name": child,
                        "inbound_nodes": nodes,
                    },
                ],
                "input_layers": [[f"i{level}", 0, 0]],
                "output_layers": [[child, calls, 0]],
            },
        }
    return weightless_h5(target, inner)


def with_timesteps_free(target) -> str:
    """The seed model with a free time axis."""
    config = config_of(SEED_H5)
    config["config"]["layers"][0]["config"]["batch_input_shape"] = [None, None, 28]
    config["config"]["layers"][1]["config"]["batch_input_shape"] = [None, None, 28]
    return h5_with_config(target, config)


def pooling_model(target, pool: int, length: int, padding: str = "same") -> str:
    """MaxPooling1D with a window of `pool` steps and stride 1."""
    pooling = layer("MaxPooling1D", "pool", pool_size=pool, strides=1, padding=padding)
    return weightless_h5(target, sequential([None, length, 1], pooling))


def repeat_vector_model(target, times: int, width: int) -> str:
    return weightless_h5(target, sequential([None, width], layer("RepeatVector", "rep", n=times)))


def many_inputs_model(target, inputs: int, layers_per_input: int = 1) -> str:
    """`inputs` inputs, each through its own chain of Activation layers to an output."""
    body: List[Dict[str, Any]] = []
    outputs = []
    for k in range(inputs):
        body.append(
            {**layer("InputLayer", f"in{k}", batch_input_shape=[None, 2]), "inbound_nodes": []}
        )
        previous = f"in{k}"
        for j in range(layers_per_input):
            name = f"act{k}_{j}"
            body.append(
                {
                    **layer("Activation", name, activation="tanh"),
                    "inbound_nodes": [[[previous, 0, 0, {}]]],
                }
            )
            previous = name
        outputs.append([previous, 0, 0])
    config = {
        "class_name": "Functional",
        "config": {
            "name": "wide",
            "layers": body,
            "input_layers": [[f"in{k}", 0, 0] for k in range(inputs)],
            "output_layers": outputs,
        },
    }
    return weightless_h5(target, config)


def long_name_model(target, length: int, layers: int) -> str:
    """A nested model named with `length` characters holding `layers` Activation layers:
    each flattened name would repeat the long one (a 1 MB file, gigabytes of names)."""
    chain = [layer("Activation", f"a{k}", activation="tanh") for k in range(layers)]
    inner = sequential([None, 3], *chain)
    inner["config"]["name"] = "n" * length
    return weightless_h5(target, sequential([None, 3], inner))


UNWRITTEN = dict(shape=(512, 512), dtype="f4", chunks=(64, 64), compression="gzip")  # 1 MiB


def hard_links_keras(target, links: int) -> str:
    """A .keras whose Dense layer lists `links` hard links to one never-written 1 MiB array."""

    def edit(handle: h5py.File) -> None:
        variables = handle["layers/dense/vars"]
        big = variables.create_dataset("2", **UNWRITTEN)
        for k in range(3, links + 2):
            variables[str(k)] = big

    return edit_keras_weights(target, edit)


def repeated_names_h5(target, repeats: int) -> str:
    """An .h5 whose Dense layer names one never-written 1 MiB array `repeats` times."""
    shutil.copy(SEED_H5, target)
    with h5py.File(target, "r+") as handle:
        group = handle["model_weights/dense"]
        group.create_dataset("dense/big:0", **UNWRITTEN)
        names = [n for n in group.attrs["weight_names"]] + ["dense/big:0"] * repeats
        group.attrs["weight_names"] = [n.encode() if isinstance(n, str) else n for n in names]
    return str(target)


def zip_damage(target, kind: str, source: str = SEED_KERAS) -> str:
    """A .keras zip damaged one way: "deep json", "encrypted", "compression" (an unknown
    method), "corrupt deflate", "past the end" (a member running beyond the file)."""
    members = members_of(source)
    if kind == "deep json":
        members["config.json"] = b"[" * 100_000 + b"]" * 100_000
        return write_zip(target, members)
    compression = zipfile.ZIP_DEFLATED if kind == "corrupt deflate" else zipfile.ZIP_STORED
    write_zip(target, members, compression)
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo("config.json")
    data = bytearray(open(target, "rb").read())
    local = info.header_offset
    entry = _directory_entry(data, "config.json")
    if kind == "encrypted":
        for at in (local + 6, entry + 8):
            data[at] |= 1
    elif kind == "compression":
        for at in (local + 8, entry + 10):
            data[at : at + 2] = struct.pack("<H", 99)
    elif kind == "corrupt deflate":
        start = local + 30 + len("config.json")
        for at in range(start + 10, start + 40):
            data[at] ^= 0x5A
    elif kind == "past the end":
        size = len(data) * 4
        for at in (local + 18, local + 22, entry + 20, entry + 24):  # both sizes, both headers
            data[at : at + 4] = struct.pack("<I", size)
    with open(target, "wb") as out:
        out.write(bytes(data))
    return str(target)


def _directory_entry(data: bytearray, name: str) -> int:
    """The offset of `name`'s central directory entry."""
    position = 0
    while True:
        position = data.index(b"PK\x01\x02", position)
        length = struct.unpack("<H", data[position + 28 : position + 30])[0]
        if data[position + 46 : position + 46 + length] == name.encode():
            return position
        position += 4


def lie_about_size(path: str, name: str, size: int) -> str:
    """Make member `name`'s zip headers (local and central) claim `size` bytes, packed and
    unpacked, whatever the member holds."""
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name).header_offset
    data = bytearray(open(path, "rb").read())
    entry = _directory_entry(data, name)
    for at in (local + 18, local + 22, entry + 20, entry + 24):
        data[at : at + 4] = struct.pack("<I", size)
    with open(path, "wb") as out:
        out.write(bytes(data))
    return path


def add_deflate_bomb(path: str, name: str, prefix: bytes, mebibytes: int) -> str:
    """Add member `name` to the zip at `path`: `prefix`, then `mebibytes` MiB of zeros,
    deflated to about 1 KB per MiB. Made without compressing them: one sync-flushed
    deflate block of 1 MiB of zeros refers only to itself, so it can be repeated."""
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = head.compress(prefix) + head.flush(zlib.Z_SYNC_FLUSH)
    zeros = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = zeros.compress(bytes(1 << 20)) + zeros.flush(zlib.Z_SYNC_FLUSH)
    stream += block * mebibytes + b"\x03\x00"  # and an empty final block
    crc = zlib.crc32(prefix)
    for _ in range(mebibytes):
        crc = zlib.crc32(bytes(1 << 20), crc)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(name, stream)  # stored: then marked deflated, with its real size
        local = archive.getinfo(name).header_offset
    data = bytearray(open(path, "rb").read())
    entry = _directory_entry(data, name)
    size = len(prefix) + (mebibytes << 20)
    for method, crc_at, size_at in (
        (local + 8, local + 14, local + 22),
        (entry + 10, entry + 16, entry + 24),
    ):
        data[method : method + 2] = struct.pack("<H", zipfile.ZIP_DEFLATED)
        data[crc_at : crc_at + 4] = struct.pack("<I", crc)
        data[size_at : size_at + 4] = struct.pack("<I", size)
    with open(path, "wb") as out:
        out.write(bytes(data))
    return path
