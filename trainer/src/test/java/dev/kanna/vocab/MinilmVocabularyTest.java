package dev.kanna.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.data.TextCorpus;
import dev.kanna.tokenizer.BertTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real MiniLM vocabulary (the tokenizer module's copy of its tokenizer.json) extended with the
 * 500 words mined from the bundled NCBI abstracts, checked against vocab/minilm_ncbi_expected.json.gz
 * (tools/reference/extend_vocab_fixtures.py --minilm): mining picks the same words as the command
 * did, and Kanna's tokenizer on the extended tokenizer.json gives HF's ids on every tenth abstract.
 */
class MinilmVocabularyTest {

    private static final Path MINILM_TOKENIZER = Path.of("..", "tokenizer", "src", "test", "resources", "dev", "kanna",
            "tokenizer", "minilm", "tokenizer.json.gz");
    private static final Path ABSTRACTS = Path.of("..", "datasets", "ncbi-disease", "train-abstracts.txt.gz");

    @Test
    void minedWordsAndTheirTokenizationMatchHuggingFace(@TempDir Path tmp) throws Exception {
        JsonNode expected;
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/vocab/minilm_ncbi_expected.json.gz"))) {
            expected = new ObjectMapper().readTree(in);
        }
        Path model = Files.createDirectory(tmp.resolve("minilm"));
        try (InputStream in = new GZIPInputStream(Files.newInputStream(MINILM_TOKENIZER))) {
            Files.copy(in, model.resolve("tokenizer.json"));
        }
        BertTokenizer before = BertTokenizer.load(model).withoutTruncation().withoutPadding();
        WordCounts counts = WordCounts.of(before, List.of(ABSTRACTS), null);
        List<String> mined = counts.choose(new WordCounts.Selection(expected.get("add").asInt(),
                expected.get("min_pieces").asInt(), expected.get("min_count").asInt())).words()
                .stream().map(DomainWord::word).toList();
        List<String> added = new ArrayList<>();
        expected.get("added").forEach(w -> added.add(w.asText()));
        assertEquals(added, mined);

        Path out = Files.createDirectory(tmp.resolve("extended"));
        VocabFiles.read(model).writeExtended(mined, out);
        BertTokenizer after = BertTokenizer.load(out).withoutTruncation().withoutPadding();
        List<String> documents = new ArrayList<>();
        TextCorpus.forEach(ABSTRACTS, null, documents::add);
        JsonNode lines = expected.get("lines");
        for (int k = 0; k < lines.size(); k++) {
            int line = lines.get(k).asInt();
            int[] ids = after.encode(documents.get(line)).ids();
            JsonNode want = expected.get("ids").get(k);
            List<Integer> wantList = new ArrayList<>();
            want.forEach(v -> wantList.add(v.asInt()));
            assertEquals(wantList, java.util.Arrays.stream(ids).boxed().toList(), "abstract line " + (line + 1));
        }
        assertTrue(lines.size() >= 59, "abstracts compared: " + lines.size());
    }
}
