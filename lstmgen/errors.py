"""The one exception type the CLI turns into a clean one-line message."""


class LstmgenError(Exception):
    """A problem with the user's input: shown as one line, exit code 2."""


class LstmgenWarning(UserWarning):
    """Something the user should know; generation still succeeds."""


class PathError(LstmgenError):
    """A problem with a file other than the model (an output path, a predictor, an input
    array): its message names that file, not the model."""


class UnsupportedError(LstmgenError):
    """The model uses a layer or an option that lstmgen cannot translate."""


def layer_error(layer: str, class_name: str, message: str) -> UnsupportedError:
    """An UnsupportedError that names the layer and its class."""
    return UnsupportedError(f"layer '{layer}' ({class_name}): {message}")


def printable(text: object) -> str:
    """Text from a model file as shown to a user: control characters, line separators and
    lone surrogates as Python escapes, so a name cannot move the cursor or fake a line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
