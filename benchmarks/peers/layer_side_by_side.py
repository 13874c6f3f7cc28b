"""One BERT encoder layer, Kanna against PyTorch/transformers, in one invocation, alternating.

Kanna's side is benchmarks' EncoderLayer (the layer composed from Backend ops, the fused ones
included); the peer is transformers' BertLayer with the same sizes, the default (sdpa) attention, the
same additive padding mask (0 to 3/8 of each sequence padded) and thread count. Modes: infer (eval,
no grad) and train (train mode: dropout 0.1; forward, then backward of a fixed output gradient into
the input and every weight). Prints medians over rounds and the median per-round ratio (torch time /
Kanna time; > 1: Kanna faster).

    source bin/find-jdk.sh && mvn -B -q -ntp -pl benchmarks -am package -DskipTests
    /work/venv-ref/bin/python benchmarks/peers/layer_side_by_side.py --threads 2 --rounds 3
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kanna_harness import Kanna, add_common_flags, alternate, measure, medians  # noqa: E402

MODELS = [("MiniLM", 384, 12, 1536), ("bert-base", 768, 12, 3072)]


def torch_layer(torch, transformers, mode, b, t, c, heads, inter):
    config = transformers.BertConfig(hidden_size=c, num_attention_heads=heads, intermediate_size=inter,
                                     hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    config._attn_implementation = "sdpa"     # what from_pretrained picks by default; unset on a bare config
    layer = transformers.models.bert.modeling_bert.BertLayer(config)
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(b, t, c, generator=gen) * 2 - 1
    mask = torch.zeros(b, 1, 1, t)
    for s in range(b):
        pad = (s % 4) * t // 8
        if pad:
            mask[s, :, :, t - pad:] = torch.finfo(torch.float32).min
    d_out = torch.rand(b, t, c, generator=gen) * 2 - 1
    if mode == "infer":
        layer.eval()

        def run():
            with torch.no_grad():
                layer(x, attention_mask=mask)
        return run
    layer.train()
    x_leaf = x.clone().requires_grad_(True)

    def run():
        layer.zero_grad(set_to_none=False)
        x_leaf.grad = None
        out = layer(x_leaf, attention_mask=mask)
        out = out[0] if isinstance(out, tuple) else out
        out.backward(d_out)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_flags(parser, rounds=3, seconds=3.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=128)
    args = parser.parse_args()
    try:
        import torch
        import transformers
    except ImportError:
        sys.exit("PyTorch or transformers is missing from this Python: use the reference environment")
    torch.set_num_threads(args.threads)
    kanna = Kanna(args, heap="6g")
    print(f"kanna: {kanna.ready}\ntorch {torch.__version__}, transformers {transformers.__version__}, "
          f"{torch.get_num_threads()} threads; B={args.batch} T={args.seq}; {args.rounds} rounds x {args.seconds}s per side",
          flush=True)

    print(f"{'model':10s} {'mode':6s} {'kanna ms':>9s} {'torch ms':>9s} {'ratio':>6s}")
    for name, c, heads, inter in MODELS:
        for mode in ("infer", "train"):
            run = torch_layer(torch, transformers, mode, args.batch, args.seq, c, heads, inter)
            ours, theirs = alternate(
                args.rounds,
                lambda: float(kanna.request(f"layer {mode} {args.batch} {args.seq} {c} {heads} {inter} {args.seconds}")[1]),
                lambda: measure(run, args.seconds))
            k, p, ratio = medians(ours, theirs)
            print(f"{name:10s} {mode:6s} {1e3 * k:9.1f} {1e3 * p:9.1f} {ratio:6.2f}", flush=True)
    kanna.close()


if __name__ == "__main__":
    main()
