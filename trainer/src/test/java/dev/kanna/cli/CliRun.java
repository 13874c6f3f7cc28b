/*
 * Runs the kanna command line in-process for tests, capturing stdout and stderr.
 */
package dev.kanna.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

record CliRun(int exitCode, String out, String err) {

    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
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
}
