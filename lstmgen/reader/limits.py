"""Every cap on what a model file may make lstmgen read, in one place.

A model file comes from outside. Real Keras files stay far below each of these; a file
beyond one is refused with a message naming the cap, before the work it would cause.
docs/security.md lists them with the time and memory a refusal takes.
"""

from __future__ import annotations

# The file itself: all weights at their cap, plus room for configs and HDF5's structures.
MAX_WEIGHT_BYTES = 4 << 30  # all weight arrays of a model together, in memory
MAX_ARRAY_BYTES = 2 << 30  # one weight array
MAX_FILE_BYTES = MAX_WEIGHT_BYTES + (1 << 30)
MAX_WEIGHT_ARRAYS = 1 << 16  # weight arrays read, every reference counted

# Bytes in memory per byte stored, once more than EXPANSION_CHECKED_FROM bytes have been
# read: an unwritten dataset (pure fill value), compression, or many references to one
# stored array can all stand for far more memory than the file holds.
MAX_EXPANSION = 100
EXPANSION_CHECKED_FROM = 1 << 20

# .keras zip members: (largest unpacked size, largest compression ratio above 1 MiB).
ZIP_MEMBER_LIMITS = {
    "config.json": (64 << 20, 200),
    "metadata.json": (1 << 20, 200),
    # All weights, plus room for HDF5's own structures.
    "model.weights.h5": (MAX_WEIGHT_BYTES + (256 << 20), MAX_EXPANSION),
}
MAX_ZIP_MEMBERS = 10_000  # Keras writes three, plus assets of preprocessing layers
# The zip's central directory, which zipfile parses whole (about 0.5 KB of memory and
# 10 us per entry) whatever its end record declares: 1 KiB per member allowed.
MAX_ZIP_DIRECTORY_BYTES = MAX_ZIP_MEMBERS * 1024
# All other members together, unpacked: lstmgen reads only assets/ of them, but Keras's loader
# unpacks every member to disk when there are more than three (its "assets"), each up
# to 256 MiB unchecked. The assets lstmgen reads (below) count too.
MAX_OTHER_MEMBER_BYTES = 64 << 20
# assets/...: files of preprocessing layers (an adapted IntegerLookup's vocabulary.txt),
# each (size, ratio) as above, and all of them together.
# (16 MiB: two million integer tokens, parsed line by line as Keras's load_assets does)
ASSET_LIMITS = (16 << 20, 200)
MAX_ASSET_BYTES = 16 << 20

MAX_ATTRIBUTE_BYTES = 64 << 20  # an HDF5 attribute: the model config is the largest
MAX_ATTRIBUTE_ITEMS = 1 << 20  # entries of an attribute array (weight and layer names)

# The model config: how deeply JSON may nest (real configs: about 30 levels), how long a
# name may be, and how large the graph may grow once nested models are expanded.
MAX_JSON_DEPTH = 200
MAX_NAME_LENGTH = 1024  # characters of one name: a layer, input, output or model
MAX_LAYER_CALLS = 8192  # layer calls after expansion (large real models: about 1,000)
MAX_INPUTS = 1024
MAX_OUTPUTS = 1024

# Reading runs in a child process (lstmgen.reader.isolation) whose address space may grow
# by at most READ_OVERHEAD plus MAX_EXPANSION times the file's size, and never beyond
# READ_MEMORY: a corrupt file can send libhdf5 into a loop that allocates without end (a
# broken local heap the fuzz test found allocated 24 GB). The child is stopped after
# READ_SECONDS plus one second per READ_BYTES_PER_SECOND of file.
READ_MEMORY = MAX_WEIGHT_BYTES + (2 << 30)
READ_OVERHEAD = 256 << 20  # libhdf5 and Python; a config is parsed within 100x the file
READ_SECONDS = 30
READ_BYTES_PER_SECOND = 20 << 20


def read_memory(file_size: int) -> int:
    """How much the reading of a file of `file_size` bytes may add to the address space."""
    return min(READ_MEMORY, READ_OVERHEAD + MAX_EXPANSION * file_size)


def read_seconds(file_size: int) -> float:
    """How long the reading of a file of `file_size` bytes may take."""
    return READ_SECONDS + file_size / READ_BYTES_PER_SECOND
