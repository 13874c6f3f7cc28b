/*
 * Token classification (NER), as transformers' BertForTokenClassification with run_ner's data
 * handling: CoNLL or JSONL sentences of words and tags, each word tokenized on its own, its tag on
 * its first piece; a long sentence is split into overlapping windows (TokenWindows) rather than
 * truncated. Cross-entropy over the labelled pieces; entity-level precision/recall/F1 as seqeval's
 * default mode (conlleval rules) over word tags, and token (word) accuracy.
 *
 * Predictions on raw text: the line is tokenized as the model's own pre-tokenizer splits it (a
 * word = a piece and the ## pieces after it), each word takes the tag of its first piece
 * (transformers' pipeline, aggregation_strategy="first"), and words group into entities by the
 * conlleval rules the metrics use (for IOB1/IOB2 tags exactly the pipeline's grouping: a B- tag or
 * a change of type starts an entity; unlike the pipeline, E-/S- (and L-/U-) tags close entities as
 * they mean to). Each entity carries character offsets into the line, counted in code points as
 * Python strings and the pipeline count them, and the mean of its words' probabilities.
 */
package dev.kanna.task;

import dev.kanna.augment.Augmentation;
import dev.kanna.augment.Augmenter;
import dev.kanna.augment.MentionReplacement;
import dev.kanna.backend.Backend;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertForTokenClassification;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.TaskModel;
import dev.kanna.bert.WeightSource;
import dev.kanna.data.DatasetException;
import dev.kanna.data.Example;
import dev.kanna.data.LabelMapping;
import dev.kanna.data.TagSet;
import dev.kanna.data.TaggedDatasetReader;
import dev.kanna.data.TaggedSentence;
import dev.kanna.metrics.Entities;
import dev.kanna.metrics.EntityMetrics;
import dev.kanna.metrics.TagScheme;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.train.Loss;
import dev.kanna.train.Targets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

public final class TokenClassification implements Task<TaggedSentence, TokenClassification.Data> {
    public static final String NAME = "token-classification";

