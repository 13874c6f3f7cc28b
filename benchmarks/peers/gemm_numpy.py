"""The GEMM peer: float32 matrix products through numpy (OpenBLAS) at the shapes Kanna benchmarks.

Run with the reference environment's Python, e.g.
    /work/venv-ref/bin/python benchmarks/peers/gemm_numpy.py --threads 2
The thread count goes to OpenBLAS through OPENBLAS_NUM_THREADS (set here before numpy loads). Each
product is timed for about --seconds after a warm-up; best and median seconds per call and GFLOP/s
are printed (timing loop: kanna_harness.timings). gemm_side_by_side.py imports measure() from here to
alternate with Kanna.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kanna_harness import timings  # noqa: E402

# (name, layout, M, N, K): layouts as PeerHarness names them (nt = a·bᵀ, nn = a·b, tn = aᵀ·b).
SHAPES = [
    ("square 1024", "nt", 1024, 1024, 1024),
    ("MiniLM qkv/out fwd", "nt", 4096, 384, 384),
    ("MiniLM ffn up fwd", "nt", 4096, 1536, 384),
    ("MiniLM ffn down fwd", "nt", 4096, 384, 1536),
    ("MiniLM ffn up dIn", "nn", 4096, 384, 1536),
    ("MiniLM ffn up dW", "tn", 1536, 384, 4096),
    ("bert-base qkv/out fwd", "nt", 4096, 768, 768),
    ("bert-base ffn up fwd", "nt", 4096, 3072, 768),
    ("bert-base ffn down fwd", "nt", 4096, 768, 3072),
    ("bert-base ffn up dIn", "nn", 4096, 768, 3072),
    ("bert-base ffn up dW", "tn", 3072, 768, 4096),
]


def set_threads(threads):
    """Must run before numpy is imported: OpenBLAS reads the variable once, at load."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def operands(np, layout, m, n, k):
    rng = np.random.default_rng(42)
    def rand(*shape):
        return (rng.random(shape, dtype=np.float32) * 2 - 1)
    if layout == "nt":
        a, b = rand(m, k), rand(n, k)
        return lambda: a @ b.T
    if layout == "nn":
        a, b = rand(m, k), rand(k, n)
        return lambda: a @ b
    if layout == "tn":
        a, b = rand(k, m), rand(k, n)
        return lambda: a.T @ b
    raise ValueError(layout)


def measure(np, layout, m, n, k, seconds):
    """(best, median) seconds per call of one product, after a warm-up of ~0.3·seconds."""
    times = timings(operands(np, layout, m, n, k), seconds)
    return times[0], times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    set_threads(args.threads)
    import numpy as np
    print(f"numpy {np.__version__}, {args.threads} threads", file=sys.stderr)
    for name, layout, m, n, k in SHAPES:
        best, median = measure(np, layout, m, n, k, args.seconds)
        flop = 2.0 * m * n * k
        print(f"{name:24s} {layout} {m}x{n}x{k}: best {flop / best / 1e9:6.1f} GFLOP/s, median {flop / median / 1e9:6.1f}")


if __name__ == "__main__":
    main()
