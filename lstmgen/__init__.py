"""lstmgen: Keras model file in, one NumPy-only Python predictor out."""

__version__ = "0.1.0"
