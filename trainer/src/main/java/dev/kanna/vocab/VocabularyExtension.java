/*
 * `kanna extend-vocab` as a library call: choose domain words (the most frequent ones the vocabulary
 * shreds, mined from text, or an expert's list), append them to the model's vocabulary as whole-word
 * WordPiece entries, grow the embeddings (and an MLM head) to match, and measure tokenization before
 * and after. The new directory is built in a temporary sibling, checked by loading it back, and only
 * then renamed into place: a failure leaves nothing half-written.
 */
package dev.kanna.vocab;

import dev.kanna.bert.BertConfig;
import dev.kanna.data.TextCorpus;
import dev.kanna.io.AtomicFiles;
import dev.kanna.tokenizer.AddedToken;
import dev.kanna.tokenizer.BertTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

public final class VocabularyExtension {

    /** Files copied unchanged: they name special tokens, whose ids stay as they were. */
    static final List<String> COPIED = List.of("tokenizer_config.json", "special_tokens_map.json", "added_tokens.json");
    /** Documents encoded per parallel batch when measuring tokens per document. */
    private static final int BATCH = 256;

    /**
     * @param texts     domain text files (plain text or JSONL, optionally gzipped); may be empty with words
     * @param textField the JSONL field with the text, or null for the default
     * @param words     an expert's word list, or null to mine the words from the texts
     * @param selection how many words to mine and what qualifies them; null with a word list
     */
    public record Options(Path model, Path out, List<Path> texts, String textField, Path words,
                          WordCounts.Selection selection, boolean overwrite) {
        public Options {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(out, "out");
            texts = List.copyOf(texts);
            if ((words == null) == (selection == null)) {
                throw new IllegalArgumentException("give either a word list or a selection of words to mine, not both");
            }
            if (selection != null && texts.isEmpty()) throw new IllegalArgumentException("mining words needs text (--text FILE)");
        }
    }

    /** A figure before and after the extension. */
    public record Change(double before, double after) {
    }

    /**
     * @param qualifying        mined words that met the thresholds (≥ words.size(); 0 with a word list)
     * @param piecesPerWord     mean WordPiece tokens of the added words
     * @param tokensPerDocument mean tokens of the text's documents, special tokens left out; null without text
     * @param grown             the checkpoint tensors that gained rows
     */
    public record Result(List<DomainWord> words, int qualifying, int vocabBefore, int vocabAfter, Change piecesPerWord,
                         Change tokensPerDocument, long documents, List<String> grown, Path out, double seconds) {
    }

    private VocabularyExtension() {
    }

    public static Result run(Options o, Consumer<String> log) throws IOException {
        long started = System.nanoTime();
        checkOutput(o);
        if (!Files.isDirectory(o.model())) throw new VocabularyException(o.model() + ": no such model directory");
        VocabFiles files = VocabFiles.read(o.model());
        int size = files.size();
        Path configFile = o.model().resolve(VocabFiles.CONFIG_JSON);
        BertConfig.read(o.model());                              // a readable BERT config first
        byte[] config = files.extendedConfig(configFile, 0);     // checks vocab_size = size
        EmbeddingGrowth.Grown grown = EmbeddingGrowth.inspect(o.model(), size);
        BertTokenizer before = BertTokenizer.load(o.model()).withoutTruncation().withoutPadding();
        for (AddedToken t : before.addedTokens()) {
            if (t.id() >= size) {
                throw new VocabularyException(o.model() + ": added token \"" + t.content() + "\" has id " + t.id()
                        + ", beyond the " + size + " vocabulary ids the new words would follow");
            }
        }

        WordCounts counts = null;
        if (!o.texts().isEmpty()) {
            counts = WordCounts.of(before, o.texts(), o.textField());
            log.accept(String.format("counted %,d words (%,d distinct) in %,d documents", counts.occurrences(),
                    counts.distinctWords(), counts.documents()));
        }
        List<DomainWord> words;
        int qualifying = 0;
        if (o.words() != null) {
            words = WordList.read(o.words(), before, counts);
        } else {
            WordCounts.Chosen chosen = counts.choose(o.selection());
            words = chosen.words();
            qualifying = chosen.qualifying();
            if (words.isEmpty()) {
                throw new VocabularyException("no word of the text occurs at least " + o.selection().minCount()
                        + " times and splits into at least " + o.selection().minPieces()
                        + " pieces; lower --min-count or --min-pieces");
            }
            if (qualifying < o.selection().limit()) {
                log.accept("only " + qualifying + " words qualify (at least " + o.selection().minCount() + " occurrences, "
                        + o.selection().minPieces() + " pieces); adding them all");
            }
        }

        Path temp = AtomicFiles.createSiblingTempDirectory(o.out());
        try {
            List<String> added = words.stream().map(DomainWord::word).toList();
            files.writeExtended(added, temp);
            Files.write(temp.resolve(VocabFiles.CONFIG_JSON), files.extendedConfig(configFile, added.size()));
            for (String name : COPIED) {
                Path source = o.model().resolve(name);
                if (Files.isRegularFile(source)) Files.copy(source, temp.resolve(name));
            }
            EmbeddingGrowth.write(o.model(), size, pieceIds(before, words), temp);
            BertTokenizer after = loadBack(temp, words, size);
            double piecesBefore = 0, piecesAfter = 0;
            for (DomainWord w : words) {
                piecesBefore += w.pieces().size();
                piecesAfter += after.wordPieces(w.word()).size();
            }
            Change perWord = new Change(piecesBefore / words.size(), piecesAfter / words.size());
            Change perDocument = null;
            long documents = 0;
            if (!o.texts().isEmpty()) {
                long[] totals = tokenTotals(o, before, after);
                documents = totals[0];
                perDocument = new Change((double) totals[1] / documents, (double) totals[2] / documents);
            }
            AtomicFiles.publishDirectory(temp, o.out(), o.overwrite());
            return new Result(words, qualifying, size, size + words.size(), perWord, perDocument, documents,
                    grown.all(), o.out(), (System.nanoTime() - started) / 1e9);
        } catch (IOException | RuntimeException | Error e) {
            AtomicFiles.deleteRecursively(temp);
            throw e;
        }
    }

