/**
 * BERT as Hugging Face's transformers defines it, on any {@link dev.kanna.backend.Backend}: a bare
 * encoder ({@link dev.kanna.bert.BertModel}), sequence classification
 * ({@link dev.kanna.bert.BertForSequenceClassification}) and masked language modelling
 * ({@link dev.kanna.bert.BertForMaskedLM}), loaded from and saved to Hugging Face directories under
 * their HF tensor names.
 *
 * <h2>Load, predict, fine-tune, save</h2>
 * <pre>{@code
 * try (Backend backend = Backends.open("auto", BackendOptions.defaults(), System.err::println)) {
 *     // a directory with config.json and model.safetensors; a missing head starts fresh (one warning)
 *     var model = BertForSequenceClassification.load(dir, backend, LoadOptions.defaults());
 *
 *     // inference: token ids (B, T) padded, with type ids and attention mask
 *     Batch batch = Batch.pad(List.of(new int[]{101, 7592, 102}, new int[]{101, 2088, 2003, 102}), 0);
 *     float[][] logits = model.logits(batch);                       // [B][num_labels]
 *
 *     // fine-tuning: the top 2 layers plus pooler and classifier train
 *     var tuner = new FineTuner(model, FreezePolicy.unfreezeTop(2), new FineTuner.Settings(
 *             2e-5, new LrSchedule(LrSchedule.Kind.LINEAR, warmupSteps, totalSteps),
 *             AdamW.Options.defaults(), 1.0, 0f, null, true, 42));
 *     FineTuner.StepResult step = tuner.step(List.of(new FineTuner.LabelledBatch(batch, new int[]{0, 1})));
 *
 *     model.save(outDir);                                            // transformers loads it unchanged
 * }
 * }</pre>
 *
 * <h2>Lower level</h2>
 * Every model's {@code logits(Ops, BertInputs)} / {@code forward(Ops, BertInputs)} runs on device
 * tensors inside the caller's {@link dev.kanna.backend.Scope}; {@link dev.kanna.autograd.Ops} decides
 * whether ops are recorded for a backward pass ({@link dev.kanna.autograd.Tape}) and whether dropout
 * is on. Weights come from any {@link dev.kanna.bert.WeightSource} (a safetensors directory,
 * an in-memory map); {@link dev.kanna.bert.PretrainedBert#stateDict()} gives them back under the
 * names save_pretrained writes.
 */
package dev.kanna.bert;
