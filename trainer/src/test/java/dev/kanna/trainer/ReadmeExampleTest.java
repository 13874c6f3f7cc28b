package dev.kanna.trainer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Compiles and runs the README's library example, with its paths pointed at the tiny test model and
 * data (the only change), so the documented API stays true.
 */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void readmeExampleCompilesAndRuns() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("<!-- readme-example:start -->\\s*```java\\n(.*?)```\\s*<!-- readme-example:end -->",
                Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README.md has no marked Java example");
        String source = m.group(1);

        Path tiny = Path.of(getClass().getResource("/tiny/model/config.json").toURI()).getParent().getParent();
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("models/all-MiniLM-L6-v2", tiny.resolve("model").toString());
        paths.put("datasets/spamassassin/train.jsonl.gz", tiny.resolve("train.jsonl").toString());
        paths.put("datasets/spamassassin/validation.jsonl.gz", tiny.resolve("validation.jsonl").toString());
        paths.put("runs/spam", tmp.resolve("runs/spam").toString());
        for (var e : paths.entrySet()) {
            assertTrue(source.contains("\"" + e.getKey() + "\""), "the example no longer mentions " + e.getKey());
            source = source.replace("\"" + e.getKey() + "\"", "\"" + e.getValue().replace("\\", "\\\\") + "\"");
        }

        Path src = tmp.resolve("src/FineTuneSpam.java"), classes = tmp.resolve("classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int code = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, code, diagnostics.toString(StandardCharsets.UTF_8));

        PrintStream savedOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[]{classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            Method main = loader.loadClass("FineTuneSpam").getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(savedOut);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("validation macro-F1: "), printed);
        assertTrue(printed.lines().anyMatch(l -> l.matches("(ham|spam) \\{ham=.*, spam=.*\\}")), printed);
        assertTrue(Files.isRegularFile(tmp.resolve("runs/spam/model.safetensors")));
    }
}
