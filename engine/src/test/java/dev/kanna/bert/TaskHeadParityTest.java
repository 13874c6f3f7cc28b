/*
 * The token-classification, multi-label and regression heads against transformers
 * (tools/reference/task_fixtures.py): each model directory's outputs for its trajectory's first
 * batch before any step (initial_logits, every position of the token head, padding included), the
 * config each saves with (architecture and problem_type as save_pretrained writes them), and
 * save → load giving back the same weights bit for bit.
 */
package dev.kanna.bert;

import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.tensor.HostTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskHeadParityTest {

    /** 1e-5 max abs: fp32 on both sides, but a different summation order. */
    static final double TOLERANCE = 1e-5;

    enum Head {
        TOKEN("token", "BertForTokenClassification", null, 5, true),
        MULTILABEL("multilabel", "BertForSequenceClassification", "multi_label_classification", 4, false),
        REGRESSION("regression", "BertForSequenceClassification", "regression", 1, false);

        final String dir, architecture, problemType;
        final int outputs;
        final boolean perToken;

        Head(String dir, String architecture, String problemType, int outputs, boolean perToken) {
            this.dir = dir;
            this.architecture = architecture;
            this.problemType = problemType;
            this.outputs = outputs;
            this.perToken = perToken;
        }

        Path path() {
            return Fixtures.resource("tiny-gelu/" + dir);
        }

        Map<String, Fixtures.Stored> trajectory() {
            return Fixtures.read(Fixtures.resource("training/trajectory-" + dir + ".safetensors"));
        }

        TaskModel load(Path from) throws IOException {
            return this == TOKEN ? BertForTokenClassification.load(from, backend, LoadOptions.defaults())
                    : BertForSequenceClassification.load(from, backend, LoadOptions.defaults());
        }
    }

    static Backend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @ParameterizedTest
    @EnumSource(Head.class)
    void initialOutputsMatchTransformers(Head head) throws IOException {
        TaskModel model = head.load(head.path());
        assertEquals(head.outputs, model.numOutputs(), "outputs per row");
        assertEquals(head.perToken, model.perToken(), "per token");
        Map<String, Fixtures.Stored> trajectory = head.trajectory();
        Batch batch = Fixtures.batch(trajectory, "step0.");
        Fixtures.Stored want = trajectory.get("initial_logits");
        int[] shape = head.perToken ? new int[] {batch.size(), batch.length(), head.outputs}
                : new int[] {batch.size(), head.outputs};
        assertArrayEquals(shape, want.shape(), "stored logits shape");
        float[] expected = want.floats(), got = model.outputs(batch);
        assertEquals(expected.length, got.length, "outputs");
        double worst = 0;
        for (int k = 0; k < expected.length; k++) worst = Math.max(worst, Math.abs(expected[k] - got[k]));
        System.out.printf("%s head: initial outputs worst abs error %.3g over %d values%n", head.dir, worst, got.length);
        assertTrue(worst <= TOLERANCE, head.dir + " outputs off by " + worst);
    }

    @ParameterizedTest
    @EnumSource(Head.class)
    void savedConfigNamesTheArchitectureAndProblemType(Head head) throws IOException {
        TaskModel model = head.load(head.path());
        BertConfig saved = model.savedConfig();
        assertEquals(List.of(head.architecture), saved.architectures());
        assertEquals(head.problemType, saved.problemType());
        if (head.problemType == null) assertFalse(saved.toJson().has("problem_type"), "no problem_type written");
        else assertEquals(head.problemType, saved.toJson().get("problem_type").asText());
        assertEquals(Fixtures.config(head.path()).labels(), saved.labels(), "id2label");
    }

    @ParameterizedTest
    @EnumSource(Head.class)
    void saveThenLoadGivesTheSameWeightsBitForBit(Head head, @TempDir Path out) throws IOException {
        TaskModel model = head.load(head.path());
        Map<String, HostTensor> before = model.stateDict();
        model.save(out);
        TaskModel reloaded = head.load(out);
        Map<String, HostTensor> after = reloaded.stateDict();
        assertEquals(before.keySet(), after.keySet(), "tensor names");
        Map<String, Fixtures.Stored> checkpoint = Fixtures.read(head.path().resolve("model.safetensors"));
        assertEquals(checkpoint.keySet(), before.keySet(), "the checkpoint's tensor names");
        for (var e : before.entrySet()) {
            String name = e.getKey();
            assertArrayEquals(e.getValue().shape(), after.get(name).shape(), name);
            assertArrayEquals(bits(checkpoint.get(name).floats()), bits(e.getValue().data()), name + " as loaded");
            assertArrayEquals(bits(e.getValue().data()), bits(after.get(name).data()), name + " after save and load");
        }
        BertConfig config = BertConfig.read(out);
        assertEquals(List.of(head.architecture), config.architectures());
        assertEquals(head.problemType, config.problemType());
        assertEquals(model.config().labels(), config.labels());
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int k = 0; k < values.length; k++) out[k] = Float.floatToRawIntBits(values[k]);
        return out;
    }
}
