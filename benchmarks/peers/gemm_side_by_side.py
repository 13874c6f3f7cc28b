"""Kanna's GEMM against numpy's (OpenBLAS) in one invocation, alternating, and the ratios.

Starts Kanna's PeerHarness (from the benchmarks jar) as a child process and numpy in this process,
with the same thread count, and for each shape and round measures Kanna then numpy (or numpy then
Kanna, alternating the order each round) for --seconds each, so slow drifts in machine load hit both
alike. Prints per shape the median over rounds of each side's median GFLOP/s and of the per-round
ratio Kanna/numpy (> 1: Kanna faster).

    source bin/find-jdk.sh && mvn -B -q -ntp -pl benchmarks -am package -DskipTests
    /work/venv-ref/bin/python benchmarks/peers/gemm_side_by_side.py --threads 2 --rounds 5
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gemm_numpy  # noqa: E402  (sets no threads on import)
from kanna_harness import Kanna, add_common_flags, alternate  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_flags(parser, rounds=5, seconds=1.0, what="shape")
    parser.add_argument("--only", default=None, help="substring of the shape names to run")
    args = parser.parse_args()

    gemm_numpy.set_threads(args.threads)
    import numpy as np

    kanna = Kanna(args)
    print(f"kanna: {kanna.ready}\nnumpy {np.__version__} (OpenBLAS), {args.threads} threads; "
          f"{args.rounds} rounds x {args.seconds}s per side", flush=True)

    print(f"{'shape':24s} {'layout':6s} {'M x N x K':16s} {'kanna GF/s':>10s} {'numpy GF/s':>10s} {'ratio':>6s}")
    for name, layout, m, n, k in gemm_numpy.SHAPES:
        if args.only and args.only not in name:
            continue
        flop = 2.0 * m * n * k
        ours, theirs = alternate(
            args.rounds,
            lambda: float(kanna.request(f"gemm {layout} {m} {n} {k} {args.seconds}")[1]),
            lambda: gemm_numpy.measure(np, layout, m, n, k, args.seconds)[1])
        ratios = [t / o for o, t in zip(ours, theirs)]
        print(f"{name:24s} {layout:6s} {f'{m}x{n}x{k}':16s} {statistics.median(flop / o / 1e9 for o in ours):10.1f} "
              f"{statistics.median(flop / t / 1e9 for t in theirs):10.1f} {statistics.median(ratios):6.2f}", flush=True)
    kanna.close()


if __name__ == "__main__":
    main()
