/*
 * The BERT WordPiece tokenizer, exactly as Hugging Face `tokenizers` runs it: added tokens found in
 * the raw text, the BERT normalizer, the BERT pre-tokenizer, WordPiece, truncation, the template
 * with special tokens, padding. Immutable and thread-safe; batch encoding uses all cores.
 */
package dev.kanna.tokenizer;

import java.nio.CharBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * A Hugging Face-compatible BERT tokenizer.
 *
 * <pre>{@code
 * BertTokenizer tokenizer = BertTokenizer.load(Path.of("model-dir"))   // tokenizer.json or vocab.txt
 *         .withTruncation(Truncation.of(128))
 *         .withPadding(Padding.longest());
 * Encoding e = tokenizer.encode("Hello, world!");
 * e.ids();            // [101, 7592, 1010, 2088, 999, 102]
 * e.tokens();         // [[CLS], hello, ,, world, !, [SEP]]
 * List<Encoding> batch = tokenizer.encodeBatch(texts);   // padded to the longest, in input order
 * }</pre>
 *
 * <p>Truncation and padding presets stored in a tokenizer.json are applied, as HF's
 * {@code Tokenizer.from_file} does; replace them with {@link #withTruncation}, {@link #withPadding},
 * {@link #withoutTruncation()} and {@link #withoutPadding()}, which return new tokenizers.
 *
 * <p>Offsets count code points of the original text, as HF's Python binding reports them;
 * {@link Encoding#utf16Starts()} and {@link Encoding#utf16Ends()} give Java string indices. A lone
 * surrogate in the input is read as U+FFFD (which the cleaning step removes).
 */
public final class BertTokenizer {

    /** Texts per parallel task in batch encoding: large enough to amortize the hand-off. */
    private static final int BATCH_CHUNK = 32;

    private final BertNormalizer normalizer;      // null: no normalizer
    private final boolean preTokenize;            // BertPreTokenizer, or none (the whole text is one word)
    private final WordPiece model;
    private final AddedVocabulary added;
    private final Template template;
    private final WordPieceDecoder decoder;       // null: tokens joined by spaces
    private final Truncation truncation;          // null: none
    private final Padding padding;                // null: none; else with a resolved pad id

    BertTokenizer(BertNormalizer normalizer, boolean preTokenize, WordPiece model, AddedVocabulary added,
                  Template template, WordPieceDecoder decoder, Truncation truncation, Padding padding) {
        this.normalizer = normalizer;
        this.preTokenize = preTokenize;
        this.model = model;
        this.added = added;
        this.template = template;
        this.decoder = decoder;
        this.truncation = truncation;
        this.padding = padding;
    }

    // ---------------------------------------------------------------- loading

    /**
     * Loads a tokenizer from a tokenizer.json, a vocab.txt (with the tokenizer_config.json next to
     * it, when present), or a model directory holding either (tokenizer.json preferred).
     *
     * @throws TokenizerConfigException when the file is missing, malformed or unsupported
     */
    public static BertTokenizer load(Path path) {
        return TokenizerFiles.load(path);
    }

    /**
     * A BERT tokenizer over a vocab.txt, configured as transformers' BertTokenizerFast would be
     * ([CLS] A [SEP] template, [UNK], "##" continuations, 100 characters per word at most).
     */
    public static BertTokenizer fromVocab(Path vocabTxt, NormalizerOptions options) {
        return TokenizerFiles.fromVocab(vocabTxt, options);
    }

    // ---------------------------------------------------------------- encoding

    /** Encodes one text with the template's special tokens. */
    public Encoding encode(String text) {
        return encode(text, true);
    }

    /** Encodes one text, with or without the template's special tokens. */
    public Encoding encode(String text, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        return padOne(encodeUnpadded(text, null, addSpecialTokens));
    }

    /** Encodes a pair of texts: {@code [CLS] first [SEP] second [SEP]}, type ids 0 then 1. */
    public Encoding encodePair(String first, String second) {
        return encodePair(first, second, true);
    }

    public Encoding encodePair(String first, String second, boolean addSpecialTokens) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        return padOne(encodeUnpadded(first, second, addSpecialTokens));
    }

    /** Encodes texts on all cores; the result is in input order and padded together. */
    public List<Encoding> encodeBatch(List<String> texts) {
        return encodeBatch(texts, true);
    }

    public List<Encoding> encodeBatch(List<String> texts, boolean addSpecialTokens) {
        for (String t : texts) Objects.requireNonNull(t, "text in batch");
        return batch(texts.size(), i -> encodeUnpadded(texts.get(i), null, addSpecialTokens));
    }

    /** Encodes pairs on all cores; the result is in input order and padded together. */
    public List<Encoding> encodePairBatch(List<TextPair> pairs) {
        return encodePairBatch(pairs, true);
    }

    public List<Encoding> encodePairBatch(List<TextPair> pairs, boolean addSpecialTokens) {
        for (TextPair p : pairs) Objects.requireNonNull(p, "pair in batch");
        return batch(pairs.size(), i -> encodeUnpadded(pairs.get(i).first(), pairs.get(i).second(), addSpecialTokens));
    }

    private List<Encoding> batch(int n, IntFunction<Encoding> encodeOne) {
        Encoding[] out = new Encoding[n];
        int chunks = (n + BATCH_CHUNK - 1) / BATCH_CHUNK;
        IntStream.range(0, chunks).parallel().forEach(chunk -> {
            int end = Math.min(n, (chunk + 1) * BATCH_CHUNK);
            for (int i = chunk * BATCH_CHUNK; i < end; i++) out[i] = encodeOne.apply(i);
        });
        return pad(Arrays.asList(out));
    }

    /**
     * Pads encodings together with this tokenizer's padding (to the longest of them, or the fixed
     * length), for callers that encode first and group into batches later. Without padding
     * settings the list is returned as it is.
     */
    public List<Encoding> pad(List<Encoding> batch) {
        if (padding == null || batch.isEmpty()) return batch;
        int longest = 0;
        for (Encoding e : batch) longest = Math.max(longest, e.size());
        int target = padding.targetLength(longest);
        List<Encoding> out = new ArrayList<>(batch.size());
        for (Encoding e : batch) out.add(pad(e, target, padding));
        return out;
    }

    private Encoding padOne(Encoding e) {
        return padding == null ? e : pad(e, padding.targetLength(e.size()), padding);
    }

    private Encoding encodeUnpadded(String first, String second, boolean addSpecialTokens) {
        Workspace ws = Workspace.get();
        try {
            tokenizeSequence(first, ws, ws.first);
            if (second != null) tokenizeSequence(second, ws, ws.second);
            TokenList b = second != null ? ws.second : null;
            truncate(ws.first, b, addSpecialTokens);
            return assemble(ws.first, b, addSpecialTokens);
        } finally {
            ws.trim();
        }
    }

    /** Added tokens, normalizer, pre-tokenizer and WordPiece on one text; offsets in both units. */
    private void tokenizeSequence(String text, Workspace ws, TokenList out) {
        out.clear();
        boolean cutLeft = truncation != null && truncation.side() == Side.LEFT;
        // Right truncation stops after the first model word that reaches the truncation length, as
        // HF 0.23 does (added tokens never stop it); left truncation cuts the same way from the end.
        // Only longest_first on pairs can tell: it compares the lengths after this cut.
        out.limit = truncation == null || cutLeft ? Integer.MAX_VALUE : truncation.maxLength();
        int n = text.length();
        char[] chars = ws.textCapacity(n);
        text.getChars(0, n, chars, 0);
        int segments = added.splitRaw(ws, n);
        int[] seg = ws.segments;  // the normalized split below writes ws.normSegments, not these
        for (int s = 0; s < segments; s++) {
            int start = seg[3 * s], end = seg[3 * s + 1], id = seg[3 * s + 2];
            if (id >= 0) {
                out.add(id, addedValue(id, chars, start, end), start, end, TokenList.ADDED);
            } else if (!tokenizeSegment(ws, start, end, out)) {
                break;
            }
        }
        if (cutLeft) {
            out.limit = truncation.maxLength();
            out.cutFromEnd();
        }
        out.computeCodePointOffsets(chars, n);
    }

    /** HF reports the matched text as the token (the stripped whitespace included). */
    private String addedValue(int id, char[] chars, int start, int end) {
        String content = added.byId(id).content();
        if (content.length() == end - start && content.contentEquals(CharBuffer.wrap(chars, start, end - start))) {
            return content;
        }
        return new String(chars, start, end - start);
    }

    /** Normalizes and tokenizes one raw segment; returns false when the sequence reached its limit. */
    private boolean tokenizeSegment(Workspace ws, int start, int end, TokenList out) {
        normalizeSegment(ws, start, end);
        if (!added.hasNormalizedTokens()) return words(ws, 0, ws.normLength, out);
        int segments = added.splitNormalized(ws);
        int[] seg = ws.normSegments;
        for (int s = 0; s < segments; s++) {
            int from = seg[3 * s], to = seg[3 * s + 1], id = seg[3 * s + 2];
            if (id >= 0) {
                out.add(id, new String(ws.norm, from, to - from), ws.normStart[from], ws.normEnd[to - 1], TokenList.ADDED);
            } else if (!words(ws, from, to, out)) {
                return false;
            }
        }
        return true;
    }

    private boolean words(Workspace ws, int from, int to, TokenList out) {
        BertPreTokenizer.WordSink toModel = (w, start, end, codePoints) -> {
            model.tokenize(w, start, end, codePoints, out);
            return !out.full();
        };
        // The list may already be full from an added token: that too ends the sequence.
        return split(ws, from, to, toModel) && !out.full();
    }

    private boolean split(Workspace ws, int from, int to, BertPreTokenizer.WordSink sink) {
        return preTokenize ? BertPreTokenizer.split(ws, from, to, sink) : BertPreTokenizer.whole(ws, from, to, sink);
    }

    /** No normalizer: the text as it is (a lone surrogate still reads as U+FFFD). */
    private static void identity(Workspace ws, int start, int end) {
        ws.normCapacity(end - start + 1);
        for (int i = start; i < end; i++) {
            char c = ws.text[i];
            boolean lone = Character.isHighSurrogate(c) ? i + 1 >= end || !Character.isLowSurrogate(ws.text[i + 1])
                    : Character.isLowSurrogate(c) && (i == start || !Character.isHighSurrogate(ws.text[i - 1]));
            int k = i - start;
            ws.norm[k] = lone ? '\uFFFD' : c;
            ws.normStart[k] = i;
            ws.normEnd[k] = i + 1;
        }
        // A surrogate pair aligns, as one character, with both of its units.
        for (int k = 0; k + 1 < end - start; k++) {
            if (Character.isHighSurrogate(ws.norm[k]) && Character.isLowSurrogate(ws.norm[k + 1])) {
                ws.normEnd[k] = ws.normEnd[k + 1];
                ws.normStart[k + 1] = ws.normStart[k];
                k++;
            }
        }
        ws.normLength = end - start;
    }

    // ---------------------------------------------------------------- words, for vocabulary work

    /**
     * The words of a text as WordPiece receives them: added tokens found in the text are left out,
     * the rest is normalized and split by the pre-tokenizer (HF: the normalizer's normalize_str,
     * then the pre-tokenizer's pre_tokenize_str, between the added tokens).
     */
    public List<String> words(String text) {
        Objects.requireNonNull(text, "text");
        List<String> words = new ArrayList<>();
        BertPreTokenizer.WordSink collect = (w, start, end, codePoints) -> {
            words.add(new String(w.norm, start, end - start));
            return true;
        };
        Workspace ws = Workspace.get();
        try {
            int n = text.length();
            text.getChars(0, n, ws.textCapacity(n), 0);
            int segments = added.splitRaw(ws, n);
            int[] seg = ws.segments;
            for (int s = 0; s < segments; s++) {
                if (seg[3 * s + 2] >= 0) continue;
                normalizeSegment(ws, seg[3 * s], seg[3 * s + 1]);
                if (!added.hasNormalizedTokens()) {
                    split(ws, 0, ws.normLength, collect);
                    continue;
                }
                int normSegments = added.splitNormalized(ws);
                int[] norm = ws.normSegments;
                for (int k = 0; k < normSegments; k++) {
                    if (norm[3 * k + 2] < 0) split(ws, norm[3 * k], norm[3 * k + 1], collect);
                }
            }
            return words;
        } finally {
            ws.trim();
        }
    }

    /** The text after the normalizer (HF's normalize_str); the text itself when there is none. */
    public String normalize(String text) {
        Objects.requireNonNull(text, "text");
        if (normalizer == null) return text;
        Workspace ws = Workspace.get();
        try {
            int n = text.length();
            text.getChars(0, n, ws.textCapacity(n), 0);
            normalizer.normalize(ws, 0, n);
            return new String(ws.norm, 0, ws.normLength);
        } finally {
            ws.trim();
        }
    }

    /**
     * The WordPiece tokens of one word as HF's model.tokenize gives them: the longest vocabulary
     * matches, continuations with their prefix, or the unknown token alone. The word is taken as it
     * is: normalize and split a text with {@link #words} first.
     */
    public List<String> wordPieces(String word) {
        Objects.requireNonNull(word, "word");
        if (word.isEmpty()) return List.of();
        Workspace ws = Workspace.get();
        try {
            int n = word.length();
            ws.normCapacity(n);
            word.getChars(0, n, ws.norm, 0);
            for (int k = 0; k < n; k++) {
                ws.normStart[k] = k;
                ws.normEnd[k] = k + 1;
            }
            ws.normLength = n;
            TokenList pieces = new TokenList();
            model.tokenize(ws, 0, n, word.codePointCount(0, n), pieces);
            return List.of(Arrays.copyOf(pieces.values, pieces.size));
        } finally {
            ws.trim();
        }
    }

    private void normalizeSegment(Workspace ws, int start, int end) {
        if (normalizer != null) {
            normalizer.normalize(ws, start, end);
        } else {
            identity(ws, start, end);
        }
    }

    // ---------------------------------------------------------------- truncation, template, padding

    /** HF's truncate_encodings, with the budget reduced by the special tokens the template adds. */
    private void truncate(TokenList a, TokenList b, boolean addSpecialTokens) {
        if (truncation == null) return;
        int maxLength = truncation.maxLength();
        if (addSpecialTokens) {
            int specials = template.addedTokens(b != null);
            if (maxLength < specials) {
                throw new TokenizationException("truncation max length " + maxLength + " is smaller than the "
                        + specials + " special tokens the template adds to " + (b != null ? "a pair" : "one sequence"));
            }
            maxLength -= specials;
        }
        boolean left = truncation.side() == Side.LEFT;
        if (maxLength == 0) {
            a.keep(0, left);
            if (b != null) b.keep(0, left);
            return;
        }
        int total = a.size + (b != null ? b.size : 0);
        if (total <= maxLength) return;
        int toRemove = total - maxLength;
        switch (truncation.strategy()) {
            case LONGEST_FIRST -> {
                if (b == null) {
                    a.keep(maxLength, left);
                    return;
                }
                int n1 = a.size, n2 = b.size;
                boolean swap = n1 > n2;
                if (swap) {
                    int t = n1;
                    n1 = n2;
                    n2 = t;
                }
                n2 = n1 > maxLength ? n1 : Math.max(n1, maxLength - n1);
                if (n1 + n2 > maxLength) {
                    n1 = maxLength / 2;
                    n2 = n1 + maxLength % 2;
                }
                a.keep(swap ? n2 : n1, left);
                b.keep(swap ? n1 : n2, left);
            }
            case ONLY_FIRST, ONLY_SECOND -> {
                boolean first = truncation.strategy() == TruncationStrategy.ONLY_FIRST;
                if (!first && b == null) {
                    throw new TokenizationException("truncation only_second needs a pair of texts, got one text");
                }
                TokenList target = first ? a : b;
                if (target.size <= toRemove) {
                    throw new TokenizationException("truncation " + truncation.strategy().hfName() + " to max length "
                            + truncation.maxLength() + " must remove " + toRemove + " tokens but the "
                            + (first ? "first" : "second") + " text has only " + target.size);
                }
                target.keep(target.size - toRemove, left);
            }
        }
    }

    /** Lays out the sequences and the template's special tokens into an Encoding. */
    private Encoding assemble(TokenList a, TokenList b, boolean addSpecialTokens) {
        List<Template.Piece> pieces = b == null ? template.single() : template.pair();
        int length = 0;
        for (Template.Piece piece : pieces) {
            switch (piece) {
                case Template.Special s -> length += addSpecialTokens ? s.ids().length : 0;
                case Template.Sequence q -> length += q.second() ? (b != null ? b.size : 0) : a.size;
            }
        }
        int[] ids = new int[length], typeIds = new int[length], starts = new int[length], ends = new int[length];
        int[] utf16Starts = new int[length], utf16Ends = new int[length], mask = new int[length],
                special = new int[length];
        String[] tokens = new String[length];
        Arrays.fill(mask, 1);
        int k = 0;
        for (Template.Piece piece : pieces) {
            switch (piece) {
                case Template.Special s -> {
                    if (!addSpecialTokens) continue;
                    for (int j = 0; j < s.ids().length; j++, k++) {
                        ids[k] = s.ids()[j];
                        tokens[k] = s.tokens()[j];
                        typeIds[k] = s.typeId();
                        special[k] = 1;
                    }
                }
                case Template.Sequence q -> {
                    TokenList t = q.second() ? b : a;
                    if (t == null) continue;
                    int n = t.size;
                    System.arraycopy(t.ids, 0, ids, k, n);
                    System.arraycopy(t.values, 0, tokens, k, n);
                    System.arraycopy(t.cpStarts, 0, starts, k, n);
                    System.arraycopy(t.cpEnds, 0, ends, k, n);
                    System.arraycopy(t.starts, 0, utf16Starts, k, n);
                    System.arraycopy(t.ends, 0, utf16Ends, k, n);
                    Arrays.fill(typeIds, k, k + n, q.typeId());
                    k += n;
                }
            }
        }
        return new Encoding(ids, typeIds, tokens, starts, ends, utf16Starts, utf16Ends, mask, special);
    }

    private static Encoding pad(Encoding e, int target, Padding p) {
        int n = e.size();
        if (n >= target) return e;
        int pads = target - n, at = p.side() == Side.RIGHT ? 0 : pads;
        int[] ids = new int[target], typeIds = new int[target], starts = new int[target], ends = new int[target];
        int[] utf16Starts = new int[target], utf16Ends = new int[target], mask = new int[target],
                special = new int[target];
        String[] tokens = new String[target];
        int padFrom = p.side() == Side.RIGHT ? n : 0;
        Arrays.fill(ids, padFrom, padFrom + pads, p.padId());
        Arrays.fill(typeIds, padFrom, padFrom + pads, p.padTypeId());
        Arrays.fill(tokens, padFrom, padFrom + pads, p.padToken());
        Arrays.fill(special, padFrom, padFrom + pads, 1);
        System.arraycopy(e.ids(), 0, ids, at, n);
        System.arraycopy(e.typeIds(), 0, typeIds, at, n);
        System.arraycopy(e.tokens(), 0, tokens, at, n);
        System.arraycopy(e.starts(), 0, starts, at, n);
        System.arraycopy(e.ends(), 0, ends, at, n);
        System.arraycopy(e.utf16Starts(), 0, utf16Starts, at, n);
        System.arraycopy(e.utf16Ends(), 0, utf16Ends, at, n);
        System.arraycopy(e.attentionMask(), 0, mask, at, n);
        System.arraycopy(e.specialTokensMask(), 0, special, at, n);
        return new Encoding(ids, typeIds, tokens, starts, ends, utf16Starts, utf16Ends, mask, special);
    }

    // ---------------------------------------------------------------- decoding and vocabulary

    /**
     * Turns ids back into text as HF's decode does: unknown ids are skipped, special tokens too when
     * asked, then the WordPiece decoder joins the pieces and cleans up spaces before punctuation.
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            String token = idToTokenOrNull(id);
            if (token == null || (skipSpecialTokens && added.isSpecial(token))) continue;
            tokens.add(token);
        }
        return decoder != null ? decoder.decode(tokens) : String.join(" ", tokens);
    }

    /** Vocabulary size with added tokens, as HF's get_vocab_size(with_added_tokens=True). */
    public int vocabSize() {
        int n = model.vocab().size();
        for (AddedToken t : added.tokens()) {
            if (!t.content().isEmpty() && model.vocab().id(t.content()) != t.id()) n++;
        }
        return n;
    }

    /** Id of a token (added tokens by their content first, then the model vocabulary). */
    public OptionalInt tokenToId(String token) {
        int id = added.id(token);
        if (id < 0) id = model.vocab().id(token);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Token string of an id (added tokens first, then the model vocabulary). */
    public Optional<String> idToToken(int id) {
        return Optional.ofNullable(idToTokenOrNull(id));
    }

    private String idToTokenOrNull(int id) {
        String token = added.token(id);
        return token != null ? token : model.vocab().token(id);
    }

    /** The unknown token of the WordPiece model (it may be missing from the vocabulary). */
    public String unkToken() {
        return model.unkToken();
    }

    /** Longest word, in code points, WordPiece splits; a longer one becomes the unknown token. */
    public int maxInputCharsPerWord() {
        return model.maxInputCharsPerWord();
    }

    /** Added and special tokens, in declaration order. */
    public List<AddedToken> addedTokens() {
        return added.tokens();
    }

    /** The normalizer's options, or empty when the tokenizer has no normalizer. */
    public Optional<NormalizerOptions> normalizerOptions() {
        return normalizer == null ? Optional.empty() : Optional.of(normalizer.options());
    }

    /** Number of special tokens the template adds to one text, or to a pair. */
    public int specialTokensAdded(boolean pair) {
        return template.addedTokens(pair);
    }

    public Optional<Truncation> truncation() {
        return Optional.ofNullable(truncation);
    }

    public Optional<Padding> padding() {
        return Optional.ofNullable(padding);
    }

    // ---------------------------------------------------------------- derived tokenizers

    /** This tokenizer with the given truncation (replacing any preset). */
    public BertTokenizer withTruncation(Truncation newTruncation) {
        Objects.requireNonNull(newTruncation, "truncation");
        return new BertTokenizer(normalizer, preTokenize, model, added, template, decoder, newTruncation, padding);
    }

    public BertTokenizer withoutTruncation() {
        return new BertTokenizer(normalizer, preTokenize, model, added, template, decoder, null, padding);
    }

    /**
     * This tokenizer with the given padding (replacing any preset). A pad id of -1 is looked up from
     * the pad token.
     *
     * @throws TokenizerConfigException when the pad token is not in the vocabulary
     */
    public BertTokenizer withPadding(Padding newPadding) {
        Objects.requireNonNull(newPadding, "padding");
        return new BertTokenizer(normalizer, preTokenize, model, added, template, decoder, truncation,
                resolvePadId(newPadding));
    }

    public BertTokenizer withoutPadding() {
        return new BertTokenizer(normalizer, preTokenize, model, added, template, decoder, truncation, null);
    }

    Padding resolvePadId(Padding p) {
        if (p.padId() >= 0) return p;
        OptionalInt id = tokenToId(p.padToken());
        if (id.isEmpty()) {
            throw new TokenizerConfigException("padding: pad token " + p.padToken()
                    + " is not in the vocabulary; give its id or another pad token");
        }
        return p.withPadToken(p.padToken(), id.getAsInt());
    }
}
