"""The one exception type the CLI turns into a clean one-line message."""


class LstmgenError(Exception):
    """A problem with the user's input: shown as one line, exit code 2."""


class UnsupportedError(LstmgenError):
    """The model uses a layer or an option that lstmgen cannot translate."""


def layer_error(layer: str, class_name: str, message: str) -> UnsupportedError:
    """An UnsupportedError that names the layer and its class."""
    return UnsupportedError(f"layer '{layer}' ({class_name}): {message}")
