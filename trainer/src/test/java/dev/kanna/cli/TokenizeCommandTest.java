/*
 * `kanna tokenize` end to end through Main: JSON lines on stdout, options, and one-line errors with
 * a non-zero exit for bad input. Literal expectations were printed by HF `tokenizers` for the MiniLM
 * tokenizer.json (taken from the MiniLM jar on the test class path).
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path tokenizer;

    record Result(int exit, String out, String err) {
        List<JsonNode> json() {
            return out.lines().map(l -> {
                try {
                    return JSON.readTree(l);
                } catch (IOException e) {
                    throw new AssertionError("not JSON: " + l, e);
                }
            }).toList();
        }
    }

    @BeforeAll
    static void extractMiniLmTokenizer() throws IOException {
        try (InputStream in = TokenizeCommandTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            assertTrue(in != null, "MiniLM jar on the test class path");
            tokenizer = dir.resolve("tokenizer.json");
            Files.copy(in, tokenizer);
        }
    }

    static Result run(byte[] stdin, String... args) {
        return run(new ByteArrayInputStream(stdin), args);
    }

    static Result run(InputStream stdin, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setIn(stdin);
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Result run(String stdin, String... args) {
        return run(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    @Test
    void writesOneJsonObjectPerLine() {
        Result r = run("Hello, World!\n\nI \uD83D\uDE00 caf\u00e9s\n", "tokenize", "--tokenizer", tokenizer.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("{\"ids\":[101,7592,1010,2088,999,102],\"type_ids\":[0,0,0,0,0,0],"
                + "\"tokens\":[\"[CLS]\",\"hello\",\",\",\"world\",\"!\",\"[SEP]\"],"
                + "\"offsets\":[[0,0],[0,5],[5,6],[7,12],[12,13],[0,0]],\"attention_mask\":[1,1,1,1,1,1]}",
                r.out().lines().findFirst().orElseThrow());
        List<JsonNode> lines = r.json();
        assertEquals(3, lines.size());
        assertEquals("[101,102]", lines.get(1).get("ids").toString());           // an empty line
        assertEquals("[[0,0],[0,1],[2,3],[4,9],[0,0]]", lines.get(2).get("offsets").toString());  // code points
        // The tokenizer.json's padding preset (128) is not applied.
        assertEquals(5, lines.get(2).get("ids").size());
    }

    @Test
    void pairsTruncationAndPadding() {
        String in = "one two three four five six seven\talpha beta gamma\r\nhi\tthere\n";
        Result r = run(in, "tokenize", "--tokenizer", tokenizer.toString(), "--pair", "--max-length", "10",
                "--padding", "max_length");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> lines = r.json();
        assertEquals("[101,2028,2048,2093,2176,102,6541,8247,13091,102]", lines.get(0).get("ids").toString());
        assertEquals("[0,0,0,0,0,0,1,1,1,1]", lines.get(0).get("type_ids").toString());
        assertEquals("[101,7632,102,2045,102,0,0,0,0,0]", lines.get(1).get("ids").toString());
        assertEquals("[1,1,1,1,1,0,0,0,0,0]", lines.get(1).get("attention_mask").toString());

        Result onlySecond = run(in, "tokenize", "--tokenizer", tokenizer.toString(), "--pair", "--max-length", "9",
                "--truncation", "only_second");
        assertEquals(1, onlySecond.exit());
        assertTrue(onlySecond.err().startsWith("kanna tokenize: truncation only_second"), onlySecond.err());
    }

    @Test
    void paddingLongestPadsEachBatch() {
        Result r = run("a\na b c\na b c d e\nx\n", "tokenize", "--tokenizer", tokenizer.toString(), "--padding", "longest",
                "--batch-size", "2");
        assertEquals(0, r.exit(), r.err());
        List<Integer> lengths = r.json().stream().map(j -> j.get("ids").size()).toList();
        assertEquals(List.of(5, 5, 7, 7), lengths);
    }

    @Test
    void slowInputIsAnsweredInWholeBatches() {
        // A stream that hands out one line per read and never reports more bytes available.
        byte[] bytes = "a\na b c\nx\na b c d e\ny\nz\nw\n".getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < bytes.length ? bytes[pos++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= bytes.length) return -1;
                int n = 0;
                while (n < len && pos < bytes.length) {
                    b[off + n++] = bytes[pos];
                    if (bytes[pos++] == '\n') break;
                }
                return n;
            }

            @Override
            public int available() {
                return 0;
            }
        };
        Result r = run(trickle, "tokenize", "--tokenizer", tokenizer.toString(), "--padding", "longest", "--batch-size", "3");
        assertEquals(0, r.exit(), r.err());
        List<Integer> lengths = r.json().stream().map(j -> j.get("ids").size()).toList();
        assertEquals(List.of(5, 5, 5, 7, 7, 7, 3), lengths);
    }

    @Test
    void tokensAreEscapedAsJson() {
        Result r = run("say \"hi\" \\ ok\n", "tokenize", "--tokenizer", tokenizer.toString(), "--no-special-tokens");
        assertEquals(0, r.exit(), r.err());
        JsonNode line = r.json().get(0);
        assertEquals("say", line.get("tokens").get(0).asText());
        assertEquals("\"", line.get("tokens").get(1).asText());
        assertEquals("\\", line.get("tokens").get(4).asText());
    }

    @Test
    void invalidUtf8StopsAtItsLineAfterWritingTheLinesBefore() {
        byte[] in = {'o', 'k', '\n', 'f', 'i', 'n', 'e', '\n', 'b', 'a', 'd', (byte) 0xC3, '(', '\n', 'n', 'o', '\n'};
        Result r = run(in, "tokenize", "--tokenizer", tokenizer.toString());
        assertEquals(1, r.exit());
        assertEquals("kanna tokenize: stdin:3: invalid UTF-8 (byte 0xC3 at byte 4 of the line)", r.err().strip());
        assertEquals(2, r.out().lines().count());
    }

    @Test
    void badInputGivesOneLineAndNonZeroExit() {
        Result noTab = run("a\tb\nno tab here\n", "tokenize", "--tokenizer", tokenizer.toString(), "--pair");
        assertEquals(1, noTab.exit());
        assertEquals("kanna tokenize: stdin:2: expected two texts separated by a tab (--pair)", noTab.err().strip());
        assertEquals(1, noTab.out().lines().count());

        Result missing = run("x\n", "tokenize", "--tokenizer", dir.resolve("nope.json").toString());
        assertEquals(1, missing.exit());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("nope.json: no such file"), missing.err());

        Result badStrategy = run("x\n", "tokenize", "--tokenizer", tokenizer.toString(), "--max-length", "8", "--truncation", "middle");
        assertEquals(2, badStrategy.exit());
        assertTrue(badStrategy.err().contains("middle"), badStrategy.err());
        assertEquals(2, run("x\n", "tokenize", "--tokenizer", tokenizer.toString(), "--padding", "max_length").exit());
    }

    @Test
    void nulCharactersLoneBytesAndHugeLines() {
        String huge = "word ".repeat(220_000);  // 1.1 MB
        Result r = run("a\u0000b\n" + huge + "\n", "tokenize", "--tokenizer", tokenizer.toString(), "--max-length", "16");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> lines = r.json();
        assertEquals("[101,11113,102]", lines.get(0).get("ids").toString());  // NUL removed: "ab"
        assertEquals(16, lines.get(1).get("ids").size());
    }

    @Test
    void helpDescribesTheCommand() {
        Result r = run("", "tokenize", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--max-length") && r.out().contains("code points"), r.out());
    }
}
