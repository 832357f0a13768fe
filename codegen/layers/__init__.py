"""The layer registry: Keras class name -> the handler that translates it."""

from __future__ import annotations

from typing import Callable, Dict

from codegen.layers.activation import (
    build_activation,
    build_leaky_relu,
    build_relu,
    build_softmax,
)
from codegen.layers.base import Built, LayerContext
from codegen.layers.dense import build_dense
from codegen.layers.identity import build_identity
from codegen.layers.gru import build_cudnn_gru, build_gru
from codegen.layers.lstm import build_cudnn_lstm, build_lstm
from codegen.layers.masking import build_embedding, build_masking
from codegen.layers.simple_rnn import build_simple_rnn
from codegen.layers.wrappers import build_bidirectional, build_time_distributed

Handler = Callable[[LayerContext], Built]

REGISTRY: Dict[str, Handler] = {
    "LSTM": build_lstm,
    "CuDNNLSTM": build_cudnn_lstm,
    "GRU": build_gru,
    "CuDNNGRU": build_cudnn_gru,
    "SimpleRNN": build_simple_rnn,
    "Bidirectional": build_bidirectional,
    "TimeDistributed": build_time_distributed,
    "Masking": build_masking,
    "Embedding": build_embedding,
    "Dense": build_dense,
    "Activation": build_activation,
    "Softmax": build_softmax,
    "ReLU": build_relu,
    "LeakyReLU": build_leaky_relu,
    "Dropout": build_identity,
    "SpatialDropout1D": build_identity,
    "GaussianNoise": build_identity,
    "GaussianDropout": build_identity,
    "AlphaDropout": build_identity,
}
