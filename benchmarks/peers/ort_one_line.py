#!/usr/bin/env python3
"""The peer of a one-line `kanna embed`, as a whole process: reads one line from stdin, tokenizes it
with Hugging Face tokenizers (the model's tokenizer.json), runs the all-MiniLM-L6-v2 ONNX graph in
ONNX Runtime (2 intra-op threads), mean-pools the last hidden state over the attention mask and prints
the vector as one JSON array (what `kanna embed` prints). benchmarks/startup.sh times it.

    python3 ort_one_line.py MODEL_DIR MODEL.onnx < line.txt
"""
import json
import sys

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

model_dir, onnx_file = sys.argv[1], sys.argv[2]
tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
tokenizer.no_padding()
tokenizer.enable_truncation(128)
options = ort.SessionOptions()
options.intra_op_num_threads = 2
session = ort.InferenceSession(onnx_file, options, providers=["CPUExecutionProvider"])
enc = tokenizer.encode(sys.stdin.readline().rstrip("\n"))
feed = {"input_ids": np.array([enc.ids], dtype=np.int64),
        "attention_mask": np.array([enc.attention_mask], dtype=np.int64),
        "token_type_ids": np.array([enc.type_ids], dtype=np.int64)}
feed = {k: v for k, v in feed.items() if k in {i.name for i in session.get_inputs()}}
hidden = session.run(None, feed)[0]                       # (1, T, C)
mask = feed["attention_mask"][..., None].astype(np.float32)
print(json.dumps(((hidden * mask).sum(1) / mask.sum(1))[0].tolist()))
