"""Unrolled steps, found by the templates' `# step N` convention and formatted once per
text shape (the step's text with every digit read as 0), then stamped out with each
step's own digits."""

from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional, Tuple

# `# step N`, or `# step N: what it computes` (a fused iteration names its layers' steps).
STEP_START = re.compile(r"( +)# step [0-9]+(?:: .*)?")
PLACEHOLDER = "_lstmgen_step_run_"
DIGIT = re.compile(r"[0-9]")
# A step holding one of these could make black add blank lines or treat text as a docstring.
UNSAFE_LINE = re.compile(r"\s*(?:def\s|class\s|async\s|@|import\s|from\s|[rRbBuUfF]{0,2}['\"])")

Step = Tuple[int, int, str]  # first line, the line after the last, indentation
Formatter = Callable[[str], str]
# (shape, depth) -> the formatted step split at its digits, for every module this process
# formats (a test run makes hundreds); emptied when it grows past MAX_SHAPES.
_SHAPES: Dict[Tuple[str, int], Optional[Tuple[str, ...]]] = {}
MAX_SHAPES = 4096


def find_steps(lines: List[str]) -> List[Step]:
    """Each unrolled step: a `# step N` line and the lines after it up to a blank one."""
    steps = []
    index = 0
    while index < len(lines):
        match = STEP_START.fullmatch(lines[index])
        if not match:
            index += 1
            continue
        stop = index + 1
        while stop < len(lines) and lines[stop].strip():
            stop += 1
        steps.append((index, stop, match.group(1)))
        index = stop
    return steps


def cut_runs(lines: List[str]) -> Tuple[List[str], List[List[Step]]]:
    """The lines with each run of steps (same indentation, only blank lines between them)
    replaced by one placeholder statement, and the runs."""
    runs: List[List[Step]] = []
    for step in find_steps(lines):
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and previous[2] == step[2]
            and not any(line.strip() for line in lines[previous[1] : step[0]])
        ):
            runs[-1].append(step)
        else:
            runs.append([step])
    skeleton = list(lines)
    for number, run in reversed(list(enumerate(runs))):
        skeleton[run[0][0] : run[-1][1]] = [f"{run[0][2]}{PLACEHOLDER}{number}"]
    return skeleton, runs


def expand_runs(
    formatted: List[str], lines: List[str], runs: List[List[Step]], black_format: Formatter
) -> Optional[List[str]]:
    """The formatted lines with each placeholder replaced by its steps, as black formats
    them there; None where that cannot be told (black then formats the whole source)."""
    out, done = [], 0
    for line in formatted:
        stripped = line.lstrip(" ")
        if done == len(runs) or stripped != f"{PLACEHOLDER}{done}":
            out.append(line)
            continue
        depth = len(line) - len(stripped)
        blocks = [stamp(lines[a:b], indent, depth, black_format) for a, b, indent in runs[done]]
        if None in blocks:
            return None
        # Black keeps one blank line between the steps of a run, as it does between any
        # two plain statements of a function with one or more blank lines between them.
        out.append("\n\n".join(blocks))
        done += 1
    return out if done == len(runs) else None


def stamp(block: List[str], indent: str, depth: int, black_format: Formatter) -> Optional[str]:
    """The step as black formats it at `depth` spaces, from the formatted step of its
    shape with this step's digits put in."""
    if any(not line.startswith(indent) or UNSAFE_LINE.match(line) for line in block[1:]):
        return None
    text = "\n".join(line[len(indent) :] for line in block)
    key = (DIGIT.sub("0", text), depth)
    if key not in _SHAPES:
        if len(_SHAPES) >= MAX_SHAPES:
            _SHAPES.clear()
        _SHAPES[key] = format_alone(text, depth, black_format)
    pieces = _SHAPES[key]
    if pieces is None:
        return None
    digits = DIGIT.findall(text)
    parts = [pieces[0]]
    for digit, piece in zip(digits, pieces[1:]):
        parts.append(digit)
        parts.append(piece)
    return "".join(parts)


def format_alone(text: str, depth: int, black_format: Formatter) -> Optional[Tuple[str, ...]]:
    """Black's output for the step at `depth` spaces, split at its digits; None when black
    changed the digits (they could not be stamped) or the step is not valid on its own."""
    if depth % 4 or depth == 0:
        return None
    wrapper = "".join(f"{'    ' * level}def _():\n" for level in range(depth // 4))
    body = "\n".join(" " * depth + line for line in text.split("\n"))
    try:
        formatted = black_format(wrapper + body + "\n")
    except ValueError:  # black.InvalidInput: not valid Python on its own
        return None
    block = formatted.split("\n", depth // 4)[depth // 4].rstrip("\n")
    if "\n\n" in block or DIGIT.findall(block) != DIGIT.findall(text):
        return None
    return tuple(DIGIT.split(block))
