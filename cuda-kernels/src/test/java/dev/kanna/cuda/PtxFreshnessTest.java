/*
 * The committed PTX must be exactly what build-ptx.sh makes from the committed sources (so nobody
 * ships kernels older than their .cu), and ptxas must accept every file for Hopper (sm_90; sm_90a for
 * the wgmma module) without warnings. Without nvcc/ptxas on the machine these checks skip with a reason.
 */
package dev.kanna.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PtxFreshnessTest {

    private static final Path RESOURCES = Path.of("src/main/resources/dev/kanna/cuda");
    private static final Path SOURCES = Path.of("src/main/cuda");

    private static List<Path> ptxFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".ptx")).sorted().toList();
        }
    }

    /** The "Cuda compilation tools, release …" line of a PTX header. */
    private static String compilerLine(Path ptx) throws IOException {
        try (Stream<String> lines = Files.lines(ptx)) {
            return lines.limit(10).filter(l -> l.contains("Cuda compilation tools")).findFirst().orElse("?");
        }
    }

    @Test
    void everySourceHasItsCommittedPtx() throws IOException {
        TreeSet<String> sources = new TreeSet<>(), ptx = new TreeSet<>();
        try (Stream<Path> s = Files.list(SOURCES)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu")).forEach(n -> sources.add(n.replace(".cu", "")));
        }
        for (Path p : ptxFiles(RESOURCES)) ptx.add(p.getFileName().toString().replace(".ptx", ""));
        assertEquals(sources, ptx, "one committed .ptx per .cu in " + SOURCES + " (run cuda-kernels/build-ptx.sh)");
        assertEquals(new TreeSet<>(List.of(Kernels.MODULES)), sources, "Kernels.MODULES lists every kernel family");
    }

    @Test
    void committedPtxMatchesSources(@TempDir Path fresh) throws Exception {
        assumeTrue(Tools.find("nvcc").isPresent(), "nvcc not on PATH: cannot regenerate the PTX to compare");
        Tools.Result r = Tools.run(List.of("bash", "build-ptx.sh", fresh.toString()), null, null, 600);
        assertEquals(0, r.exitCode(), "build-ptx.sh failed:\n" + r.output());
        List<Path> committed = ptxFiles(RESOURCES);
        assertFalse(committed.isEmpty());
        String ours = compilerLine(fresh.resolve(committed.getFirst().getFileName()));
        String theirs = compilerLine(committed.getFirst());
        assumeTrue(ours.equals(theirs), "the committed PTX was made by a different nvcc (" + theirs.strip()
                + " vs " + ours.strip() + "): regenerate with build-ptx.sh to compare");
        List<String> stale = new ArrayList<>();
        for (Path p : committed) {
            if (!Files.readString(p).equals(Files.readString(fresh.resolve(p.getFileName())))) {
                stale.add(p.getFileName().toString());
            }
        }
        assertTrue(stale.isEmpty(), "PTX older than its source (run cuda-kernels/build-ptx.sh and commit): " + stale);
    }

    @Test
    void ptxasAcceptsEveryFileForHopper() throws Exception {
        var ptxas = Tools.find("ptxas");
        assumeTrue(ptxas.isPresent(), "ptxas not on PATH: cannot check the PTX for sm_90");
        for (Path p : ptxFiles(RESOURCES)) {
            // the Hopper-only module (wgmma) targets sm_90a; a serialised-wgmma warning fails below too
            String arch = p.getFileName().toString().equals(Kernels.HOPPER_MODULE + ".ptx") ? "sm_90a" : "sm_90";
            Tools.Result r = Tools.run(List.of(ptxas.get().toString(), "-arch=" + arch, p.toString(), "-o", "/dev/null"),
                    null, null, 300);
            assertEquals(0, r.exitCode(), "ptxas -arch=" + arch + " rejects " + p.getFileName() + ":\n" + r.output());
            assertFalse(r.output().contains("warning"), "ptxas warns on " + p.getFileName() + ":\n" + r.output());
        }
    }
}
