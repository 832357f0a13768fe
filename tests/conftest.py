"""Shared set-up: quiet TensorFlow, both Keras versions loaded once per session."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("PYTHONHASHSEED", "0")

import pytest
from hypothesis import settings

# Derandomized so that CI and every developer see the same examples.
settings.register_profile("lstmgen", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("lstmgen")


@pytest.fixture(scope="session")
def keras3():
    """Keras 3 (the `keras` package)."""
    import keras

    return keras


@pytest.fixture(scope="session")
def keras2():
    """Keras 2 (the `tf_keras` package)."""
    import tf_keras

    return tf_keras


@pytest.fixture(scope="session", params=["keras2", "keras3"])
def any_keras(request):
    """Each Keras major version in turn."""
    return request.getfixturevalue(request.param)


KERAS_FIXTURES = {"keras2", "keras3", "any_keras"}


def pytest_collection_modifyitems(items):
    """A test that uses a Keras fixture (directly, through another fixture, or by the name
    a parameter gives it) is in the Keras tier, whether or not its module says so:
    `-m "not keras"` leaves it out."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        named = {value for value in params.values() if isinstance(value, str)}
        if KERAS_FIXTURES & (set(getattr(item, "fixturenames", ())) | named):
            item.add_marker(pytest.mark.keras)
