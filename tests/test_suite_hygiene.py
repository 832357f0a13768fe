"""The test suite's own rules: shared helpers come from helper modules, never from another
test file; the Keras-free tier imports no Keras; a test that needs Keras says so."""

import ast
import glob
import os

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
FILES = sorted(glob.glob(os.path.join(TESTS, "test_*.py")))
KERAS_MODULES = {"keras", "tf_keras", "tensorflow"}
KERAS_FIXTURES = {"keras2", "keras3", "any_keras"}


def tree(path):
    with open(path, encoding="utf-8") as handle:
        return ast.parse(handle.read())


def imported(nodes):
    """Top-level names of the modules these statements import."""
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("path", FILES, ids=os.path.basename)
def test_no_test_file_imports_another(path):
    others = [name for name in imported(ast.walk(tree(path))) if name.startswith("test_")]
    assert not others, f"import helpers from oracle.py instead: {others}"


@pytest.mark.parametrize("path", FILES, ids=os.path.basename)
def test_keras_is_imported_only_inside_tests(path):
    """A module-level import would break collecting the Keras-free tier without Keras."""
    at_module_level = set(imported(tree(path).body)) & KERAS_MODULES
    assert not at_module_level, at_module_level


def marked_keras(decorators, source):
    return any("mark.keras" in ast.get_source_segment(source, d) for d in decorators)


@pytest.mark.parametrize("path", FILES, ids=os.path.basename)
def test_tests_that_use_keras_are_marked(path):
    source = open(path, encoding="utf-8").read()
    module = ast.parse(source)
    if "pytestmark = pytest.mark.keras" in source:
        return
    unmarked = []
    for node in module.body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        uses = {arg.arg for arg in node.args.args} & KERAS_FIXTURES
        uses = uses or "getfixturevalue" in ast.get_source_segment(source, node)
        if uses and not marked_keras(node.decorator_list, source):
            unmarked.append(node.name)
    assert not unmarked, f"add @pytest.mark.keras: {unmarked}"
