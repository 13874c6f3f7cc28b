"""Kanna's attention op against PyTorch's in one invocation, alternating, and the ratios.

The peer is what transformers' BertSelfAttention runs by default (attn_implementation="sdpa"): the
packed (B, T, 3C) projection split into heads, torch.nn.functional.scaled_dot_product_attention with
the additive padding mask, and the heads merged back to (B, T, C). Modes: infer (no grad, no dropout)
and train (dropout 0.1, forward then backward to the projection). Same shapes, inputs' distribution,
padding (0 to 3/8 of each sequence) and thread count on both sides; per round Kanna then torch or
torch then Kanna, alternating. Prints medians over rounds and the median per-round ratio
(torch time / Kanna time; > 1: Kanna faster).

    source bin/find-jdk.sh && mvn -B -q -ntp -pl benchmarks -am package -DskipTests
    /work/venv-ref/bin/python benchmarks/peers/attention_side_by_side.py --threads 2 --rounds 5
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kanna_harness import Kanna, add_common_flags, alternate, measure, medians  # noqa: E402

MODELS = [("MiniLM", 12, 32), ("bert-base", 12, 64)]


def torch_attention(torch, mode, b, t, heads, hs):
    c = heads * hs
    gen = torch.Generator().manual_seed(3)
    qkv = (torch.rand(b, t, 3 * c, generator=gen) * 2 - 1)
    mask = torch.zeros(b, 1, 1, t)
    for s in range(b):
        pad = (s % 4) * t // 8
        if pad:
            mask[s, :, :, t - pad:] = torch.finfo(torch.float32).min
    d_out = torch.rand(b, t, c, generator=gen) * 2 - 1

    def split(x):
        return x.view(b, t, heads, hs).transpose(1, 2)

    def forward(x, p):
        q, k, v = x.split(c, dim=2)
        o = torch.nn.functional.scaled_dot_product_attention(split(q), split(k), split(v), attn_mask=mask, dropout_p=p)
        return o.transpose(1, 2).reshape(b, t, c)

    if mode == "infer":
        def run():
            with torch.no_grad():
                forward(qkv, 0.0)
        return run
    qkv_leaf = qkv.clone().requires_grad_(True)

    def run():
        qkv_leaf.grad = None
        forward(qkv_leaf, 0.1).backward(d_out)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_flags(parser, rounds=5, seconds=1.5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=128)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("PyTorch is missing from this Python: run with the reference environment (see tools/reference)")
    torch.set_num_threads(args.threads)

    kanna = Kanna(args, heap="4g")
    print(f"kanna: {kanna.ready}\ntorch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"B={args.batch} T={args.seq}; {args.rounds} rounds x {args.seconds}s per side", flush=True)

    print(f"{'model':10s} {'mode':6s} {'heads x hs':10s} {'kanna ms':>9s} {'torch ms':>9s} {'ratio':>6s}")
    for name, heads, hs in MODELS:
        for mode in ("infer", "train"):
            run = torch_attention(torch, mode, args.batch, args.seq, heads, hs)
            ours, theirs = alternate(
                args.rounds,
                lambda: float(kanna.request(f"attention {mode} {args.batch} {args.seq} {heads} {hs} {args.seconds}")[1]),
                lambda: measure(run, args.seconds))
            k, p, ratio = medians(ours, theirs)
            print(f"{name:10s} {mode:6s} {f'{heads}x{hs}':10s} {1e3 * k:9.1f} {1e3 * p:9.1f} {ratio:6.2f}", flush=True)
    kanna.close()


if __name__ == "__main__":
    main()
