"""docs/performance.md's tables, made from bench/run.py's results: bench/results/latest.json
(OpenBLAS's own choice of kernels) and bench/results/skylakex.json (the same run with
OPENBLAS_CORETYPE=SkylakeX, bench/run.py --out /tmp/x, then copied there).

    python bench/docs_tables.py          # rewrite the tables between the markers
    python bench/docs_tables.py --check  # exit 1 if the page is stale

Only the text between `<!-- bench:begin -->` and `<!-- bench:end -->` (and the
`bench-skylakex` markers) is generated; the prose around it is written by hand and must
agree with it.
"""

import argparse
import json
import os
import sys
from typing import Dict, List, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
# marker name in the page -> the run's results
RUNS = {"bench": "latest.json", "bench-skylakex": "skylakex.json"}
PAGE = os.path.join(ROOT, "docs", "performance.md")

LABELS = {
    "question": "question (LSTM(5) x 2, 32 steps)",
    "lstm128x2": "LSTM(128) x 2, 100 steps",
    "lstm256x2": "LSTM(256) x 2, 64 steps",
    "gru64": "GRU(64), 50 steps",
    "bilstm64": "Bidirectional LSTM(64), 50 steps",
    "lstm10m": "10M parameters (LSTM 640 -> 1152, 20 steps)",
}


def _ratio(run: Dict, model: str, engine: str, batch: int) -> float:
    """Time of `engine` / time of the generated module."""
    ms = run["models"][model]["ms"]
    return ms[engine][str(batch)] / ms["generated"][str(batch)]


def targets(run: Dict) -> List[Tuple[str, str, bool]]:
    """(target, measured, met) for issue 16's targets."""
    models = run["models"]
    rows = []
    keras = _ratio(run, "question", "keras predict", 1)
    rows.append(("Keras predict >= 50x slower, question, batch 1", f"{keras:.0f}x", keras >= 50))
    ort = 1 / _ratio(run, "question", "onnxruntime", 1)
    rows.append(("generated <= 5x ONNX Runtime, question, batch 1", f"{ort:.1f}x", ort <= 5))
    for model in ("lstm128x2", "lstm256x2"):
        if model in models and "256" in models[model]["ms"]["onnxruntime"]:
            ort = 1 / _ratio(run, model, "onnxruntime", 256)
            rows.append(
                (f"generated <= 1.25x ONNX Runtime, {model}, batch 256", f"{ort:.2f}x", ort <= 1.25)
            )
    worst, where = 0.0, ""
    for model, data in models.items():
        for batch in data["ms"]["numpy by hand"]:
            slower = 1 / _ratio(run, model, "numpy by hand", int(batch))
            if slower > worst:
                worst, where = slower, f"{model}, batch {batch}"
    rows.append(("never slower than NumPy by hand", f"worst {worst:.2f}x ({where})", worst <= 1.0))
    error = max(e for data in models.values() for e in data["max_rel_error"].values())
    rows.append(("max relative error vs Keras <= 1e-6", f"{error:.1e}", error <= 1e-6))
    return rows


def tables(run: Dict) -> str:
    """The generated part of the page."""
    lines = [run["machine"], "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in targets(run)]
    lines += [
        "",
        "| model | batch | generated (ms) | Keras predict | ONNX Runtime | NumPy by hand "
        "| max rel. error |",
        "|---|---|---|---|---|---|---|",
    ]
    for model, data in run["models"].items():
        for batch in run["batches"]:
            cells = []
            for engine in ("keras predict", "onnxruntime", "numpy by hand"):
                known = str(batch) in data["ms"].get(engine, {})
                cells.append(f"{_ratio(run, model, engine, batch):.2f}x" if known else "n/a")
            ms = data["ms"]["generated"][str(batch)]
            error = data["max_rel_error"][str(batch)]
            label = LABELS.get(model, model)
            lines.append(
                f"| {label} | {batch} | {ms:.3f} | " + " | ".join(cells) + f" | {error:.1e} |"
            )
    return "\n".join(lines) + "\n"


def runs() -> Dict[str, Dict]:
    """Marker name -> the results of that run."""
    loaded = {}
    for marker, name in RUNS.items():
        with open(os.path.join(RESULTS, name)) as handle:
            loaded[marker] = json.load(handle)
    return loaded


def page(text: str, results: Dict[str, Dict]) -> str:
    """The page with its generated parts replaced."""
    for marker, run in results.items():
        begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{begin}\n{tables(run)}{end}{tail}"
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args(argv)
    with open(PAGE) as handle:
        text = handle.read()
    fresh = page(text, runs())
    if args.check:
        if fresh != text:
            print("docs/performance.md is stale: run python bench/docs_tables.py")
            return 1
        return 0
    with open(PAGE, "w") as handle:
        handle.write(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
