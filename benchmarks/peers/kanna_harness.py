"""What the side-by-side scripts share: the common flags, Kanna's PeerHarness as a child process (a
line protocol: one request per line, `ok ...` or an error back), and the alternating rounds.

Each round runs one side then the other, and the order flips every round, so slow drifts in machine
load hit both sides alike.
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def add_common_flags(parser, rounds, seconds, what="case"):
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--seconds", type=float, default=seconds, help=f"per side, {what} and round")
    parser.add_argument("--jar", default=os.path.join(ROOT, "benchmarks", "target", "benchmarks.jar"))
    parser.add_argument("--java", default=os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "java"))
    parser.add_argument("--java-opts", default="", help="extra JVM options, e.g. -XX:MaxVectorSize=32 (AVX2 kernels)")


class Kanna:
    """dev.kanna.bench.PeerHarness from the benchmarks jar, with the given thread count and heap."""

    def __init__(self, args, heap="4g"):
        if not os.path.exists(args.jar):
            sys.exit(f"missing {args.jar}: build it with mvn -pl benchmarks -am package -DskipTests")
        self.process = subprocess.Popen(
            [args.java, "--add-modules", "jdk.incubator.vector", "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0",
             "-XX:+UseParallelGC", f"-Xmx{heap}", f"-Dkanna.threads={args.threads}", *args.java_opts.split(),
             "-cp", args.jar, "dev.kanna.bench.PeerHarness"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.ready = self.process.stdout.readline().strip()

    def request(self, line):
        """Sends one request; returns the reply's fields after "ok" (exits on anything else)."""
        self.process.stdin.write(line + "\n")
        reply = self.process.stdout.readline().split()
        if not reply or reply[0] != "ok":
            sys.exit(f"harness: {' '.join(reply) or 'no reply (the harness exited)'}")
        return reply[1:]

    def close(self):
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()
        self.process.wait(timeout=30)


def alternate(rounds, ours, theirs):
    """Runs ours() and theirs() once per round, ours first in even rounds; returns both lists of results."""
    a, b = [], []
    for r in range(rounds):
        if r % 2 == 0:
            a.append(ours())
            b.append(theirs())
        else:
            b.append(theirs())
            a.append(ours())
    return a, b


def timings(run, seconds):
    """Seconds per call of run(), sorted: at least 3 calls and about `seconds` of them, after a warm-up
    of ~0.3·seconds (at least 0.3 s)."""
    warm_until = time.perf_counter() + 0.3 * max(1.0, seconds)
    while time.perf_counter() < warm_until:
        run()
    times = []
    end = time.perf_counter() + seconds
    while len(times) < 3 or time.perf_counter() < end:
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return sorted(times)


def measure(run, seconds):
    """The median seconds per call of run() (see timings)."""
    times = timings(run, seconds)
    return times[len(times) // 2]


def medians(ours, theirs):
    """(median of ours, median of theirs, median per-round ratio theirs / ours: > 1 is Kanna faster)."""
    return (statistics.median(ours), statistics.median(theirs),
            statistics.median(t / o for o, t in zip(ours, theirs)))