    /** Windows plus what predictions need: each input's words as spans of its line, in code points. */
    public record Data(TokenWindows windows, List<String> lines, int[][] wordStarts, int[][] wordEnds)
            implements TaskData {
        @Override
        public int size() {
            return windows.size();
        }

        @Override
        public int length(int i) {
            return windows.length(i);
        }

        @Override
        public dev.kanna.bert.Batch batch(int[] indices) {
            return windows.batch(indices);
        }

        @Override
        public Targets targets(int[] indices) {
            return windows.targets(indices);
        }

        @Override
        public int row(int example) {
            return windows.sentence(example);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> metricNames() {
        return EntityMetrics.NAMES;
    }

    @Override
    public List<TaggedSentence> read(Path file, DataOptions options) {
        return TaggedDatasetReader.read(file, options.tagFields());
    }

    @Override
    public List<String> labels(List<TaggedSentence> training, Path file) {
        List<String> tags = TagSet.fromTraining(training, file).tags();
        if (tags.size() < 2) {
            throw new DatasetException(file + ": every word has the tag \"" + tags.getFirst()
                    + "\"; token classification needs at least two tags");
        }
        return tags;
    }

    /** Related-domain sentences: each tag mapped (by its whole name, B-Chemical → B-Disease) and checked. */
    @Override
    public List<TaggedSentence> relabel(List<TaggedSentence> rows, List<String> labels, LabelMapping mapping, Path file) {
        mapping.checkedAgainst(labels);
        List<TaggedSentence> out = new ArrayList<>(rows.size());
        for (TaggedSentence s : rows) {
            List<String> tags = new ArrayList<>(s.tags().size());
            for (int i = 0; i < s.tags().size(); i++) {
                tags.add(mapping.apply(s.tags().get(i), labels, file, TaggedDatasetReader.lineOf(s, i, file)));
            }
            out.add(new TaggedSentence(s.words(), tags, s.line()));
        }
        return out;
    }

    @Override
    public Data encode(BertTokenizer tokenizer, List<TaggedSentence> rows, List<String> labels, DataOptions options,
                       Path file) {
        TagSet tagSet = new TagSet(labels);
        if (options.scheme() != null) checkScheme(rows, options.scheme(), file);
        BertTokenizer words = plain(tokenizer);
        int[][][] pieces = new int[rows.size()][][];
        int[][] tags = new int[rows.size()][];
        for (int s = 0; s < rows.size(); s++) {
            List<String> sentence = rows.get(s).words();
            pieces[s] = new int[sentence.size()][];
            for (int w = 0; w < sentence.size(); w++) pieces[s][w] = words.encode(sentence.get(w), false).ids();
            tags[s] = tagSet.ids(rows.get(s), file);
        }
        int[] inside = options.labelAllTokens() ? insideTags(labels) : null;
        return new Data(windows(tokenizer, pieces, tags, inside, options), null, null, null);
    }

    /** Every tag must be valid in the scheme: the first that is not is one error naming its sentence. */
    private static void checkScheme(List<TaggedSentence> rows, TagScheme scheme, Path file) {
        for (TaggedSentence sentence : rows) {
            for (String tag : sentence.tags()) {
                try {
                    scheme.validate(tag);
                } catch (IllegalArgumentException e) {
                    throw new DatasetException(file + ":" + sentence.line() + ": " + e.getMessage());
                }
            }
        }
    }

    @Override
    public Data encodeInputs(BertTokenizer tokenizer, List<Example> inputs, DataOptions options) {
        BertTokenizer plain = plain(tokenizer);
        int n = inputs.size();
        int[][][] pieces = new int[n][][];
        int[][] starts = new int[n][], ends = new int[n][];
        List<String> lines = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
            String line = inputs.get(s).text();
            lines.add(line);
            Encoding e = plain.encode(line, false);
            List<int[]> groups = new ArrayList<>();   // {first piece, end piece}
            for (int k = 0; k < e.size(); k++) {
                if (groups.isEmpty() || !e.tokens()[k].startsWith("##")) groups.add(new int[]{k, k + 1});
                else groups.getLast()[1] = k + 1;
            }
            pieces[s] = new int[groups.size()][];
            starts[s] = new int[groups.size()];
            ends[s] = new int[groups.size()];
            for (int w = 0; w < groups.size(); w++) {
                int[] g = groups.get(w);
                pieces[s][w] = java.util.Arrays.copyOfRange(e.ids(), g[0], g[1]);
                starts[s][w] = e.starts()[g[0]];
                ends[s][w] = e.ends()[g[1] - 1];
            }
        }
        return new Data(windows(tokenizer, pieces, null, null, options), lines, starts, ends);
    }

    private static BertTokenizer plain(BertTokenizer tokenizer) {
        return tokenizer.withoutTruncation().withoutPadding();
    }

    private static TokenWindows windows(BertTokenizer tokenizer, int[][][] pieces, int[][] tags, int[] inside,
                                        DataOptions options) {
        return new TokenWindows(pieces, tags, inside, options.maxLength(), options.stride(), special(tokenizer, "[CLS]"),
                special(tokenizer, "[SEP]"), tokenizer.tokenToId("[PAD]").orElse(0));
    }

    private static int special(BertTokenizer tokenizer, String token) {
        return tokenizer.tokenToId(token).orElseThrow(() ->
                new IllegalArgumentException("the tokenizer has no " + token + " token"));
    }

    /** [tag] the tag a word's later pieces get under --label-all-tokens: B-X → I-X when I-X exists, else itself. */
    static int[] insideTags(List<String> labels) {
        int[] inside = new int[labels.size()];
        for (int t = 0; t < inside.length; t++) {
            String tag = labels.get(t);
            int i = tag.startsWith("B-") ? labels.indexOf("I-" + tag.substring(2)) : -1;
            inside[t] = i >= 0 ? i : t;
        }
        return inside;
    }

    /** Mention replacement and synonym replacement outside mentions, tags in --scheme or the training data's. */
    @Override
    public Augmenter<TaggedSentence> augmenter(Augmentation augmentation, List<TaggedSentence> training,
                                               DataOptions options) {
        TagScheme scheme = options.scheme() != null ? options.scheme()
                : TagScheme.detect(training.stream().map(TaggedSentence::tags).toList());
        return new MentionReplacement(augmentation, NAME, training, scheme);
    }

    @Override
    public BertConfig configure(BertConfig base, List<String> labels) {
        return base.withLabels(labels).withProblemType(null);
    }

    @Override
    public TaskModel load(WeightSource weights, BertConfig config, Backend backend, LoadOptions options) {
        return BertForTokenClassification.load(weights, config, backend, options);
    }

    @Override
    public Loss loss(Data train, LossOptions options) {
        if (options.classWeightsAuto()) {
            throw new IllegalArgumentException("--class-weights applies to sequence classification, not to " + NAME);
        }
        return new Loss.CrossEntropy(null, (float) options.labelSmoothing());
    }

    @Override
    public Evaluation evaluate(Data data, float[][] outputs, List<String> labels) {
        TokenWindows w = data.windows();
        int k = labels.size();
        double lossSum = 0;
        long labelled = 0;
        for (int window = 0; window < w.size(); window++) {
            int[] y = ((Targets.Classes) w.targets(new int[]{window})).labels();
            for (int t = 0; t < y.length; t++) {
                if (y[t] < 0) continue;
                float[] row = java.util.Arrays.copyOfRange(outputs[window], t * k, (t + 1) * k);
                lossSum += SequenceClassification.logSumExp(row) - row[y[t]];
                labelled++;
            }
        }
        List<List<String>> gold = new ArrayList<>();
        for (int s = 0; s < w.sentences(); s++) {
            List<String> g = new ArrayList<>(w.words(s));
            for (int word = 0; word < w.words(s); word++) g.add(labels.get(w.tag(s, word)));
            gold.add(g);
        }
        List<List<String>> predicted = wordTags(w, outputs, labels);
        return new Evaluation(labelled == 0 ? Double.NaN : lossSum / labelled, w.sentences(),
                EntityMetrics.of(gold, predicted));
    }

    /** Each sentence with a missed (gold, not predicted) or spurious (predicted, not gold) entity, with both lists. */
    @Override
    public List<Map<String, Object>> errors(List<TaggedSentence> rows, Data data, float[][] outputs, List<String> labels) {
        List<List<String>> predicted = wordTags(data.windows(), outputs, labels);
        List<Map<String, Object>> errors = new ArrayList<>();
        for (int s = 0; s < rows.size(); s++) {
            TaggedSentence sentence = rows.get(s);
            List<Entities.Span> gold = Entities.of(sentence.tags()), found = Entities.of(predicted.get(s));
            List<Map<String, Object>> missed = spans(sentence, gold, found), spurious = spans(sentence, found, gold);
            if (missed.isEmpty() && spurious.isEmpty()) continue;
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("line", sentence.line());
            e.put("sentence", String.join(" ", sentence.words()));
            e.put("missed", missed);
            e.put("spurious", spurious);
            errors.add(e);
        }
        return errors;
    }

    /** The spans of these that are not among others, each with its type, word range and words. */
    private static List<Map<String, Object>> spans(TaggedSentence sentence, List<Entities.Span> these,
                                                   List<Entities.Span> others) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Entities.Span span : these) {
            if (others.contains(span)) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", span.type());
            m.put("start_word", span.start());
            m.put("end_word", span.end());
            m.put("text", String.join(" ", sentence.words().subList(span.start(), span.end())));
            out.add(m);
        }
        return out;
    }

    /** Each sentence's predicted word tags: the first piece's most probable tag; O for a word without pieces. */
    private static List<List<String>> wordTags(TokenWindows w, float[][] outputs, List<String> labels) {
        List<List<String>> predicted = new ArrayList<>(w.sentences());
        for (int s = 0; s < w.sentences(); s++) {
            List<String> p = new ArrayList<>(w.words(s));
            for (int word = 0; word < w.words(s); word++) {
                float[] logits = wordLogits(w, outputs, s, word, labels.size());
                p.add(logits == null ? "O" : labels.get(SequenceClassification.argmax(logits)));
            }
            predicted.add(p);
        }
        return predicted;
    }

    /** The logits of a word's first piece in its owner window, or null for a word without pieces. */
    private static float[] wordLogits(TokenWindows w, float[][] outputs, int sentence, int word, int k) {
        int window = w.owner(sentence, word);
        if (window < 0) return null;
        int at = w.position(sentence, word) * k;
        return java.util.Arrays.copyOfRange(outputs[window], at, at + k);
    }

    /** Folds by the entity types each sentence holds (a sentence without entities holds none). */
    @Override
    public Stratification stratification(List<TaggedSentence> rows) {
        List<SortedSet<String>> types = new ArrayList<>(rows.size());
        for (TaggedSentence sentence : rows) {
            SortedSet<String> present = new TreeSet<>();
            for (Entities.Span span : Entities.of(sentence.tags())) present.add(span.type());
            types.add(present);
        }
        return new Stratification.ByClasses(types, "entity type");
    }

    /** A softmax over the tags of each token: an ensemble averages per-token probabilities before entities are decoded. */
    @Override
    public Link link() {
        return Link.SOFTMAX;
    }

    @Override
    public List<Map<String, Object>> predictions(Data data, float[][] outputs, List<String> labels) {
        TokenWindows w = data.windows();
        int k = labels.size();
        List<Map<String, Object>> out = new ArrayList<>(w.sentences());
        for (int s = 0; s < w.sentences(); s++) {
            List<String> tags = new ArrayList<>(w.words(s));
            double[] scores = new double[w.words(s)];
            for (int word = 0; word < w.words(s); word++) {
                float[] logits = wordLogits(w, outputs, s, word, k);
                if (logits == null) {
                    tags.add("O");
                    continue;
                }
                float[] p = SequenceClassification.softmax(logits);
                int best = SequenceClassification.argmax(p);
                tags.add(labels.get(best));
                scores[word] = p[best];
            }
            List<Map<String, Object>> entities = new ArrayList<>();
            for (Entities.Span span : Entities.of(tags)) {
                double sum = 0;
                for (int word = span.start(); word < span.end(); word++) sum += scores[word];
                entities.add(entity(span.type(), data.lines().get(s), data.wordStarts()[s][span.start()],
                        data.wordEnds()[s][span.end() - 1], sum / (span.end() - span.start())));
            }
            out.add(Map.of("entities", entities));
        }
        return out;
    }

    /** start and end in code points. */
    private static Map<String, Object> entity(String type, String line, int start, int end, double score) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("label", type);
        e.put("start", start);
        e.put("end", end);
        e.put("text", line.substring(line.offsetByCodePoints(0, start), line.offsetByCodePoints(0, end)));
        e.put("score", score);
        return e;
    }
}
