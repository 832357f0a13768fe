"""A corpus of generated predictors, to prove that a refactoring changes no output byte.

Record (once, with Keras, from the code before the change): run test files with this
module as a pytest plugin; every predictor the tests generate is saved with its model
file, options and output, one folder per distinct source (data lines aside):

    CORPUS=/tmp/corpus python -m pytest -p corpus -q tests/test_lstm.py ...

(`tests/` on PYTHONPATH for `-p corpus`.) Check (no Keras needed) after each change:

    python tests/corpus.py check /tmp/corpus

`python tests/corpus.py vary /tmp/corpus` (also from the code before the change) adds
entries with --float64, --weights-file, --readable and --no-unroll for one entry of each
set of layer classes, as tests rarely generate those. `check` regenerates every entry and compares the whole module text (self-test vector and weight
blob included) and, with --weights-file, the .npz arrays.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import sys
import threading
from typing import Any, Dict, List

import numpy as np

_BLOB = re.compile(r'^ +"[A-Za-z0-9+/=]+"$|^(_SELF_TEST|_WEIGHTS_BASE64|SOURCE_SHA256) = .*$')


def code_key(source: str, source_name: str) -> str:
    """A hash of the module's code: data lines and the model file's name left out."""
    lines = [line for line in source.replace(source_name, "MODEL").splitlines()]
    code = "\n".join(line for line in lines if not _BLOB.match(line))
    return hashlib.sha256(code.encode()).hexdigest()


class Recorder:
    """Wraps the pipeline's stages to save each generation the tests run."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.paths: Dict[int, str] = {}  # id(ModelFile) -> its path
        self.graphs: Dict[int, Any] = {}  # id(ModelGraph) -> (model path, options)
        self.lock = threading.Lock()
        os.makedirs(folder, exist_ok=True)
        self.seen = {name for name in os.listdir(folder)}

    def install(self) -> None:
        """Patch before the modules that import these names by value are imported."""
        import lstmgen.build as build
        import lstmgen.emitter as emitter
        import lstmgen.reader as reader

        read_model, build_graph, generate_source = (
            reader.read_model,
            build.build_graph,
            emitter.generate_source,
        )

        def read(path, *args, **kwargs):
            model = read_model(path, *args, **kwargs)
            self.paths[id(model)] = os.path.abspath(path)
            return model

        def graph_of(model, options=None, *args, **kwargs):
            from lstmgen.options import Options

            options = Options() if options is None else options
            graph = build_graph(model, options, *args, **kwargs)
            if id(model) in self.paths:
                self.graphs[id(graph)] = (self.paths[id(model)], options)
            return graph

        def source_of(graph, module_name="predictor", reference=None, *args, **kwargs):
            generated = generate_source(graph, module_name, reference, *args, **kwargs)
            if reference is None and id(graph) in self.graphs:
                self.save(*self.graphs[id(graph)], module_name, generated)
            return generated

        reader.read_model, build.build_graph, emitter.generate_source = read, graph_of, source_of

    def save(self, path: str, options, module_name: str, generated, test: str = "") -> None:
        """One corpus entry: model file, options, module name, source (and .npz arrays)."""
        key = code_key(generated.source, os.path.basename(path))[:16]
        with self.lock:
            if key in self.seen:
                return
            self.seen.add(key)
        entry = os.path.join(self.folder, key)
        os.makedirs(entry)
        shutil.copyfile(path, os.path.join(entry, os.path.basename(path)))
        meta = {
            "model": os.path.basename(path),
            "options": dataclasses.asdict(options),
            "module_name": module_name,
            "test": test or os.environ.get("PYTEST_CURRENT_TEST", ""),
        }
        with open(os.path.join(entry, "entry.json"), "w") as handle:
            json.dump(meta, handle, indent=1)
        with open(os.path.join(entry, "expected.py"), "w", encoding="utf-8") as handle:
            handle.write(generated.source)
        if generated.arrays is not None:
            np.savez(os.path.join(entry, "expected.npz"), **generated.arrays)


