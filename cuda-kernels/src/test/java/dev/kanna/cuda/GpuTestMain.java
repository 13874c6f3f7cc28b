/*
 * Runs the GPU test suite without Maven (on the lent GPU machine, from benchmarks/gpu/check.sh): the
 * Cuda*Test classes through the JUnit Platform launcher, one line per test, the failures with their
 * stack traces, and exit status 1 when anything failed or nothing ran (no GPU: all skipped).
 */
package dev.kanna.cuda;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

public final class GpuTestMain {
    private GpuTestMain() {
    }

    /** The GPU suite, named explicitly (no class-path scanning: fewer ways to find nothing). */
    static final List<Class<?>> SUITE = List.of(CudaBackendProviderTest.class, CudaOpsTest.class, CudaGemmTest.class,
            CudaAttentionTest.class);

    public static void main(String[] args) {
        List<Class<?>> classes = new ArrayList<>(SUITE);
        if (args.length > 0) classes.removeIf(c -> !c.getSimpleName().matches(args[0]));   // e.g. "CudaGemm.*"
        LauncherDiscoveryRequest request = request()
                .selectors(classes.stream().map(DiscoverySelectors::selectClass).toList())
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener lines = new TestExecutionListener() {
            private final long[] started = new long[1];

            @Override
            public void executionStarted(TestIdentifier id) {
                started[0] = System.nanoTime();
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("SKIP  " + id.getDisplayName() + " — " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) return;
                String status = switch (result.getStatus()) {
                    case SUCCESSFUL -> "PASS ";
                    case ABORTED -> "ABORT";
                    case FAILED -> "FAIL ";
                };
                String where = id.getLegacyReportingName();
                String why = result.getThrowable().map(t -> " — " + t.getMessage()).orElse("");
                System.out.printf("%s %-60s %6.2f s%s%n", status, where, (System.nanoTime() - started[0]) / 1e9, why);
            }
        };
        launcher.execute(request, summary, lines);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 25);
        s.printTo(out);
        long failed = s.getTotalFailureCount(), passed = s.getTestsSucceededCount();
        boolean allRan = passed > 0 && s.getTestsAbortedCount() == 0 && s.getContainersAbortedCount() == 0
                && s.getTestsSkippedCount() == 0;
        if (failed > 0) {
            System.out.println("GPU TESTS: " + failed + " FAILED, " + passed + " passed");
        } else if (!allRan) {
            System.out.println("GPU TESTS: NOT RUN or partly skipped (" + passed + " passed, " + s.getTestsAbortedCount()
                    + " tests and " + s.getContainersAbortedCount() + " classes aborted: see the SKIP/ABORT lines)");
        } else {
            System.out.println("GPU TESTS: all " + passed + " passed");
        }
        System.exit(failed == 0 && allRan ? 0 : 1);
    }
}
