/*
 * Finding the CUDA command-line tools (nvcc, ptxas) for the tests that compile or check device code
 * without a GPU, and running them. Tests that need one skip with a reason when it is absent.
 */
package dev.kanna.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

final class Tools {
    private Tools() {
    }

    /** The tool on PATH (or $NVCC's folder for nvcc and ptxas), if present. */
    static Optional<Path> find(String tool) {
        String nvcc = System.getenv("NVCC");
        if (nvcc != null) {
            Path p = Path.of(nvcc).resolveSibling(tool);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    record Result(int exitCode, String output) {
    }

    /** Runs a command (stderr merged into stdout), feeding it `input`, with a time limit. */
    static Result run(List<String> command, Path workDir, String input, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (workDir != null) pb.directory(workDir.toFile());
        Process p = pb.start();
        Thread feeder = Thread.ofVirtual().start(() -> {
            try (var out = p.getOutputStream()) {
                if (input != null) out.write(input.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process exited early; its exit code says why
            }
        });
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        feeder.join();
        return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