def pytest_configure(config) -> None:
    """Pytest plugin entry: record into $CORPUS."""
    Recorder(os.environ["CORPUS"]).install()


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    """Byte for byte (NaN where NaN was), same dtype and shape."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def check(folder: str, verbose: bool = False, only: str = "") -> List[str]:
    """Regenerate every entry (whose expected source contains `only`); the names of
    those whose output differs."""
    import warnings

    from lstmgen.build import build_graph
    from lstmgen.emitter import generate_source
    from lstmgen.options import Options
    from lstmgen.reader import read_model

    differ, checked = [], 0
    for name in sorted(os.listdir(folder)):
        entry = os.path.join(folder, name)
        meta_path = os.path.join(entry, "entry.json")
        if not os.path.isfile(meta_path):
            continue
        with open(meta_path) as handle:
            meta = json.load(handle)
        with open(os.path.join(entry, "expected.py"), encoding="utf-8") as handle:
            expected_source = handle.read()
        if only not in expected_source:
            continue
        checked += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph = build_graph(
                read_model(os.path.join(entry, meta["model"])), Options(**meta["options"])
            )
            generated = generate_source(graph, meta["module_name"])
        same = expected_source == generated.source
        npz = os.path.join(entry, "expected.npz")
        if same and os.path.isfile(npz):
            with np.load(npz) as expected:
                arrays = generated.arrays or {}
                same = set(expected.files) == set(arrays) and all(
                    _same_array(expected[k], arrays[k]) for k in expected.files
                )
        if not same:
            differ.append(name)
            with open(os.path.join(entry, "actual.py"), "w", encoding="utf-8") as handle:
                handle.write(generated.source)
        if verbose:
            print(("same   " if same else "DIFFERS"), name, meta["test"], flush=True)
    print(f"checked {checked}")
    return differ


# The generation options `vary` adds, each on its own.
VARIANTS = (
    {"float64": True},
    {"weights_file": True},
    {"fast": False},
    {"unroll": False},
)
_CLASS_ROW = re.compile(r"^(\S+)\s{2,}(\S+)\s{2,}\(")


def layer_classes(source: str) -> str:
    """The classes in the module's summary table, as one sorted text."""
    return " ".join(sorted({m.group(2) for m in map(_CLASS_ROW.match, source.splitlines()) if m}))


def vary(folder: str) -> int:
    """Add an entry per variant of the options for one entry of each set of classes."""
    import warnings

    from lstmgen.build import build_graph
    from lstmgen.emitter import generate_source
    from lstmgen.errors import LstmgenError
    from lstmgen.options import Options
    from lstmgen.reader import read_model

    recorder, chosen, added = Recorder(folder), {}, 0
    for name in sorted(os.listdir(folder)):
        meta_path = os.path.join(folder, name, "entry.json")
        if os.path.isfile(meta_path):
            with open(os.path.join(folder, name, "expected.py"), encoding="utf-8") as handle:
                chosen.setdefault(layer_classes(handle.read()), name)
    for name in chosen.values():
        with open(os.path.join(folder, name, "entry.json")) as handle:
            meta = json.load(handle)
        for variant in VARIANTS:
            options = Options(**{**meta["options"], **variant})
            path = os.path.join(folder, name, meta["model"])
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    generated = generate_source(build_graph(read_model(path), options))
            except LstmgenError:
                continue  # e.g. --no-unroll where nothing is unrolled still works; others may not
            before = len(recorder.seen)
            recorder.save(path, options, "predictor", generated, f"vary {variant} of {name}")
            added += len(recorder.seen) - before
    return added


def main(argv: List[str]) -> int:
    """python tests/corpus.py check FOLDER [-v] [--only TEXT] | vary FOLDER"""
    if len(argv) == 2 and argv[0] == "vary":
        print(f"{vary(argv[1])} entries added")
        return 0
    if len(argv) < 2 or argv[0] != "check":
        print(main.__doc__)
        return 2
    only = argv[argv.index("--only") + 1] if "--only" in argv else ""
    differ = check(argv[1], "-v" in argv, only)
    total = len([n for n in os.listdir(argv[1]) if os.path.isdir(os.path.join(argv[1], n))])
    print(
        f"{total} entries{' (checked: those with ' + repr(only) + ')' if only else ''}, {len(differ)} differ"
        + "".join(f"\n  {n}" for n in differ)
    )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
