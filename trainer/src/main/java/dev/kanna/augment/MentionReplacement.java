/*
 * Label-preserving augmentation for token classification, after Dai & Adel 2020 ("An Analysis of
 * Simple Data Augmentation for Named Entity Recognition"). Each new sentence applies, in order:
 *
 *   mention  each mention (entity span as the metrics read it, Entities.of) is, with probability
 *            alpha (a uniform draw u < alpha), replaced by another mention of the same type drawn
 *            at random from the training data's distinct mentions of that type (none other: kept);
 *            its tags are rewritten in the sentence's scheme (IOB1: the first tag keeps its B-/I-
 *            prefix; IOB2 B- I-…; IOBES B- I-… E- or S-; BILOU B- I-… L- or U-)
 *   synonym  each term outside mentions that may be replaced (as EDA's: not a stop word, not
 *            protected, with synonyms) is, with probability alpha, replaced by one of its synonyms
 *            drawn at random; a multi-word synonym becomes several words, all tagged O
 *
 * Mentions keep their type and the words around them their tags, so every new sentence is valid
 * in its scheme. A mention spelling a protected term is never replaced.
 */
package dev.kanna.augment;

import dev.kanna.data.TaggedSentence;
import dev.kanna.metrics.Entities;
import dev.kanna.metrics.TagScheme;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

public final class MentionReplacement implements Augmenter<TaggedSentence> {
    private final Map<String, List<List<String>>> mentions;   // type → distinct mentions' words, first seen first
    private final TagScheme scheme;
    private final boolean replaceMentions, replaceSynonyms;
    private final double alpha;
    private final Synonyms synonyms;
    private final ProtectedTerms protect;
    private final String description;

    /** training: the sentences mentions are drawn from; scheme: the one tags are written in. */
    public MentionReplacement(Augmentation augmentation, String task, List<TaggedSentence> training, TagScheme scheme) {
        List<Operation> ops = augmentation.operations(Operation.TAGGED, task);
        this.replaceMentions = ops.contains(Operation.MENTION);
        this.replaceSynonyms = ops.contains(Operation.SYNONYM);
        this.alpha = augmentation.settings().alpha();
        this.synonyms = augmentation.synonyms();
        this.protect = augmentation.protect();
        this.scheme = scheme;
        Map<String, Set<List<String>>> pool = new LinkedHashMap<>();
        for (TaggedSentence s : training) {
            for (Entities.Span m : Entities.of(s.tags())) {
                pool.computeIfAbsent(m.type(), t -> new LinkedHashSet<>()).add(List.copyOf(s.words().subList(m.start(), m.end())));
            }
        }
        this.mentions = new LinkedHashMap<>();
        pool.forEach((type, set) -> mentions.put(type, List.copyOf(set)));
        this.description = augmentation.describe(ops, Operation.TAGGED) + "; " + scheme + " tags, mentions of "
                + mentions.size() + " types";
    }

    @Override
    public List<TaggedSentence> augment(TaggedSentence row, int copies, RandomGenerator random) {
        List<TaggedSentence> out = new ArrayList<>(copies);
        for (int c = 0; c < copies; c++) out.add(one(row, random));
        return out;
    }

    private TaggedSentence one(TaggedSentence sentence, RandomGenerator random) {
        List<String> words = sentence.words(), tags = sentence.tags();
        List<Entities.Span> spans = Entities.of(tags);
        // Mention replacement: one draw per mention, in order.
        List<List<String>> replacement = new ArrayList<>();
        for (Entities.Span m : spans) {
            List<String> chosen = null;
            if (replaceMentions && random.nextDouble() < alpha) {
                List<String> own = words.subList(m.start(), m.end());
                if (!protect.contains(Lexicon.termKey(String.join(" ", own)))) {
                    List<List<String>> others = new ArrayList<>(mentions.getOrDefault(m.type(), List.of()));
                    others.remove(own);
                    if (!others.isEmpty()) chosen = others.get(random.nextInt(others.size()));
                }
            }
            replacement.add(chosen);
        }
        // Synonym replacement outside mentions: one draw per replaceable term, in order.
        boolean[] free = new boolean[words.size()];
        java.util.Arrays.fill(free, true);
        for (Entities.Span m : spans) for (int i = m.start(); i < m.end(); i++) free[i] = false;
        List<String> keys = words.stream().map(Words::key).toList();
        for (int i = 0; i < words.size(); ) {
            int p = protect.longestMatch(keys, i);
            for (int k = i; k < i + p; k++) free[k] = false;
            i += Math.max(1, p);
        }
        Map<Integer, Eda.Span> synonymAt = new LinkedHashMap<>();
        Map<Integer, String> synonymOf = new LinkedHashMap<>();
        if (replaceSynonyms) {
            for (Eda.Span s : Eda.spans(keys, free, synonyms)) {
                if (!free[s.from()] || !Eda.replaceable(s, synonyms, protect)) continue;
                if (random.nextDouble() < alpha) {
                    List<String> options = synonyms.of(s.key());
                    synonymAt.put(s.from(), s);
                    synonymOf.put(s.from(), options.get(random.nextInt(options.size())));
                }
            }
        }
        List<String> newWords = new ArrayList<>(), newTags = new ArrayList<>();
        int next = 0;   // the next mention
        for (int i = 0; i < words.size(); ) {
            if (next < spans.size() && spans.get(next).start() == i) {
                Entities.Span m = spans.get(next);
                List<String> chosen = replacement.get(next++);
                List<String> mentionWords = chosen != null ? chosen : words.subList(m.start(), m.end());
                newWords.addAll(mentionWords);
                newTags.addAll(chosen != null ? tags(m.type(), mentionWords.size(), tags.get(m.start())) : tags.subList(m.start(), m.end()));
                i = m.end();
            } else if (synonymAt.containsKey(i)) {
                Eda.Span s = synonymAt.get(i);
                for (String w : Words.replace(words, s.from(), s.to(), synonymOf.get(i))) {
                    newWords.add(w);
                    newTags.add("O");
                }
                i = s.to();
            } else {
                newWords.add(words.get(i));
                newTags.add(tags.get(i));
                i++;
            }
        }
        return new TaggedSentence(newWords, newTags, sentence.line());
    }

    /** The tags of a mention of `length` words and this type in the scheme; first: the replaced mention's first tag. */
    List<String> tags(String type, int length, String first) {
        List<String> out = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            boolean start = i == 0, end = i == length - 1;
            String prefix = switch (scheme) {
                case IOB1 -> start ? first.substring(0, 1) : "I";
                case IOB2 -> start ? "B" : "I";
                case IOBES -> start && end ? "S" : start ? "B" : end ? "E" : "I";
                case BILOU -> start && end ? "U" : start ? "B" : end ? "L" : "I";
            };
            out.add(prefix + "-" + type);
        }
        return out;
    }

    @Override
    public String describe() {
        return "mention and synonym replacement: " + description;
    }
}
