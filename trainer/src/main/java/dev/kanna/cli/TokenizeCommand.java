/*
 * `kanna tokenize`: runs the tokenizer over lines of stdin and writes one JSON object per line, the
 * same fields as HF's Encoding (offsets in code points, as HF's Python binding reports them).
 * Lines are read and encoded in chunks on all cores; output stays in input order and streams.
 */
package dev.kanna.cli;

import dev.kanna.data.DatasetException;
import dev.kanna.data.Utf8Lines;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.tokenizer.Padding;
import dev.kanna.tokenizer.TextPair;
import dev.kanna.tokenizer.Truncation;
import dev.kanna.tokenizer.TruncationStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "tokenize",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Tokenize UTF-8 lines from stdin exactly as Hugging Face tokenizers does. Each line gives one JSON "
                        + "object: ids, type_ids, tokens, offsets ([start, end] in code points of the line) and "
                        + "attention_mask.",
                "A line ends at \\n (a \\r before it is dropped). Invalid UTF-8 stops the run with an error naming "
                        + "the line; the lines before it are written.",
                "Truncation and padding presets stored in a tokenizer.json are not applied (as with transformers' "
                        + "tokenizer(text)); ask for them with --max-length and --padding.",
                ""},
        footer = {"", "Examples:",
                "  echo 'Hello, world!' | kanna tokenize --tokenizer models/minilm",
                "  printf 'a question\\ta passage\\n' | kanna tokenize --tokenizer vocab.txt --pair --max-length 128 --padding max_length"})
public final class TokenizeCommand implements Callable<Integer> {

    /** Lines encoded together on all cores before their output is written (fewer when input is slow). */
    private static final int CHUNK_LINES = 4096;
    /** ... or fewer when they are long: keeps memory bounded with huge lines. */
    private static final long CHUNK_CHARS = 8L << 20;

    @Option(names = "--tokenizer", required = true, paramLabel = "PATH",
            description = "A tokenizer.json, a vocab.txt (with tokenizer_config.json beside it, if any) or a model directory.")
    Path tokenizerPath;

    @Option(names = "--pair", description = "Each line holds two texts separated by a tab: encode them as a pair.")
    boolean pair;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Truncate to N tokens in total, special tokens included (and pad to N with --padding max_length).")
    Integer maxLength;

    @Option(names = "--truncation", paramLabel = "STRATEGY",
            description = "longest_first (default with --max-length), only_first or only_second.")
    String truncation;

    @Option(names = "--padding", paramLabel = "STRATEGY",
            description = "longest: pad each batch of --batch-size lines to its longest; max_length: pad to --max-length.")
    String padding;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Lines padded together by --padding longest (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--no-special-tokens", description = "Do not add [CLS] and [SEP].")
    boolean noSpecialTokens;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        BertTokenizer tokenizer = configure(BertTokenizer.load(tokenizerPath));
        try (InputStream in = System.in) {
            Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
            run(tokenizer, in, out);
            out.flush();
        }
        return 0;
    }

