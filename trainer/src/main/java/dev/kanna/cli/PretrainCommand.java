/*
 * `kanna pretrain`: continued masked-LM pretraining of a BERT on unlabelled domain text (domain-
 * and task-adaptive pretraining), before `kanna train` fine-tunes it. Same loop, checkpoints,
 * --resume, progress and outputs as train (dev.kanna.trainer.Trainer with the masked-LM task);
 * every layer trains unless a freezing option says otherwise. Progress on stderr; the summary
 * (validation perplexity and masked-token accuracy) as one JSON object, the last line of stdout.
 */
package dev.kanna.cli;

import dev.kanna.data.DatasetReader;
import dev.kanna.pretrain.MaskedLanguageModeling;
import dev.kanna.trainer.TrainOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "pretrain",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Continue masked-LM pretraining of a BERT (a Hugging Face directory) on unlabelled domain text, so its "
                        + "encoder knows the domain before `kanna train` fine-tunes it.",
                "Text: plain text (optionally .gz), one document per line, or JSONL with --text-field. --packing blocks "
                        + "(default) concatenates the token stream and cuts it into --max-length blocks, as transformers' "
                        + "run_mlm.py; --packing lines keeps one line per sequence, truncated.",
                "Masking as transformers' DataCollatorForLanguageModeling (or DataCollatorForWholeWordMask), drawn anew "
                        + "each epoch from the seed; the loss and the head's outputs at the masked positions only.",
                "OUT becomes a Hugging Face BertForMaskedLM directory (transformers loads it; `kanna train --model OUT` "
                        + "fine-tunes it) with the usual training log, metrics, curves, record and checkpoints.",
                "Example: kanna pretrain --model models/all-MiniLM-L6-v2 --text datasets/ncbi-disease/train-abstracts.txt.gz "
                        + "--out runs/ncbi-mlm"})
final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Pretrained model directory (config.json, model.safetensors, tokenizer.json or vocab.txt); its MLM head is used when it has one.")
    Path model;
    @Option(names = "--text", required = true, paramLabel = "FILE", description = "Unlabelled training text; repeat for several files.")
    List<Path> text;
    @Option(names = "--validation-text", paramLabel = "FILE", description = "Held-out text: MLM loss and perplexity each epoch (or --eval-steps), masks fixed by the seed; the best model is kept.")
    Path validation;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (must not exist, unless --overwrite or --resume).")
    Path out;
    @Option(names = "--text-field", defaultValue = "text", paramLabel = "NAME", description = "JSONL: the field with the text (default: ${DEFAULT-VALUE}).")
    String textField;
    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N", description = "Tokens per sequence, [CLS] and [SEP] included (default: ${DEFAULT-VALUE}).")
    int maxLength;
    @Option(names = "--mlm-probability", defaultValue = "0.15", paramLabel = "P", description = "Share of tokens selected for prediction: 80%% become [MASK], 10%% a random token, 10%% stay (default: ${DEFAULT-VALUE}).")
    double probability;
    @Option(names = "--whole-word-masking", description = "Select whole words (a piece and the ## pieces after it), as DataCollatorForWholeWordMask.")
    boolean wholeWord;
    @Option(names = "--packing", defaultValue = "blocks", paramLabel = "blocks|lines", description = "How text becomes sequences (default: ${DEFAULT-VALUE}).")
    String packing;
    @Option(names = "--limit-train", defaultValue = "0", paramLabel = "N", description = "Use only the first N lines of text.")
    int limitTrain;
    @Option(names = "--cache-frozen", description = "Accepted as by train, but never applies here: the masks, so the inputs, change every epoch; one line says so and training runs without the cache.")
    boolean cacheFrozen;

    @Mixin
    TrainingOptions training;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return TrainCommand.run(spec, options());
    }

    TrainOptions options() {
        if (maxLength < 3) throw new IllegalArgumentException("--max-length must be ≥ 3, got " + maxLength);
        TrainingOptions.atLeast("--limit-train", limitTrain, 0);
        MaskedLanguageModeling.Packing pack = switch (packing) {
            case "blocks" -> MaskedLanguageModeling.Packing.BLOCKS;
            case "lines" -> MaskedLanguageModeling.Packing.LINES;
            default -> throw new IllegalArgumentException("--packing: expected blocks or lines, got '" + packing + "'");
        };
        var masking = new MaskedLanguageModeling.Settings(probability, wholeWord, pack, training.seed);
        return training.apply(TrainOptions.builder(model, text.getFirst(), out), 5e-5, true)
                .moreTrain(text.subList(1, text.size())).validation(validation)
                .fields(new DatasetReader.Fields(textField, null, "label")).maxLength(maxLength).limitTrain(limitTrain)
                .metricForBest("loss").cacheFrozen(cacheFrozen).pretraining(masking).build();
    }
}
