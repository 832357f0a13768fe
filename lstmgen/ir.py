"""The intermediate representation: everything the emitter needs, decided up front."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, FrozenSet, Optional, Tuple

import numpy as np

Shape = Tuple[Optional[int], ...]


@dataclass(frozen=True)
class Tensor:
    """A value flowing between layers: its Python variable name and Keras shape."""

    var: str
    shape: Shape
    mask: Optional[str] = None  # variable holding its (batch, steps) boolean mask, if any


@dataclass(frozen=True)
class Weight:
    """A module-level constant in the generated file, bit-exact with the model file."""

    var: str
    # float32; not in the repr, by which a shared layer's calls compare their params
    array: np.ndarray = field(repr=False)
    comment: str  # what it is, e.g. "W: (input_dim, 4*units), gate blocks i|f|c|o"


@dataclass(frozen=True)
class Params:
    """What one template family prints: its handler computes every number and finished
    expression in it; the template (`template`, in templates/) only lays them out."""

    template: ClassVar[str]


@dataclass(frozen=True)
class Work:
    """What a layer's function does beyond reading and writing its tensors, as its handler
    declares it: what the cost budget (lstmgen/cost.py) estimates before anything runs."""

    window: int = 1  # input cells each output value reads (pooling, convolution windows)
    table: bool = False  # its weights are looked up by index, not multiplied (Embedding)
    time_axis: Optional[int] = None  # the input axis whose steps run one at a time
    cells: int = 1  # recurrent cells run at each of those steps
    unrolled: int = 0  # timesteps written out one by one, cells counted (source lines)
    pairwise: bool = False  # scores every query against every key (attention, Dot)
    scores_per_pair: int = 1  # numbers kept per query x key pair (heads)
    pair_width: bool = False  # each pair also costs the feature width (concat, additive)
    inner: Tuple["Node", ...] = ()  # the nodes a wrapper runs (Bidirectional, TimeDistributed)
    scratch: int = 0  # numbers in the largest array it makes on the way, if not its windows


@dataclass(frozen=True)
class FusedCall:
    """One function that computes a chain of nodes at once (stacked recurrent layers
    fused into one loop): its name, its params (their template) and its inputs."""

    func: str
    params: Params
    inputs: Tuple[Tensor, ...]


@dataclass(frozen=True)
class Node:
    """One layer call: a generated function `func(inputs) -> outputs` from a template."""

    layer_name: str  # the Keras name, for comments and the summary table
    class_name: str
    func: str  # identifier of the generated function
    params: Params  # everything its template prints
    weights: Tuple[Weight, ...]
    inputs: Tuple[Tensor, ...]
    outputs: Tuple[Tensor, ...]
    alias: bool = False  # identity at inference: outputs are the inputs
    define: bool = True  # False for a repeated call of a shared layer's function
    mask_arg: bool = False  # the function takes the input's mask as its last argument
    mask_out: bool = False  # the function returns a new mask after its outputs
    step: Optional[str] = None  # how step() runs it: "same", "cell", "inner" (see Built)
    states: Tuple[Tuple[int, ...], ...] = ()  # each recurrent state's shape without the batch axis
    stateful: bool = False  # keeps its states between predict() calls
    token_ids: bool = False  # its input holds integer token ids (Embedding)
    sample_ids: Tuple[int, ...] = ()  # ids it surely accepts (empty: 0 and 1)
    derived: Tuple[Tuple[str, str, str], ...] = ()  # (variable, expression, comment)
    work: Work = Work()  # for the cost budget
    # What it computes as the Keras version that saved the file does, where the other
    # version computes differently (e.g. that version's hard_sigmoid): for the header.
    semantics: Tuple[str, ...] = ()
    # Fused recurrent layers: the last node of a chain calls the fused function in
    # predict() (`fused`); the nodes before it are computed there (`fused_into` names it).
    # Their own functions stay: step() and large batches run them.
    fused: Optional[FusedCall] = None
    fused_into: Optional[str] = None

    @property
    def template(self) -> str:
        """The template that writes its function."""
        return self.params.template

    @property
    def param_count(self) -> int:
        """How many numbers its weights hold."""
        return int(sum(weight.array.size for weight in self.weights))

    @property
    def state_outputs(self) -> Tuple[Tensor, ...]:
        """A recurrent layer's returned states (return_state): its outputs after the first."""
        return self.outputs[1:]


@dataclass(frozen=True)
class ModelGraph:
    """The whole model, nodes in topological order."""

    source_name: str
    sha256: str
    keras_version: str
    keras_major: int
    model_name: str
    input_names: Tuple[str, ...]  # Keras names, in the model's input order
    output_names: Tuple[str, ...]
    inputs: Tuple[Tensor, ...]
    input_dtypes: Tuple[str, ...]
    outputs: Tuple[Tensor, ...]
    nodes: Tuple[Node, ...]
    helpers: FrozenSet[str]  # helper functions (activations) the module must define
    flags: str = ""  # the generation options, as command-line flags
    float_type: str = "float32"  # the dtype of all the math: float32 as Keras, or float64
    weights_file: bool = False  # weights, self-test vector and sha256 in a sibling .npz
    streamable: bool = False  # step() can feed the model one timestep at a time
    stateful_batch: Optional[int] = None  # the fixed batch size of a stateful model
    # Per input, the ids the self-test draws from where its readers accept only some
    # (an IntegerLookup without OOV indices); empty: 0 and 1.
    input_ids: Tuple[Tuple[int, ...], ...] = ()

    @property
    def keras1(self) -> bool:
        """Saved by Keras 1, whose files are read as Keras 2's."""
        return self.keras_version.startswith("1.")

    @property
    def semantics(self) -> Tuple[str, ...]:
        """Every node's version-dependent semantics, once each, in node order."""
        return tuple(dict.fromkeys(line for node in self.nodes for line in node.semantics))


def shape_text(shape: Shape) -> str:
    """(None, 32, 5) -> '(batch, 32, 5)'."""
    parts = ["batch" if k == 0 and n is None else str(n) for k, n in enumerate(shape)]
    return "(" + ", ".join(parts) + ")"
