"""lstmgen/formatting.py gives exactly what black gives, formatting each step shape once."""

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lstmgen.formatting as formatting
import lstmgen.formatting_chunks as formatting_chunks
import lstmgen.formatting_steps as formatting_steps
from lstmgen.formatting import black_format, format_source
from lstmgen.options import Options

NAMES = st.sampled_from(["h", "c", "z", "xw", "lstm_1_kernel", "hs", "m", "x2", "a0b1"])
NUMBERS = st.integers(0, 2000).map(str) | st.sampled_from(["0.5", "1e-07", "0x1f", "10_000", "T"])


@st.composite
def expressions(draw, depth=0):
    """Expressions with subscripts, calls and operators: long ones make black split."""
    if depth > 2 or draw(st.booleans()):
        return draw(NAMES | NUMBERS)
    kind = draw(st.sampled_from(["binary", "call", "subscript", "tuple"]))
    inner = [draw(expressions(depth + 1)) for _ in range(draw(st.integers(1, 3)))]
    if kind == "binary":
        return f" {draw(st.sampled_from(['+', '*', '@', '-', '**']))} ".join(inner)
    if kind == "call":
        comma = "," if draw(st.booleans()) else ""  # a magic trailing comma
        return f"np.{draw(NAMES)}({', '.join(inner)}{comma})"
    if kind == "subscript":
        return f"{draw(NAMES)}[{', '.join(inner)}]"
    return f"({', '.join(inner)},)"


@st.composite
def steps_module(draw):
    """A function with unrolled steps the way the templates write them, step numbers in
    expressions and comments; some lines long enough to be split."""
    body = [draw(st.lists(expressions(), min_size=1, max_size=5)) for _ in range(3)]
    count = draw(st.integers(2, 8))
    first = draw(st.sampled_from([0, 5, 95, 995]))
    lines = ["def layer(x):", '    """Doc."""', "    h = x"]
    for t in range(first, first + count):
        lines += ["", f"    # step {t}"]
        for k, parts in enumerate(body):
            target = draw(NAMES)
            expression = " + ".join(parts).replace("T", str(t))  # T: the step number
            comment = f"  # (batch, {t}) gate {k}" if draw(st.booleans()) else ""
            lines.append(f"    {target} = {expression}{comment}")
        lines.append(f"    hs[{t}] = h")
    lines += ["", "    return hs", ""]
    return "\n".join(lines)


@settings(max_examples=50)
@given(source=steps_module())
def test_random_steps_format_as_black_formats_them(source):
    assert format_source(source) == black_format(source)


TOP_ITEMS = st.sampled_from(
    [
        "x = 1",
        "import os",
        "from a import b",
        "# a comment",
        'def f(a, b):\n    """Doc."""\n    return a+b',
        "def g():\n    if a:\n        return 1\n    return 2",
        "def h():\n    y = [aaaaaaaaaa, bbbbbbbbbbbb, cccccccccccc, dddddddddddd, eeeeeeeeeee, ffff]",
        "class A:\n    x = 1\n    def m(self):\n        return self.x",
        'class B:\n\n    """Doc."""\n\n    def m(self): return 2',
        "def stub(): ...",
        "@decorator\ndef d():\n    pass",
        "if a:\n    def inner():\n        pass",
        "def k():\n    import sys\n    return sys",
        "def c():\n    return 1\n    # the end",
    ]
)


@settings(max_examples=60)
@given(items=st.lists(st.tuples(TOP_ITEMS, st.integers(0, 3)), min_size=1, max_size=8))
def test_random_top_level_pieces_format_as_black_formats_them(items):
    source = "".join(item + "\n" * (1 + blank) for item, blank in items)
    assert format_source(source) == black_format(source)


def module(steps):
    return "def f(x):\n    y = x\n" + "".join(steps) + "\n    return y\n"


def step(t, *lines):
    return f"\n    # step {t}\n" + "".join(f"    {line}\n" for line in lines)


FALLBACKS = {
    "fmt off": module([step(t, "y = y+1", "# fmt: off") for t in range(3)]),
    "a string": module([step(t, "'''doc'''", "y = y+1") for t in range(3)]),
    "an import": module([step(t, "import os", "y = y+1") for t in range(3)]),
    "a def": module([step(t, "def g(): return 1", "y = y+1") for t in range(3)]),
    "a decorator": module([step(t, "@g", "def g(): return 1") for t in range(3)]),
    "unbalanced": module([step(t, f"y = (y+{t}") for t in range(3)]) + ")\n",
    "in a docstring": 'def f():\n    """\n    # step 1\n    a\n\n    # step 2\n    b\n    """\n',
    "not at a statement": "x = [\n    # step 1\n    1,\n\n    # step 2\n    2,\n]\n",
    "odd indentation": "def f():\n  if 1:\n   # step 1\n   a=1\n\n   # step 2\n   a=2\n",
}


@pytest.mark.parametrize("name", sorted(FALLBACKS))
def test_what_breaks_the_convention_is_formatted_whole(name):
    source = FALLBACKS[name]
    try:
        expected = black_format(source)
    except Exception as error:  # black refuses it: so must format_source, the same way
        with pytest.raises(type(error)):
            format_source(source)
        return
    assert format_source(source) == expected


