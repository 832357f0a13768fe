"""Black as the last stage, without formatting the same unrolled step a thousand times.

The output is byte for byte what `black.format_str(source, mode=MODE)` gives. The one
convention with the templates: an unrolled step starts with a comment line `# step N`
(N its number) and runs to the next blank line. Steps whose text differs only in its
digits (`xw[3]` and `xw[4]`, `# step 3` and `# step 4`) are formatted by black once,
and the result is stamped out with each step's own digits; the rest of the module, with
a placeholder line where each step was, is formatted by black as one file.

Why that is exact: black decides each line of a block of plain statements from that
line alone (its tokens, their lengths and its depth), never from the values of the
digits in it, and keeps tokens and comments in their order; it adds blank lines only
around defs, classes, decorators, imports and docstrings, which a step may not hold.
Whatever breaks the convention, or could (`# fmt:` directives, strings, defs, imports),
falls back to black on the whole source.
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Tuple

import black

MODE = black.Mode(target_versions={black.TargetVersion.PY39}, line_length=88)
STEP_START = re.compile(r"( +)# step [0-9]+")
PLACEHOLDER = "_lstmgen_step_placeholder_"
DIGIT = re.compile(r"[0-9]")
# A step holding one of these could make black add blank lines or treat text as a docstring.
UNSAFE_LINE = re.compile(r"\s*(?:def\s|class\s|async\s|@|import\s|from\s|[rRbBuUfF]{0,2}['\"])")


def black_format(source: str) -> str:
    """Black on the whole source."""
    return black.format_str(source, mode=MODE)


def format_source(source: str) -> str:
    """What black makes of `source`, formatting each distinct unrolled step only once."""
    if "fmt:" in source or "yapf:" in source:  # directives could span steps
        return black_format(source)
    lines = source.split("\n")
    runs = step_runs(lines, find_steps(lines))
    if not runs:
        return black_format(source)
    skeleton = list(lines)
    for number, run in reversed(list(enumerate(runs))):
        skeleton[run[0][0] : run[-1][1]] = [f"{run[0][2]}{PLACEHOLDER}{number}"]
    skeleton_text = "\n".join(skeleton)
    if not placeholders_are_statements(skeleton_text, len(runs)):
        return black_format(source)
    stamper, out, done = Stamper(), [], 0
    for line in black_format(skeleton_text).split("\n"):
        stripped = line.lstrip(" ")
        if stripped != f"{PLACEHOLDER}{done}":
            out.append(line)
            continue
        # Black keeps one blank line between the steps of a run, as it does between any
        # two plain statements of a function with one or more blank lines between them.
        blocks = [
            stamper.format(lines[start:stop], indent, len(line) - len(stripped))
            for start, stop, indent in runs[done]
        ]
        if None in blocks:
            return black_format(source)
        out.append("\n\n".join(blocks))
        done += 1
    if done != len(runs):
        return black_format(source)
    return "\n".join(out)


def find_steps(lines: List[str]) -> List[Tuple[int, int, str]]:
    """(first line, line after the last, indentation) of each unrolled step."""
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


def step_runs(
    lines: List[str], steps: List[Tuple[int, int, str]]
) -> List[List[Tuple[int, int, str]]]:
    """The steps grouped into runs: same indentation, only blank lines between them."""
    runs: List[List[Tuple[int, int, str]]] = []
    for step in steps:
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and previous[2] == step[2]
            and not any(line.strip() for line in lines[previous[1] : step[0]])
        ):
            runs[-1].append(step)
        else:
            runs.append([step])
    return runs if len(steps) >= 2 else []


def placeholders_are_statements(skeleton: str, count: int) -> bool:
    """Every placeholder stands alone as a statement (not inside a string or a bracket)."""
    try:
        tree = ast.parse(skeleton)
    except SyntaxError:
        return False
    found = [
        node.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Name)
        and node.value.id.startswith(PLACEHOLDER)
    ]
    return sorted(found) == sorted(f"{PLACEHOLDER}{k}" for k in range(count))


class Stamper:
    """Formats one step per text shape (its text with every digit read as 0) and depth."""

    def __init__(self) -> None:
        self._pieces: Dict[Tuple[int, str], Optional[List[str]]] = {}

    def format(self, block: List[str], indent: str, depth_spaces: int) -> Optional[str]:
        """The step as black formats it at that indentation; None where it cannot say."""
        if any(not line.startswith(indent) or UNSAFE_LINE.match(line) for line in block[1:]):
            return None
        text = "\n".join(line[len(indent) :] for line in block)
        key = (depth_spaces, DIGIT.sub("0", text))
        if key not in self._pieces:
            self._pieces[key] = format_alone(text, depth_spaces)
        pieces = self._pieces[key]
        if pieces is None:
            return None
        digits = DIGIT.findall(text)
        parts = [pieces[0]]
        for digit, piece in zip(digits, pieces[1:]):
            parts.append(digit)
            parts.append(piece)
        return "".join(parts)


def format_alone(text: str, depth_spaces: int) -> Optional[List[str]]:
    """Black's output for the step at its depth, split at its digits; None when black
    changed the digits (so that they cannot be stamped) or the step is not valid alone."""
    if depth_spaces % 4 or depth_spaces == 0:
        return None
    depth = depth_spaces // 4
    wrapper = "".join(f"{'    ' * level}def _():\n" for level in range(depth))
    body = "\n".join(" " * depth_spaces + line for line in text.split("\n"))
    try:
        formatted = black_format(wrapper + body + "\n")
    except black.InvalidInput:
        return None
    block = formatted.split("\n", depth)[depth].rstrip("\n")
    if "\n\n" in block or DIGIT.findall(block) != DIGIT.findall(text):
        return None
    return DIGIT.split(block)
