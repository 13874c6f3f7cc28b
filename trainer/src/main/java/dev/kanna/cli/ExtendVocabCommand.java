/*
 * `kanna extend-vocab`: add domain words to a model's vocabulary (see dev.kanna.vocab.VocabularyExtension).
 * The chosen words and the before/after figures as a table on stderr; the same as one JSON object,
 * the last line of stdout.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.vocab.DomainWord;
import dev.kanna.vocab.VocabularyExtension;
import dev.kanna.vocab.WordCounts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "extend-vocab",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Add domain words to a model's vocabulary as whole-word WordPiece entries: the --add N most frequent "
                        + "words of your text that the vocabulary splits into at least --min-pieces pieces, or the words of "
                        + "a list (--words, one per line, written as the model sees them).",
                "OUT is the model with vocab.txt, tokenizer.json and config.json extended and the word embeddings (and an "
                        + "MLM head) grown; each new row starts as the mean of the word's old pieces. transformers loads it "
                        + "unchanged; fine-tune it with `kanna train --model OUT` (or pretrain it first).",
                "Example: kanna extend-vocab --model models/all-MiniLM-L6-v2 "
                        + "--text datasets/ncbi-disease/train-abstracts.txt.gz --add 500 --out models/minilm-medical"})
final class ExtendVocabCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (config.json, model.safetensors, vocab.txt and/or tokenizer.json).")
    Path model;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (must not exist, unless --overwrite).")
    Path out;
    @Option(names = "--text", paramLabel = "FILE", description = "Domain text: one document per line, or JSONL (.jsonl) with --text-field; optionally .gz. Repeatable.")
    List<Path> texts = new ArrayList<>();
    @Option(names = "--text-field", paramLabel = "NAME", description = "JSONL field with the text (default: text).")
    String textField;
    @Option(names = "--add", paramLabel = "N", description = "Mine the text for the N most frequent words the vocabulary shreds, and add them.")
    Integer add;
    @Option(names = "--min-pieces", paramLabel = "N", description = "Mine only words the vocabulary splits into at least N pieces (default: 3).")
    Integer minPieces;
    @Option(names = "--min-count", paramLabel = "N", description = "Mine only words that occur at least N times (default: 5).")
    Long minCount;
    @Option(names = "--words", paramLabel = "FILE", description = "Add the words of this list (one per line) instead of mining; with --text, their counts and the tokens per document are reported.")
    Path words;
    @Option(names = "--overwrite", description = "Replace OUT if it exists.")
    boolean overwrite;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        VocabularyExtension.Options options = options();
        PrintWriter err = spec.commandLine().getErr();
        VocabularyExtension.Result result = VocabularyExtension.run(options, line -> {
            err.println(line);
            err.flush();
        });
        err.print(table(result));
        err.flush();
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(summary(result)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    VocabularyExtension.Options options() {
        if ((add == null) == (words == null)) {
            throw new IllegalArgumentException(add == null ? "give --add N (with --text) or --words FILE"
                    : "--add and --words exclude each other");
        }
        WordCounts.Selection selection = null;
        if (add != null) {
            if (add < 1) throw new IllegalArgumentException("--add must be ≥ 1, got " + add);
            if (texts.isEmpty()) throw new IllegalArgumentException("--add needs the text to mine: --text FILE");
            selection = new WordCounts.Selection(add, minPieces != null ? minPieces : 3, minCount != null ? minCount : 5);
        } else if (minPieces != null || minCount != null) {
            throw new IllegalArgumentException("--min-pieces and --min-count choose mined words; they do not apply to --words");
        }
        if (textField != null && texts.isEmpty()) throw new IllegalArgumentException("--text-field needs --text FILE");
        return new VocabularyExtension.Options(model, out, texts, textField, words, selection, overwrite);
    }

    static Map<String, Object> summary(VocabularyExtension.Result r) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("out", r.out().toString());
        s.put("added", r.words().size());
        if (r.qualifying() > 0) s.put("qualifying", r.qualifying());
        Map<String, Object> vocab = new LinkedHashMap<>();
        vocab.put("before", r.vocabBefore());
        vocab.put("after", r.vocabAfter());
        s.put("vocab_size", vocab);
        s.put("pieces_per_word", change(r.piecesPerWord()));
        if (r.tokensPerDocument() != null) {
            Map<String, Object> t = change(r.tokensPerDocument());
            t.put("documents", r.documents());
            s.put("tokens_per_document", t);
        }
        s.put("grown", r.grown());
        List<Map<String, Object>> words = new ArrayList<>();
        for (DomainWord w : r.words()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("word", w.word());
            m.put("count", w.count());
            m.put("pieces", w.pieces());
            words.add(m);
        }
        s.put("words", words);
        s.put("seconds", Math.round(r.seconds() * 100) / 100.0);
        return s;
    }

    private static Map<String, Object> change(VocabularyExtension.Change c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("before", Math.round(c.before() * 1000) / 1000.0);
        m.put("after", Math.round(c.after() * 1000) / 1000.0);
        return m;
    }

    static String table(VocabularyExtension.Result r) {
        int width = 4;
        for (DomainWord w : r.words()) width = Math.max(width, w.word().length());
        StringBuilder sb = new StringBuilder();
        String row = "  %-" + width + "s  %9s  %s%n";
        sb.append(String.format(Locale.ROOT, row, "word", "count", "old pieces"));
        for (DomainWord w : r.words()) {
            sb.append(String.format(Locale.ROOT, row, w.word(), String.format(Locale.ROOT, "%,d", w.count()),
                    String.join(" ", w.pieces())));
        }
        sb.append(String.format(Locale.ROOT, "added %d words: vocabulary %,d → %,d%n", r.words().size(), r.vocabBefore(), r.vocabAfter()));
        sb.append(String.format(Locale.ROOT, "pieces per added word: %.2f → %.2f%n", r.piecesPerWord().before(), r.piecesPerWord().after()));
        if (r.tokensPerDocument() != null) {
            VocabularyExtension.Change t = r.tokensPerDocument();
            sb.append(String.format(Locale.ROOT, "tokens per document (%,d documents): %.1f → %.1f (%+.1f%%)%n", r.documents(),
                    t.before(), t.after(), 100 * (t.after() - t.before()) / t.before()));
        }
        sb.append(String.format(Locale.ROOT, "saved to %s in %.1f s%n", r.out(), r.seconds()));
        return sb.toString();
    }
}
