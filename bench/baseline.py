"""Hand-written NumPy, in the style people write by hand: four gate matmuls per step."""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_by_hand(x, kernel, recurrent, bias, return_sequences):
    units = recurrent.shape[0]
    W = [kernel[:, k * units : (k + 1) * units] for k in range(4)]
    U = [recurrent[:, k * units : (k + 1) * units] for k in range(4)]
    b = [bias[k * units : (k + 1) * units] for k in range(4)]
    h = np.zeros((x.shape[0], units), np.float32)
    c = np.zeros((x.shape[0], units), np.float32)
    outputs = []
    for t in range(x.shape[1]):
        xt = x[:, t]
        i = sigmoid(xt @ W[0] + h @ U[0] + b[0])
        f = sigmoid(xt @ W[1] + h @ U[1] + b[1])
        g = np.tanh(xt @ W[2] + h @ U[2] + b[2])
        o = sigmoid(xt @ W[3] + h @ U[3] + b[3])
        c = f * c + i * g
        h = o * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, axis=1) if return_sequences else h


def gru_by_hand(x, kernel, recurrent, bias):
    units = recurrent.shape[0]
    W = [kernel[:, k * units : (k + 1) * units] for k in range(3)]
    U = [recurrent[:, k * units : (k + 1) * units] for k in range(3)]
    bi = [bias[0, k * units : (k + 1) * units] for k in range(3)]
    br = [bias[1, k * units : (k + 1) * units] for k in range(3)]
    h = np.zeros((x.shape[0], units), np.float32)
    for t in range(x.shape[1]):
        xt = x[:, t]
        z = sigmoid(xt @ W[0] + bi[0] + h @ U[0] + br[0])
        r = sigmoid(xt @ W[1] + bi[1] + h @ U[1] + br[1])
        g = np.tanh(xt @ W[2] + bi[2] + r * (h @ U[2] + br[2]))
        h = z * h + (1 - z) * g
    return h


def dense_by_hand(x, kernel, bias, activation=None):
    y = x @ kernel + bias
    if activation == "softmax":
        e = np.exp(y - y.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    return y


def baseline_for(model):
    """A by-hand predict function for the benchmark's Sequential models."""
    steps = []
    for layer in model.layers:
        name = type(layer).__name__
        weights = [np.asarray(w) for w in layer.get_weights()]
        if name == "LSTM":
            steps.append(lambda x, w=weights, s=layer.return_sequences: lstm_by_hand(x, *w, s))
        elif name == "GRU":
            steps.append(lambda x, w=weights: gru_by_hand(x, *w))
        elif name == "Bidirectional":
            forward, backward = weights[:3], weights[3:]
            steps.append(
                lambda x, f=forward, b=backward: np.concatenate(
                    [lstm_by_hand(x, *f, False), lstm_by_hand(x[:, ::-1], *b, False)], axis=-1
                )
            )
        elif name == "Dense":
            activation = layer.get_config()["activation"]
            steps.append(lambda x, w=weights, a=activation: dense_by_hand(x, *w, a))
        else:
            raise ValueError(f"no by-hand version of {name}")

    def predict(x):
        for step in steps:
            x = step(x)
        return x

    return predict