def test_each_piece_is_formatted_once(monkeypatch):
    source = module([step(t, f"y = y*2+xw[{t}]  # step {t}", "h=y") for t in range(120)])
    source += "\n\ndef g():\n    return 1\n"
    calls = []
    real = formatting.black_format
    monkeypatch.setattr(formatting, "black_format", lambda text: calls.append(text) or real(text))
    monkeypatch.setattr(formatting_steps, "_SHAPES", {})
    monkeypatch.setattr(formatting_chunks, "_FORMATTED", {})
    assert format_source(source) == real(source)
    # The module around its functions, f and g, then one step per digit count (1, 2, 3).
    assert len(calls) == 6, [c[:60] for c in calls]
    assert format_source(source) == real(source)
    assert len(calls) == 7  # the second time, only the module around the functions


def test_nested_depth_and_long_lines():
    long_call = "z = np.concatenate([" + ", ".join(f"a{k}[{{t}}]" for k in range(30)) + "])"
    steps = "".join(
        textwrap.indent(step(t, long_call.format(t=t), "h = z"), "    ") for t in range(12)
    )
    source = "class A:\n    def f(self):\n        h = 1\n" + steps + "\n        return h\n"
    assert format_source(source) == black_format(source)


TOP_LEVEL = {
    "comments around": "x = 1\n# about f\ndef f():\n  return 1\n# after\ny = 2\n",
    "decorated": "@dec\ndef f():\n  pass\n\n@dec\nclass A:\n  pass\n",
    "one-liners": "def f(): return 1\ndef g(): return 2\n",
    "class": "class A:\n  '''doc'''\n  def f(self):\n    return 1\n\n\n\n  x = 1\n",
    "indented comment after": "def f():\n    if x:\n        y = 1\n        # trailing\nz = 1\n",
    "import in and after": "def f():\n  import os\n  return os\nimport sys\nx = 1\n",
    "stubs": "def f(): ...\ndef g():\n    ...\nclass P:\n    ...\nx = 1\n",
    "async": "async def f():\n    await g()\nasync def h():\n    pass\n",
    "no blank lines": "def f():\n    return 1\ndef g():\n    return 2\nx=1\n",
    "many blank lines": "x=1\n\n\n\n\ndef f():\n    return 1\n\n\n\n\nx=2\n",
    "module docstring": '"""doc"""\ndef f():\n    return 1\n',
    "nested def last": "def f():\n    def g():\n        return 1\n    return g\n# c\nclass B: pass\n",
    "def inside if": "if True:\n    def f():\n        return 1\nx = 1\n",
    "overloads": "@overload\ndef f(x: int) -> int: ...\n@overload\ndef f(x: str): ...\ndef f(x):\n    return x\n",
    "comment then def": "def f():\n    return 1\n# comment\n\ndef g():\n    return 2\n",
    "backslash": "def f():\n    x = 1 + \\\n        2\n    return x\n",
    "string at column 0": 'def f():\n    s = """\nabc\n"""\n    return s\nx = 1\n',
    "blank lines in body": "def f():\n\n    x = 1\n\n\n    return x\n",
    "windows line ends": "def f():\r\n    return 1\r\n\r\nx = 1\r\n",
    "tabs": "def f():\n\tif x:\n\t\treturn 1\n\treturn 2\n",
    "same function twice": "def f():\n    return 1\n\n\ndef f():\n    return 1\n",
}


@pytest.mark.parametrize("name", sorted(TOP_LEVEL))
def test_top_level_pieces_format_as_black_formats_the_whole(name):
    source = TOP_LEVEL[name]
    assert format_source(source) == black_format(source)
    assert format_source(source) == black_format(source)  # from the cache this time


def test_titled_steps_are_steps_too(monkeypatch):
    """A fused iteration's `# step N: a step N, b step N-1` starts a step as `# step N` does:
    formatted once per shape, and the bytes black gives the whole."""
    titled = [
        f"\n    # step {t}: lstm step {t}, lstm_1 step {max(t - 1, 0)}\n"
        f"    y = y*2+xw[{t}]\n    h=y\n"
        for t in range(60)
    ]
    source = module(titled)
    calls = []
    real = formatting.black_format
    monkeypatch.setattr(formatting, "black_format", lambda text: calls.append(text) or real(text))
    monkeypatch.setattr(formatting_steps, "_SHAPES", {})
    monkeypatch.setattr(formatting_chunks, "_FORMATTED", {})
    assert format_source(source) == real(source)
    shapes = formatting_steps._SHAPES
    # One shape per pattern of digit counts: steps 0-9, step 10 (t - 1 = 9), steps 11-59.
    assert len(shapes) == 3, list(shapes)


@pytest.mark.parametrize("options", [Options(timesteps=300), Options(timesteps=300, fast=False)])
def test_no_template_writes_unrolled_code_black_must_read_whole(monkeypatch, options):
    """Every unrolled form (plain, fused, readable) keeps to the `# step N` convention: black
    never reads more than a few hundred lines at once, whatever the step count (a fused
    iteration titled otherwise once made black read 12,000 lines at 1,000 steps)."""
    from golden import generated

    sizes = []
    real = formatting.black_format
    monkeypatch.setattr(
        formatting, "black_format", lambda text: sizes.append(text.count("\n")) or real(text)
    )
    monkeypatch.setattr(formatting_steps, "_SHAPES", {})
    monkeypatch.setattr(formatting_chunks, "_FORMATTED", {})
    source = generated("lstm_free_time.k3.keras", options)
    assert source.count("# step 299") >= 2  # both layers (and the fused pair) unrolled
    assert max(sizes) < 600, sorted(sizes)[-5:]
