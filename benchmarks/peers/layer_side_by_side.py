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
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from attention_side_by_side import measure  # noqa: E402

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
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="per side, case and round")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--jar", default=os.path.join(root, "benchmarks", "target", "benchmarks.jar"))
    parser.add_argument("--java", default=os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "java"))
    args = parser.parse_args()
    if not os.path.exists(args.jar):
        sys.exit(f"missing {args.jar}: build it with mvn -pl benchmarks -am package -DskipTests")
    try:
        import torch
        import transformers
    except ImportError:
        sys.exit("PyTorch or transformers is missing from this Python: use the reference environment")
    torch.set_num_threads(args.threads)
    java = subprocess.Popen(
        [args.java, "--add-modules", "jdk.incubator.vector", "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0",
         "-XX:+UseParallelGC", "-Xmx6g", f"-Dkanna.threads={args.threads}", "-cp", args.jar,
         "dev.kanna.bench.PeerHarness"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    print(f"kanna: {java.stdout.readline().strip()}\ntorch {torch.__version__}, transformers {transformers.__version__}, "
          f"{torch.get_num_threads()} threads; B={args.batch} T={args.seq}; {args.rounds} rounds x {args.seconds}s per side",
          flush=True)

    def kanna(mode, c, heads, inter):
        java.stdin.write(f"layer {mode} {args.batch} {args.seq} {c} {heads} {inter} {args.seconds}\n")
        reply = java.stdout.readline().split()
        if not reply or reply[0] != "ok":
            sys.exit(f"harness: {' '.join(reply)}")
        return float(reply[2])

    print(f"{'model':10s} {'mode':6s} {'kanna ms':>9s} {'torch ms':>9s} {'ratio':>6s}")
    for name, c, heads, inter in MODELS:
        for mode in ("infer", "train"):
            run = torch_layer(torch, transformers, mode, args.batch, args.seq, c, heads, inter)
            ours, theirs, ratios = [], [], []
            for r in range(args.rounds):
                if r % 2 == 0:
                    k = kanna(mode, c, heads, inter)
                    p = measure(run, args.seconds)
                else:
                    p = measure(run, args.seconds)
                    k = kanna(mode, c, heads, inter)
                ours.append(k)
                theirs.append(p)
                ratios.append(p / k)
            print(f"{name:10s} {mode:6s} {1e3 * statistics.median(ours):9.1f} {1e3 * statistics.median(theirs):9.1f} "
                  f"{statistics.median(ratios):6.2f}", flush=True)
    java.stdin.write("quit\n")
    java.stdin.flush()
    java.wait(timeout=60)


if __name__ == "__main__":
    main()
