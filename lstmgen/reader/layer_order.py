"""The order in which Keras lists a functional model's layers, computed from its graph.

In a .keras file a layer's weights are found by its class, counted in `model.layers`
order (`layers/dense`, `layers/dense_1`, ...). Keras builds that order from the graph
(`keras.src.ops.function.map_graph`: by depth from the outputs, then by first visit in a
depth-first walk from the outputs), not from the order of the config's list. Keras
writes the list in that order, so the two agree in every file Keras saved; a config
whose list was reordered would make lstmgen, counting in list order, give two layers of
one class each other's weights while Keras does not. lstmgen refuses such a file.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple

from lstmgen.reader.model_file import LayerSpec, TensorRef

Node = Tuple[str, int]  # (layer name, call index as the file numbers it)


def keras_layer_order(
    inputs: Sequence[str], outputs: Sequence[TensorRef], layers: Sequence[LayerSpec]
) -> Optional[List[str]]:
    """Layer names (InputLayers included) in Keras's `model.layers` order; None when the
    graph is not one Keras would build (lstmgen refuses those elsewhere)."""
    by_name = {layer.name: layer for layer in layers}
    parents: Dict[Node, List[Node]] = {}

    def parents_of(node: Node) -> Optional[List[Node]]:
        if node[0] in inputs:
            return []
        layer = by_name.get(node[0])
        calls = layer.calls if layer is not None else ()
        if node not in parents:
            if not 0 <= node[1] < len(calls) and len(calls) != 1:
                return None
            call = calls[node[1]] if 0 <= node[1] < len(calls) else calls[0]
            refs = list(call.inputs)
            for _, tensors in sorted(call.keywords):
                refs.extend(tensors)
            parents[node] = [(ref.layer, ref.node) for ref in refs]
        return parents[node]

    index: Dict[str, int] = {}
    finished: Dict[Node, None] = {}  # insertion order: the post-order walk
    walking: Set[Node] = set()
    # Iterative depth-first walk: (node, parents still to visit).
    stack: List[Tuple[Node, List[Node]]] = []

    def enter(node: Node) -> bool:
        """Start visiting `node`; False when its parents cannot be read."""
        found = parents_of(node)
        if found is None:
            return False
        index.setdefault(node[0], len(index))
        stack.append((node, list(reversed(found))))
        walking.add(node)
        return True

    for output in outputs:
        start = (output.layer, output.node)
        if start in finished:
            continue
        if not enter(start):
            return None
        while stack:
            node, pending = stack[-1]
            if not pending:
                stack.pop()
                walking.discard(node)
                finished[node] = None
                continue
            parent = pending.pop()
            if parent in walking:
                return None  # a cycle
            if parent not in finished and not enter(parent):
                return None
    node_depth: Dict[Node, int] = {}
    layer_depth: Dict[str, int] = {}
    for node in reversed(list(finished)):
        depth = max(node_depth.setdefault(node, 0), layer_depth.get(node[0], 0))
        layer_depth[node[0]] = node_depth[node] = depth
        for parent in parents_of(node) or []:
            node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for name in inputs:
        if name not in layer_depth:
            layer_depth[name], index[name] = 0, -1
    return sorted(layer_depth, key=lambda name: (-layer_depth[name], index[name]))
