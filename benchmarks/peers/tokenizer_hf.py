#!/usr/bin/env python3
"""HF `tokenizers` (Rust) single-threaded encode throughput on Kanna's tokenizer corpus.

The peer of dev.kanna.bench.TokenizerBenchmark: the same tokenizer.json (MiniLM, presets off) and the
same 5,182 texts (tokenizer/src/test/resources/dev/kanna/tokenizer/conformance/corpus.json.gz), no
truncation, no padding, special tokens added. Two loops are timed:
  encode_batch  one call per pass over the corpus; the loop runs in Rust on one rayon thread
                (RAYON_NUM_THREADS=1): the fairest Rust-side number, reported as the peer
  encode        one Python call per text: adds the binding's per-call overhead, shown for reference
Prints tokens/s for each pass and the median.

Run from the repository root:
    /work/venv-ref/bin/python benchmarks/peers/tokenizer_hf.py [--seconds 10]
"""
import argparse
import gzip
import json
import os
import statistics
import time

os.environ["RAYON_NUM_THREADS"] = "1"        # must be set before tokenizers starts its thread pool
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import tokenizers  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

RES = "tokenizer/src/test/resources/dev/kanna/tokenizer"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0, help="measured time per loop kind")
    ap.add_argument("--warmup", type=float, default=3.0)
    args = ap.parse_args()
    with gzip.open(os.path.join(RES, "minilm", "tokenizer.json.gz"), "rt", encoding="utf-8") as f:
        tok = Tokenizer.from_str(f.read())
    tok.no_padding()
    tok.no_truncation()
    with gzip.open(os.path.join(RES, "conformance", "corpus.json.gz"), "rt", encoding="utf-8") as f:
        texts = json.load(f)["texts"]
    tokens_per_pass = sum(len(e.ids) for e in tok.encode_batch(texts))
    chars = sum(len(t) for t in texts)
    print("tokenizers %s, %d texts, %d chars, %d tokens per pass" % (tokenizers.__version__, len(texts), chars, tokens_per_pass))

    def batch_pass():
        tok.encode_batch(texts)

    def loop_pass():
        for t in texts:
            tok.encode(t)

    for name, one_pass in (("encode_batch (1 rayon thread)", batch_pass), ("encode per text", loop_pass)):
        end = time.perf_counter() + args.warmup
        while time.perf_counter() < end:
            one_pass()
        rates = []
        end = time.perf_counter() + args.seconds
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            one_pass()
            rates.append(tokens_per_pass / (time.perf_counter() - t0))
        print("%-30s median %.3f M tokens/s  (passes %d, min %.3f, max %.3f)"
              % (name, statistics.median(rates) / 1e6, len(rates), min(rates) / 1e6, max(rates) / 1e6))


if __name__ == "__main__":
    main()
