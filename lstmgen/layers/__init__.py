"""The layer registry: Keras class name -> the handler that translates it, and the call
signature that reading its calls from the file needs (lstmgen.layers.entry)."""

from __future__ import annotations

from typing import Dict

from lstmgen.layers.adaptive_pooling import build_adaptive_pooling
from lstmgen.layers.activation import build_activation, build_softmax
from lstmgen.layers.activation_ops import (
    AXIS_OPERATIONS,
    OPERATIONS,
    build_activation_op,
    build_axis_op,
)
from lstmgen.layers.attention import build_attention, build_dot
from lstmgen.layers.augmentation import build_augmentation, build_random_crop
from lstmgen.layers.entry import CallSignature, Entry
from lstmgen.layers.category_encoding import build_category_encoding
from lstmgen.layers.conv_lstm import build_conv_lstm
from lstmgen.layers.convolution import build_conv
from lstmgen.layers.conv_transpose import build_conv_transpose
from lstmgen.layers.dense import build_dense
from lstmgen.layers.depthwise_conv import build_depthwise_conv, build_separable_conv
from lstmgen.layers.discretization import build_discretization
from lstmgen.layers.einsum_dense import build_einsum_dense
from lstmgen.layers.identity import build_identity
from lstmgen.layers.integer_lookup import build_integer_lookup
from lstmgen.layers.group_normalization import build_group_normalization
from lstmgen.layers.group_query_attention import build_group_query_attention
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
from lstmgen.layers.rms_normalization import build_rms_normalization
from lstmgen.layers.resizing import build_center_crop, build_resizing
from lstmgen.layers.reshaping import (
    build_cropping,
    build_flatten,
    build_permute,
    build_repeat_vector,
    build_reshape,
    build_up_sampling,
    build_zero_padding,
)
from lstmgen.layers.relu import (
    build_elu,
    build_leaky_relu,
    build_prelu,
    build_relu,
    build_thresholded_relu,
)
from lstmgen.layers.rnn_cell import build_rnn
from lstmgen.layers.simple_rnn import build_simple_rnn
from lstmgen.layers.wrappers import build_bidirectional, build_time_distributed

# attention(query, value, key), each also by keyword; Keras 3 passes each one's mask
ATTENTION_CALL = CallSignature(("query", "value", "key"), mask_per_argument=True)

