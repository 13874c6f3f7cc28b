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
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gemm_numpy  # noqa: E402  (sets no threads on import)


def main():
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0, help="per side, shape and round")
    parser.add_argument("--jar", default=os.path.join(root, "benchmarks", "target", "benchmarks.jar"))
    parser.add_argument("--java", default=os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "java"))
    parser.add_argument("--only", default=None, help="substring of the shape names to run")
    parser.add_argument("--java-opts", default="", help="extra JVM options, e.g. -XX:MaxVectorSize=32 (AVX2 kernels)")
    args = parser.parse_args()
    if not os.path.exists(args.jar):
        sys.exit(f"missing {args.jar}: build it with mvn -pl benchmarks -am package -DskipTests")

    gemm_numpy.set_threads(args.threads)
    import numpy as np

    java = subprocess.Popen(
        [args.java, "--add-modules", "jdk.incubator.vector", "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0",
         "-XX:+UseParallelGC", f"-Dkanna.threads={args.threads}", *args.java_opts.split(),
         "-cp", args.jar, "dev.kanna.bench.PeerHarness"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    ready = java.stdout.readline().strip()
    print(f"kanna: {ready}\nnumpy {np.__version__} (OpenBLAS), {args.threads} threads; "
          f"{args.rounds} rounds x {args.seconds}s per side", flush=True)

    def kanna(layout, m, n, k):
        java.stdin.write(f"gemm {layout} {m} {n} {k} {args.seconds}\n")
        reply = java.stdout.readline().split()
        if not reply or reply[0] != "ok":
            sys.exit(f"harness: {' '.join(reply)}")
        return float(reply[1]), float(reply[2])

    print(f"{'shape':24s} {'layout':6s} {'M x N x K':16s} {'kanna GF/s':>10s} {'numpy GF/s':>10s} {'ratio':>6s}")
    for name, layout, m, n, k in gemm_numpy.SHAPES:
        if args.only and args.only not in name:
            continue
        flop = 2.0 * m * n * k
        ours, theirs, ratios = [], [], []
        for r in range(args.rounds):
            if r % 2 == 0:
                _, km = kanna(layout, m, n, k)
                _, nm = gemm_numpy.measure(np, layout, m, n, k, args.seconds)
            else:
                _, nm = gemm_numpy.measure(np, layout, m, n, k, args.seconds)
                _, km = kanna(layout, m, n, k)
            ours.append(flop / km / 1e9)
            theirs.append(flop / nm / 1e9)
            ratios.append(nm / km)
        print(f"{name:24s} {layout:6s} {f'{m}x{n}x{k}':16s} {statistics.median(ours):10.1f} "
              f"{statistics.median(theirs):10.1f} {statistics.median(ratios):6.2f}", flush=True)
    java.stdin.write("quit\n")
    java.stdin.flush()
    java.wait(timeout=30)


if __name__ == "__main__":
    main()