    private BertTokenizer configure(BertTokenizer tokenizer) {
        tokenizer = tokenizer.withoutTruncation().withoutPadding();
        if (maxLength != null && maxLength < 1) throw usage("--max-length must be at least 1, got " + maxLength);
        if (batchSize < 1) throw usage("--batch-size must be at least 1, got " + batchSize);
        if (truncation != null) {
            if (maxLength == null) throw usage("--truncation needs --max-length");
            TruncationStrategy strategy;
            try {
                strategy = TruncationStrategy.parse(truncation);
            } catch (IllegalArgumentException e) {
                throw usage("--truncation: " + e.getMessage());
            }
            tokenizer = tokenizer.withTruncation(Truncation.of(maxLength, strategy));
        } else if (maxLength != null) {
            tokenizer = tokenizer.withTruncation(Truncation.of(maxLength));
        }
        if (padding != null) {
            Padding p = switch (padding) {
                case "longest" -> Padding.longest();
                case "max_length" -> {
                    if (maxLength == null) throw usage("--padding max_length needs --max-length");
                    yield Padding.fixed(maxLength);
                }
                default -> throw usage("--padding: expected longest or max_length, got \"" + padding + "\"");
            };
            tokenizer = tokenizer.withPadding(p);
        }
        return tokenizer;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Reads lines in chunks, encodes each chunk on all cores, writes the results in order. */
    void run(BertTokenizer tokenizer, InputStream in, Writer out) throws IOException {
        Utf8Lines lines = new Utf8Lines(in, "stdin");
        boolean special = !noSpecialTokens;
        // Chunks end on batch boundaries, so that --padding longest always pads the same groups of lines.
        int group = tokenizer.padding().map(Padding::isLongest).orElse(false) ? batchSize : 1;
        int maxLines = Math.max(group, CHUNK_LINES / group * group);
        List<String> chunk = new ArrayList<>();
        while (true) {
            chunk.clear();
            long chars = 0;
            RuntimeException badLine = null;
            try {
                String line;
                while (chunk.size() < maxLines && (line = lines.readLine()) != null) {
                    if (pair && line.indexOf('\t') < 0) {
                        throw new DatasetException("stdin:" + lines.lineNumber()
                                + ": expected two texts separated by a tab (--pair)");
                    }
                    chunk.add(line);
                    chars += line.length();
                    // A full chunk, or input arriving slowly: answer what we have.
                    if (chunk.size() % group == 0 && (chars >= CHUNK_CHARS || !lines.ready())) break;
                }
            } catch (DatasetException e) {
                badLine = e;  // write the lines before it first
            }
            if (chunk.isEmpty() && badLine == null) return;
            List<Encoding> encodings;
            if (pair) {
                List<TextPair> pairs = new ArrayList<>(chunk.size());
                for (String l : chunk) {
                    int tab = l.indexOf('\t');
                    pairs.add(new TextPair(l.substring(0, tab), l.substring(tab + 1)));
                }
                encodings = unpadded(tokenizer).encodePairBatch(pairs, special);
            } else {
                encodings = unpadded(tokenizer).encodeBatch(chunk, special);
            }
            StringBuilder json = new StringBuilder(1 << 12);
            for (int from = 0; from < encodings.size(); from += batchSize) {
                List<Encoding> batch = tokenizer.pad(encodings.subList(from, Math.min(encodings.size(), from + batchSize)));
                for (Encoding e : batch) {
                    json.setLength(0);
                    writeJson(e, json);
                    json.append('\n');
                    out.append(json);
                }
            }
            out.flush();
            if (badLine != null) throw badLine;
        }
    }

    /** The tokenizer without padding: batches are padded by --batch-size groups afterwards. */
    private static BertTokenizer unpadded(BertTokenizer tokenizer) {
        return tokenizer.padding().isPresent() ? tokenizer.withoutPadding() : tokenizer;
    }

    static void writeJson(Encoding e, StringBuilder out) {
        out.append("{\"ids\":");
        ints(e.ids(), out);
        out.append(",\"type_ids\":");
        ints(e.typeIds(), out);
        out.append(",\"tokens\":[");
        for (int i = 0; i < e.size(); i++) {
            if (i > 0) out.append(',');
            string(e.tokens()[i], out);
        }
        out.append("],\"offsets\":[");
        for (int i = 0; i < e.size(); i++) {
            if (i > 0) out.append(',');
            out.append('[').append(e.starts()[i]).append(',').append(e.ends()[i]).append(']');
        }
        out.append("],\"attention_mask\":");
        ints(e.attentionMask(), out);
        out.append('}');
    }

    private static void ints(int[] values, StringBuilder out) {
        out.append('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) out.append(',');
            out.append(values[i]);
        }
        out.append(']');
    }

    /** A JSON string: quotes, backslashes, control characters and lone surrogates escaped. */
    static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    boolean pairStart = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                    if (c < 0x20 || c == 0x7F || (Character.isSurrogate(c) && !pairStart)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (pairStart) {
                        out.append(c).append(s.charAt(++i));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
