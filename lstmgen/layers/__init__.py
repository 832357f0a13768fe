"""The layer registry: Keras class name -> the handler that translates it."""

from __future__ import annotations

from typing import Dict

from lstmgen.layers.activation import (
    build_activation,
    build_elu,
    build_leaky_relu,
    build_prelu,
    build_relu,
    build_softmax,
    build_thresholded_relu,
)
from lstmgen.layers.attention import build_attention, build_dot
from lstmgen.layers.base import Handler
from lstmgen.layers.conv_lstm import build_conv_lstm
from lstmgen.layers.convolution import build_conv
from lstmgen.layers.dense import build_dense
from lstmgen.layers.identity import build_identity
from lstmgen.layers.gru import build_cudnn_gru, build_gru
from lstmgen.layers.lstm import build_cudnn_lstm, build_lstm
from lstmgen.layers.masking import build_embedding, build_masking
from lstmgen.layers.merge import build_concatenate, build_merge
from lstmgen.layers.multi_head_attention import build_multi_head_attention
from lstmgen.layers.normalization import (
    build_batch_normalization,
    build_layer_normalization,
    build_unit_normalization,
)
from lstmgen.layers.pooling import build_global_pooling, build_pooling
from lstmgen.layers.preprocessing import build_normalization, build_rescaling
from lstmgen.layers.reshaping import (
    build_cropping,
    build_flatten,
    build_permute,
    build_repeat_vector,
    build_reshape,
    build_up_sampling,
    build_zero_padding,
)
from lstmgen.layers.rnn_cell import build_rnn
from lstmgen.layers.simple_rnn import build_simple_rnn
from lstmgen.layers.wrappers import build_bidirectional, build_time_distributed

REGISTRY: Dict[str, Handler] = {
    "LSTM": build_lstm,
    "CuDNNLSTM": build_cudnn_lstm,
    "GRU": build_gru,
    "CuDNNGRU": build_cudnn_gru,
    "SimpleRNN": build_simple_rnn,
    "RNN": build_rnn,
    "Bidirectional": build_bidirectional,
    "TimeDistributed": build_time_distributed,
    "Masking": build_masking,
    "Embedding": build_embedding,
    "Dense": build_dense,
    "Activation": build_activation,
    "Softmax": build_softmax,
    "ReLU": build_relu,
    "LeakyReLU": build_leaky_relu,
    "ELU": build_elu,
    "PReLU": build_prelu,
    "ThresholdedReLU": build_thresholded_relu,
    "Concatenate": build_concatenate,
    "Add": build_merge,
    "Subtract": build_merge,
    "Multiply": build_merge,
    "Average": build_merge,
    "Maximum": build_merge,
    "Minimum": build_merge,
    "Conv1D": build_conv,
    "Conv2D": build_conv,
    "Conv3D": build_conv,
    "ConvLSTM1D": build_conv_lstm,
    "ConvLSTM2D": build_conv_lstm,
    "ConvLSTM3D": build_conv_lstm,
    "MaxPooling1D": build_pooling,
    "MaxPool1D": build_pooling,
    "AveragePooling1D": build_pooling,
    "AvgPool1D": build_pooling,
    "MaxPooling2D": build_pooling,
    "MaxPool2D": build_pooling,
    "AveragePooling2D": build_pooling,
    "AvgPool2D": build_pooling,
    "MaxPooling3D": build_pooling,
    "MaxPool3D": build_pooling,
    "AveragePooling3D": build_pooling,
    "AvgPool3D": build_pooling,
    "GlobalMaxPooling1D": build_global_pooling,
    "GlobalMaxPool1D": build_global_pooling,
    "GlobalAveragePooling1D": build_global_pooling,
    "GlobalAvgPool1D": build_global_pooling,
    "GlobalMaxPooling2D": build_global_pooling,
    "GlobalMaxPool2D": build_global_pooling,
    "GlobalAveragePooling2D": build_global_pooling,
    "GlobalAvgPool2D": build_global_pooling,
    "GlobalMaxPooling3D": build_global_pooling,
    "GlobalMaxPool3D": build_global_pooling,
    "GlobalAveragePooling3D": build_global_pooling,
    "GlobalAvgPool3D": build_global_pooling,
    "BatchNormalization": build_batch_normalization,
    "LayerNormalization": build_layer_normalization,
    "UnitNormalization": build_unit_normalization,
    "Normalization": build_normalization,
    "Rescaling": build_rescaling,
    "Attention": build_attention,
    "AdditiveAttention": build_attention,
    "MultiHeadAttention": build_multi_head_attention,
    "Dot": build_dot,
    "Flatten": build_flatten,
    "Reshape": build_reshape,
    "Permute": build_permute,
    "RepeatVector": build_repeat_vector,
    "Cropping1D": build_cropping,
    "Cropping2D": build_cropping,
    "Cropping3D": build_cropping,
    "ZeroPadding1D": build_zero_padding,
    "ZeroPadding2D": build_zero_padding,
    "ZeroPadding3D": build_zero_padding,
    "UpSampling1D": build_up_sampling,
    "UpSampling2D": build_up_sampling,
    "UpSampling3D": build_up_sampling,
    "Dropout": build_identity,
    "SpatialDropout1D": build_identity,
    "SpatialDropout2D": build_identity,
    "SpatialDropout3D": build_identity,
    "ActivityRegularization": build_identity,
    "Identity": build_identity,
    "GaussianNoise": build_identity,
    "GaussianDropout": build_identity,
    "AlphaDropout": build_identity,
}
