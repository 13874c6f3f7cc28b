package dev.kanna.pretrain;

import dev.kanna.data.Example;
import dev.kanna.data.TextCorpus;
import dev.kanna.task.DataOptions;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.train.Targets;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Dynamic masking: the tiny model's tokenizer over tiny/pretrain/train.txt, packed into blocks of 64.
 * Each epoch draws its own masks from (seed, epoch, example) alone, so the same epoch gives the same
 * masked inputs however it is reached (what --resume relies on), and another epoch other ones; the
 * data as encoded holds the fixed draw validation uses.
 */
class MaskedLmDataTest {
    private static final int MAX_LENGTH = 64;

    private static Path tiny(String path) {
        try {
            return Path.of(MaskedLmDataTest.class.getResource("/tiny/model/config.json").toURI()).getParent()
                    .resolveSibling(path);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MaskedLmData encode(MaskedLanguageModeling.Settings settings) throws Exception {
        BertTokenizer tokenizer = BertTokenizer.load(tiny("model"));
        Path text = tiny("pretrain/train.txt");
        List<Example> rows = TextCorpus.read(text, null);
        return new MaskedLanguageModeling(settings).encode(tokenizer, rows, List.of(), DataOptions.defaults(MAX_LENGTH), text);
    }

    private static MaskedLmData encode(long seed) throws Exception {
        return encode(new MaskedLanguageModeling.Settings(0.15, false, MaskedLanguageModeling.Packing.BLOCKS, seed));
    }

    private static int[] all(MaskedLmData data) {
        return IntStream.range(0, data.size()).toArray();
    }

    /** The masked input ids of every example, flattened (every block has the same length). */
    private static int[] inputs(MaskedLmData data) {
        return data.batch(all(data)).inputIds();
    }

    private static Targets.Selected targets(MaskedLmData data) {
        return (Targets.Selected) data.targets(all(data));
    }

    /** The unmasked ids: the label where a position was selected, the input elsewhere. */
    private static int[] original(MaskedLmData data) {
        int[] ids = inputs(data).clone();
        Targets.Selected t = targets(data);
        for (int k = 0; k < t.rows().length; k++) ids[t.rows()[k]] = t.labels()[k];
        return ids;
    }

    @Test
    void eachEpochDrawsItsOwnMasksAndTheSameEpochTheSameOnes() throws Exception {
        MaskedLmData data = encode(42);
        assertEquals(3427 / MAX_LENGTH, data.size(), "3,427 tokens in blocks of 64, the remainder dropped");
        for (int i = 0; i < data.size(); i++) assertEquals(MAX_LENGTH, data.length(i));

        assertSame(data, data.forEpoch(-1), "as encoded: the fixed draw (epoch -1)");
        MaskedLmData epoch0 = (MaskedLmData) data.forEpoch(0), epoch1 = (MaskedLmData) data.forEpoch(1);
        assertSame(epoch0, epoch0.forEpoch(0));
        MaskedLmData again = (MaskedLmData) epoch1.forEpoch(0);
        assertNotSame(epoch0, again);
        assertArrayEquals(inputs(epoch0), inputs(again), "epoch 0 drawn again (as a resumed run does): the same masks");
        assertArrayEquals(targets(epoch0).rows(), targets(again).rows());
        assertArrayEquals(targets(epoch0).labels(), targets(again).labels());

        assertFalse(java.util.Arrays.equals(inputs(epoch0), inputs(epoch1)), "epochs 0 and 1 mask differently");
        assertFalse(java.util.Arrays.equals(targets(epoch0).rows(), targets(epoch1).rows()));
        assertFalse(java.util.Arrays.equals(inputs(data), inputs(epoch0)), "the fixed draw is none of the epochs'");

        // Every draw corrupts the same text, and selects about 15% of the tokens.
        int[] text = original(data);
        for (MaskedLmData d : List.of(epoch0, epoch1, again)) {
            assertArrayEquals(text, original(d));
            double share = targets(d).rows().length / (double) text.length;
            assertTrue(share > 0.10 && share < 0.20, "selected share " + share);
        }
        // In every block, a good share of positions selected in one epoch is not in the other.
        var rows0 = java.util.Arrays.stream(targets(epoch0).rows()).boxed().collect(java.util.stream.Collectors.toSet());
        long both = java.util.Arrays.stream(targets(epoch1).rows()).filter(rows0::contains).count();
        assertTrue(both < rows0.size() / 2, both + " of " + rows0.size() + " positions selected in both epochs");
    }

    @Test
    void theFixedDrawDependsOnTheSeedAlone() throws Exception {
        MaskedLmData a = encode(42), b = encode(42), c = encode(7);
        assertArrayEquals(inputs(a), inputs(b), "validation masks: the same for the same seed");
        assertArrayEquals(targets(a).rows(), targets(b).rows());
        assertArrayEquals(inputs((MaskedLmData) a.forEpoch(3)), inputs((MaskedLmData) b.forEpoch(3)));
        assertFalse(java.util.Arrays.equals(inputs(a), inputs(c)), "another seed, other masks");
        assertArrayEquals(original(a), original(c), "of the same text");
    }

    @Test
    void wholeWordMasksAlsoChangeWithTheEpoch() throws Exception {
        MaskedLmData data = encode(new MaskedLanguageModeling.Settings(0.15, true, MaskedLanguageModeling.Packing.LINES, 42));
        assertEquals(48, data.size(), "--packing lines: one sequence per line");
        MaskedLmData epoch0 = (MaskedLmData) data.forEpoch(0), epoch1 = (MaskedLmData) data.forEpoch(1);
        assertArrayEquals(inputs(epoch0), inputs((MaskedLmData) epoch1.forEpoch(0)));
        assertFalse(java.util.Arrays.equals(inputs(epoch0), inputs(epoch1)));
        assertArrayEquals(original(epoch0), original(epoch1));
    }
}
