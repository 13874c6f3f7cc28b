/*
 * Finds a jar in the Maven local repository, and when it is absent asks the user's own `mvn` to
 * fetch it (dependency:get, no transitive dependencies), so it comes from wherever their Maven is
 * configured to download (its settings, mirrors and proxies), never from an address of ours.
 * The local repository is the one Maven itself would use: -Dmaven.repo.local (as a JVM property or
 * in MAVEN_OPTS), else <localRepository> in ~/.m2/settings.xml, else ~/.m2/repository.
 */
package dev.kanna.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class MavenArtifacts {

    /** Runs `mvn` instead of the one on PATH; for tests and unusual installations. */
    static final String MVN_PROPERTY = "kanna.mvn";
    private static final String DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get";
    private static final Pattern LOCAL_REPO_OPTION = Pattern.compile("-Dmaven\\.repo\\.local=(\"[^\"]*\"|\\S+)");
    private static final Pattern LOCAL_REPO_SETTING = Pattern.compile("<localRepository>\\s*([^<]*?)\\s*</localRepository>");

    /** groupId:artifactId:version of a jar. */
    record Coordinates(String groupId, String artifactId, String version) {
        @Override
        public String toString() {
            return groupId + ":" + artifactId + ":" + version;
        }

        Path jarIn(Path repository) {
            return repository.resolve(groupId.replace('.', File.separatorChar)).resolve(artifactId).resolve(version)
                    .resolve(artifactId + "-" + version + ".jar");
        }
    }

    private MavenArtifacts() {
    }

    /** The local repository Maven would use (see the header), or {@code override} when given. */
    static Path localRepository(Path override) {
        if (override != null) return override;
        String property = System.getProperty("maven.repo.local");
        if (property != null && !property.isBlank()) return Path.of(property);
        String mavenOpts = System.getenv("MAVEN_OPTS");
        if (mavenOpts != null) {
            Matcher m = LOCAL_REPO_OPTION.matcher(mavenOpts);
            if (m.find()) return Path.of(m.group(1).replace("\"", ""));
        }
        Path home = Path.of(System.getProperty("user.home"));
        Path settings = home.resolve(".m2").resolve("settings.xml");
        if (Files.isRegularFile(settings)) {
            try {
                Matcher m = LOCAL_REPO_SETTING.matcher(Files.readString(settings));
                if (m.find() && !m.group(1).isEmpty()) {
                    return Path.of(m.group(1).replace("${user.home}", home.toString()));
                }
            } catch (IOException unreadable) {
                // Maven would fail on it too; fall back to its default
            }
        }
        return home.resolve(".m2").resolve("repository");
    }

    /** The jar in the local repository, fetched with `mvn` first when absent (unless offline). */
    static Path resolve(Coordinates coordinates, Path repository, boolean offline, PrintWriter err) throws IOException {
        Path jar = coordinates.jarIn(repository);
        if (Files.isRegularFile(jar)) return jar;
        if (offline) {
            throw new IOException(coordinates + " is not in the local Maven repository (expected " + jar
                    + "); run without --offline to fetch it with mvn");
        }
        String mvn = mvnExecutable();
        List<String> command = List.of(mvn, "-B", "-q", DEPENDENCY_PLUGIN, "-Dartifact=" + coordinates,
                "-Dtransitive=false", "-Dmaven.repo.local=" + repository.toAbsolutePath());
        err.println("kanna fetch-model: " + coordinates + " is not in " + repository + "; fetching it with " + mvn);
        err.flush();
        int exit;
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                // mvn's own messages go to our stderr, so stdout stays clean for --json
                for (String line; (line = lines.readLine()) != null; ) err.println("  mvn: " + line);
            }
            exit = p.waitFor();
        } catch (IOException e) {
            throw new IOException("could not run " + mvn + " (" + e.getMessage() + "); install Maven, or put " + jar
                    + " in place yourself");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + mvn + " was fetching " + coordinates);
        }
        err.flush();
        if (exit != 0) {
            throw new IOException(mvn + " could not fetch " + coordinates + " (exit " + exit + "; its output is above)");
        }
        if (!Files.isRegularFile(jar)) {
            throw new IOException(mvn + " finished, but " + jar + " is still missing");
        }
        return jar;
    }

    private static String mvnExecutable() {
        String configured = System.getProperty(MVN_PROPERTY);
        if (configured != null && !configured.isBlank()) return configured;
        List<Path> candidates = new ArrayList<>();
        String mavenHome = System.getenv("MAVEN_HOME");
        if (mavenHome != null) candidates.add(Path.of(mavenHome, "bin", "mvn"));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "mvn"));
                    candidates.add(Path.of(dir, "mvn.cmd"));
                }
            }
        }
        for (Path c : candidates) {
            if (Files.isExecutable(c) && !Files.isDirectory(c)) return c.toString();
        }
        return "mvn";   // let the process launch report it missing
    }
}
