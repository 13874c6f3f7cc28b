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
import statistics
import subprocess
import sys
import time

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


def measure(run, seconds):
    warm_until = time.perf_counter() + 0.3 * max(1.0, seconds)
    while time.perf_counter() < warm_until:
        run()
    times = []
    end = time.perf_counter() + seconds
    while len(times) < 3 or time.perf_counter() < end:
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.5, help="per side, case and round")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--jar", default=os.path.join(root, "benchmarks", "target", "benchmarks.jar"))
    parser.add_argument("--java", default=os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "java"))
    parser.add_argument("--java-opts", default="", help="extra JVM options")
    args = parser.parse_args()
    if not os.path.exists(args.jar):
        sys.exit(f"missing {args.jar}: build it with mvn -pl benchmarks -am package -DskipTests")
    try:
        import torch
    except ImportError:
        sys.exit("PyTorch is missing from this Python: run with the reference environment (see tools/reference)")
    torch.set_num_threads(args.threads)

    java = subprocess.Popen(
        [args.java, "--add-modules", "jdk.incubator.vector", "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0",
         "-XX:+UseParallelGC", "-Xmx4g", f"-Dkanna.threads={args.threads}", *args.java_opts.split(),
         "-cp", args.jar, "dev.kanna.bench.PeerHarness"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    print(f"kanna: {java.stdout.readline().strip()}\ntorch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"B={args.batch} T={args.seq}; {args.rounds} rounds x {args.seconds}s per side", flush=True)

    def kanna(mode, heads, hs):
        java.stdin.write(f"attention {mode} {args.batch} {args.seq} {heads} {hs} {args.seconds}\n")
        reply = java.stdout.readline().split()
        if not reply or reply[0] != "ok":
            sys.exit(f"harness: {' '.join(reply)}")
        return float(reply[2])

    print(f"{'model':10s} {'mode':6s} {'heads x hs':10s} {'kanna ms':>9s} {'torch ms':>9s} {'ratio':>6s}")
    for name, heads, hs in MODELS:
        for mode in ("infer", "train"):
            run = torch_attention(torch, mode, args.batch, args.seq, heads, hs)
            ours, theirs, ratios = [], [], []
            for r in range(args.rounds):
                if r % 2 == 0:
                    k = kanna(mode, heads, hs)
                    p = measure(run, args.seconds)
                else:
                    p = measure(run, args.seconds)
                    k = kanna(mode, heads, hs)
                ours.append(k)
                theirs.append(p)
                ratios.append(p / k)
            print(f"{name:10s} {mode:6s} {f'{heads}x{hs}':10s} {1e3 * statistics.median(ours):9.1f} "
                  f"{1e3 * statistics.median(theirs):9.1f} {statistics.median(ratios):6.2f}", flush=True)
    java.stdin.write("quit\n")
    java.stdin.flush()
    java.wait(timeout=30)


if __name__ == "__main__":
    main()