    /** The old ids of each word's pieces: the rows its new embedding averages. */
    private static int[][] pieceIds(BertTokenizer tokenizer, List<DomainWord> words) {
        int[][] ids = new int[words.size()][];
        for (int i = 0; i < ids.length; i++) {
            List<String> pieces = words.get(i).pieces();
            ids[i] = new int[pieces.size()];
            for (int k = 0; k < pieces.size(); k++) ids[i][k] = tokenizer.tokenToId(pieces.get(k)).orElseThrow();
        }
        return ids;
    }

    /**
     * Loads the new directory as a user would, through each vocabulary file it has, and checks
     * that every word is now one token with its new id.
     */
    private static BertTokenizer loadBack(Path dir, List<DomainWord> words, int firstId) {
        BertTokenizer tokenizer = null;
        for (String name : List.of(VocabFiles.VOCAB_TXT, VocabFiles.TOKENIZER_JSON)) {
            if (!Files.isRegularFile(dir.resolve(name))) continue;
            BertTokenizer t = BertTokenizer.load(dir.resolve(name)).withoutTruncation().withoutPadding();
            for (int i = 0; i < words.size(); i++) {
                String w = words.get(i).word();
                if (!t.wordPieces(w).equals(List.of(w)) || t.tokenToId(w).orElse(-1) != firstId + i) {
                    throw new IllegalStateException("the extended " + name + " reads \"" + w + "\" as "
                            + t.wordPieces(w) + ", not as the new token " + (firstId + i));
                }
            }
            tokenizer = t;   // tokenizer.json when there is one: what load(dir) prefers
        }
        return tokenizer;
    }

    /** Documents, and their tokens before and after (special tokens left out). */
    private static long[] tokenTotals(Options o, BertTokenizer before, BertTokenizer after) {
        long[] totals = new long[3];
        List<String> batch = new ArrayList<>(BATCH);
        Runnable flush = () -> {
            totals[0] += batch.size();
            before.encodeBatch(batch, false).forEach(e -> totals[1] += e.size());
            after.encodeBatch(batch, false).forEach(e -> totals[2] += e.size());
            batch.clear();
        };
        for (Path file : o.texts()) {
            TextCorpus.forEach(file, o.textField(), doc -> {
                batch.add(doc);
                if (batch.size() == BATCH) flush.run();
            });
        }
        if (!batch.isEmpty()) flush.run();
        return totals;
    }

    /** Refuses an existing out dir without overwrite, and one whose deletion would take inputs with it. */
    private static void checkOutput(Options o) throws IOException {
        Path out = o.out();
        if (!Files.exists(out)) return;
        if (!o.overwrite()) throw new VocabularyException(out + " already exists (use --overwrite to replace it)");
        Path dir = out.toRealPath();
        List<Path> inputs = new ArrayList<>(o.texts());
        inputs.add(o.model());
        if (o.words() != null) inputs.add(o.words());
        for (Path input : inputs) {
            Path real = Files.exists(input) ? input.toRealPath() : input.toAbsolutePath().normalize();
            if (real.startsWith(dir) || (input == o.model() && dir.startsWith(real))) {
                throw new VocabularyException("--overwrite: refusing to replace " + out + ", which holds or lies in "
                        + input + "; choose another --out");
            }
        }
        String home = System.getProperty("kanna.home");   // set by the ./kanna launcher
        if (Path.of("").toRealPath().startsWith(dir) || (home != null && Path.of(home).toRealPath().startsWith(dir))) {
            throw new VocabularyException("--overwrite: refusing to replace " + out + ", which holds the working directory"
                    + " or the Kanna folder; choose another --out");
        }
    }
}
