"""Shared set-up: quiet TensorFlow; both Keras versions, loaded lazily once per session (the
`-m "not keras"` tier runs without them); the `keras` marker on every test that uses them;
one file format per Keras version where a test crosses both axes; no thread left behind."""

import gc
import os
import threading
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("PYTHONHASHSEED", "0")

import pytest
from hypothesis import settings

# Derandomized so that CI and every developer see the same examples.
settings.register_profile("lstmgen", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("lstmgen")

KERAS_FIXTURES = {"keras2", "keras3", "any_keras"}
FORMATS = ("h5", "keras")
EVERY_FORMAT = os.environ.get("LSTMGEN_EVERY_FORMAT") == "1"


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(config, items):
    """Mark Keras tests; thin the format axis (unless LSTMGEN_EVERY_FORMAT=1). A test that
    uses a Keras fixture (directly, through another fixture, or by the name a parameter
    gives it for request.getfixturevalue) is in the Keras tier, whether or not its module
    says so: `-m "not keras"` leaves it out."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        named = {value for value in params.values() if isinstance(value, str)}
        if KERAS_FIXTURES & (set(getattr(item, "fixturenames", ())) | named):
            item.add_marker(pytest.mark.keras)
    if not EVERY_FORMAT:
        dropped = set(map(id, one_format_per_keras(items)))
        if dropped:
            config.hook.pytest_deselected(items=[i for i in items if id(i) in dropped])
            items[:] = [item for item in items if id(item) not in dropped]


def one_format_per_keras(items):
    """The items to drop where a test runs every (Keras, format) pair with the same other
    parameters: each Keras keeps one format, the other Keras the other one (which one
    goes by the test and its parameters). The golden files check every format for every
    layer family; a fresh Keras model here is for semantics, and both Kerases still run."""
    groups = {}
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("any_keras") in ("keras2", "keras3") and params.get("fmt") in FORMATS:
            rest = sorted((k, repr(v)) for k, v in params.items() if k not in ("any_keras", "fmt"))
            key = (item.path, item.originalname, tuple(rest))
            groups.setdefault(key, {})[(params["any_keras"], params["fmt"])] = item
    dropped = []
    for key, pairs in groups.items():
        if len(pairs) != 4:  # formats tied to other parameters: nothing to thin
            continue
        first = zlib.crc32(repr(key).encode()) % 2  # stable across runs and machines
        keep = {("keras2", FORMATS[first]), ("keras3", FORMATS[1 - first])}
        dropped += [item for pair, item in pairs.items() if pair not in keep]
    return dropped


@pytest.fixture(scope="module", autouse=True)
def no_thread_left_running(request):
    """A test file leaves no thread running: lstmgen reads model files in a forked child
    only while no other thread runs (lstmgen/reader/isolation.py), so a thread left behind
    (a Dask pool) changed how every later test read, and tests that lower a cap here
    passed or failed by the order of the files."""
    before = set(threading.enumerate())
    yield
    left = [thread.name for thread in threading.enumerate() if thread not in before]
    assert not left, f"{request.node.name} left threads running: {left}"


@pytest.fixture(scope="session")
def keras3():
    """Keras 3 (the `keras` package)."""
    import keras

    gc.freeze()  # TensorFlow's modules stay: later collections need not walk them again
    return keras


@pytest.fixture(scope="session")
def keras2():
    """Keras 2 (the `tf_keras` package)."""
    import tf_keras

    gc.freeze()
    return tf_keras


@pytest.fixture(scope="session", params=["keras2", "keras3"])
def any_keras(request):
    """Each Keras major version in turn."""
    return request.getfixturevalue(request.param)