REGISTRY: Dict[str, Entry] = {
    "LSTM": Entry(build_lstm),
    "CuDNNLSTM": Entry(build_cudnn_lstm),
    "GRU": Entry(build_gru),
    "CuDNNGRU": Entry(build_cudnn_gru),
    "SimpleRNN": Entry(build_simple_rnn),
    "RNN": Entry(build_rnn),
    "Bidirectional": Entry(build_bidirectional),
    "TimeDistributed": Entry(build_time_distributed),
    "Masking": Entry(build_masking),
    "Embedding": Entry(build_embedding),
    "Dense": Entry(build_dense),
    "EinsumDense": Entry(build_einsum_dense),
    "Activation": Entry(build_activation),
    "Softmax": Entry(build_softmax),
    "ReLU": Entry(build_relu),
    "LeakyReLU": Entry(build_leaky_relu),
    "ELU": Entry(build_elu),
    "PReLU": Entry(build_prelu),
    "ThresholdedReLU": Entry(build_thresholded_relu),
    "Concatenate": Entry(build_concatenate),
    "Add": Entry(build_merge),
    "Subtract": Entry(build_merge),
    "Multiply": Entry(build_merge),
    "Average": Entry(build_merge),
    "Maximum": Entry(build_merge),
    "Minimum": Entry(build_merge),
    "Conv1D": Entry(build_conv),
    "Conv2D": Entry(build_conv),
    "Conv3D": Entry(build_conv),
    "Conv1DTranspose": Entry(build_conv_transpose),
    "Conv2DTranspose": Entry(build_conv_transpose),
    "Conv3DTranspose": Entry(build_conv_transpose),
    "DepthwiseConv1D": Entry(build_depthwise_conv),
    "DepthwiseConv2D": Entry(build_depthwise_conv),
    "SeparableConv1D": Entry(build_separable_conv),
    "SeparableConv2D": Entry(build_separable_conv),
    "ConvLSTM1D": Entry(build_conv_lstm),
    "ConvLSTM2D": Entry(build_conv_lstm),
    "ConvLSTM3D": Entry(build_conv_lstm),
    "MaxPooling1D": Entry(build_pooling),
    "MaxPool1D": Entry(build_pooling),
    "AveragePooling1D": Entry(build_pooling),
    "AvgPool1D": Entry(build_pooling),
    "MaxPooling2D": Entry(build_pooling),
    "MaxPool2D": Entry(build_pooling),
    "AveragePooling2D": Entry(build_pooling),
    "AvgPool2D": Entry(build_pooling),
    "MaxPooling3D": Entry(build_pooling),
    "MaxPool3D": Entry(build_pooling),
    "AveragePooling3D": Entry(build_pooling),
    "AvgPool3D": Entry(build_pooling),
    "GlobalMaxPooling1D": Entry(build_global_pooling),
    "GlobalMaxPool1D": Entry(build_global_pooling),
    "GlobalAveragePooling1D": Entry(build_global_pooling),
    "GlobalAvgPool1D": Entry(build_global_pooling),
    "GlobalMaxPooling2D": Entry(build_global_pooling),
    "GlobalMaxPool2D": Entry(build_global_pooling),
    "GlobalAveragePooling2D": Entry(build_global_pooling),
    "GlobalAvgPool2D": Entry(build_global_pooling),
    "GlobalMaxPooling3D": Entry(build_global_pooling),
    "GlobalMaxPool3D": Entry(build_global_pooling),
    "GlobalAveragePooling3D": Entry(build_global_pooling),
    "GlobalAvgPool3D": Entry(build_global_pooling),
    "AdaptiveAveragePooling1D": Entry(build_adaptive_pooling),
    "AdaptiveAveragePooling2D": Entry(build_adaptive_pooling),
    "AdaptiveAveragePooling3D": Entry(build_adaptive_pooling),
    "AdaptiveMaxPooling1D": Entry(build_adaptive_pooling),
    "AdaptiveMaxPooling2D": Entry(build_adaptive_pooling),
    "AdaptiveMaxPooling3D": Entry(build_adaptive_pooling),
    "BatchNormalization": Entry(build_batch_normalization),
    "LayerNormalization": Entry(build_layer_normalization),
    "UnitNormalization": Entry(build_unit_normalization),
    "GroupNormalization": Entry(build_group_normalization),
    "RMSNormalization": Entry(build_rms_normalization),
    "Normalization": Entry(build_normalization),
    "Rescaling": Entry(build_rescaling),
    "CategoryEncoding": Entry(build_category_encoding),
    "Discretization": Entry(build_discretization),
    "IntegerLookup": Entry(build_integer_lookup),
    "Attention": Entry(build_attention),
    "AdditiveAttention": Entry(build_attention),
    # mha(query, value, key), each also by keyword; Keras 3 passes each one's mask
    "MultiHeadAttention": Entry(build_multi_head_attention, ATTENTION_CALL),
    # gqa(query, value, key) like MultiHeadAttention; .h5 files name its Python class
    "GroupQueryAttention": Entry(build_group_query_attention, ATTENTION_CALL),
    "GroupedQueryAttention": Entry(build_group_query_attention, ATTENTION_CALL),
    "Dot": Entry(build_dot),
    "Flatten": Entry(build_flatten),
    "Reshape": Entry(build_reshape),
    "Permute": Entry(build_permute),
    "RepeatVector": Entry(build_repeat_vector),
    "Cropping1D": Entry(build_cropping),
    "Cropping2D": Entry(build_cropping),
    "Cropping3D": Entry(build_cropping),
    "ZeroPadding1D": Entry(build_zero_padding),
    "ZeroPadding2D": Entry(build_zero_padding),
    "ZeroPadding3D": Entry(build_zero_padding),
    "UpSampling1D": Entry(build_up_sampling),
    "UpSampling2D": Entry(build_up_sampling),
    "UpSampling3D": Entry(build_up_sampling),
    "Resizing": Entry(build_resizing),
    "CenterCrop": Entry(build_center_crop),
    "Dropout": Entry(build_identity),
    "SpatialDropout1D": Entry(build_identity),
    "SpatialDropout2D": Entry(build_identity),
    "SpatialDropout3D": Entry(build_identity),
    "ActivityRegularization": Entry(build_identity),
    "Identity": Entry(build_identity),
    "GaussianNoise": Entry(build_identity),
    "GaussianDropout": Entry(build_identity),
    "AlphaDropout": Entry(build_identity),
    "RandomFlip": Entry(build_augmentation),
    "RandomRotation": Entry(build_augmentation),
    "RandomZoom": Entry(build_augmentation),
    "RandomTranslation": Entry(build_augmentation),
    "RandomContrast": Entry(build_augmentation),
    "RandomBrightness": Entry(build_augmentation),
    "RandomHue": Entry(build_augmentation),
    "RandomSaturation": Entry(build_augmentation),
    "RandomSharpness": Entry(build_augmentation),
    "RandomHeight": Entry(build_augmentation),
    "RandomWidth": Entry(build_augmentation),
    "RandomCrop": Entry(build_random_crop),
    # Keras 3's activation operations (keras.ops.tanh(x) in a functional model), by class
    **{name: Entry(build_activation_op) for name in OPERATIONS},
    **{name: Entry(build_axis_op) for name in AXIS_OPERATIONS},
}
