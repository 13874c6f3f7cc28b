/*
 * Runs the kanna command line in-process with captured stdout and stderr (and optional stdin),
 * for the CLI tests; copies classpath resources to files.
 */
package dev.kanna.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

record CliRun(int exitCode, String out, String err) {

    static CliRun run(String... args) {
        return withInput(null, args);
    }

    /** Copies a classpath resource (possibly inside a jar, e.g. the engine's test jar) to a file. */
    static Path copyResource(String resource, Path dir) throws IOException {
        try (InputStream in = CliRun.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            Path file = dir.resolve(resource.replaceAll("^/", "").replace('/', '_'));
            Files.copy(in, file);
            return file;
        }
    }

    static CliRun withInput(String stdin, String... args) {
        return withBytes(stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    /** Runs with stdin holding exactly these bytes (e.g. invalid UTF-8). */
    static CliRun withBytes(byte[] stdin, String... args) {
        InputStream savedIn = System.in;
        StringWriter out = new StringWriter(), err = new StringWriter();
        try {
            if (stdin != null) System.setIn(new ByteArrayInputStream(stdin));
            var cli = Main.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute(args);
            return new CliRun(code, out.toString(), err.toString());
        } finally {
            System.setIn(savedIn);
        }
    }

    List<String> outLines() {
        return Arrays.stream(out.split("\n")).filter(s -> !s.isBlank()).toList();
    }

    List<String> errLines() {
        return Arrays.stream(err.split("\n")).filter(s -> !s.isBlank()).toList();
    }

    String lastOutLine() {
        List<String> lines = outLines();
        return lines.isEmpty() ? "" : lines.getLast();
    }
}
