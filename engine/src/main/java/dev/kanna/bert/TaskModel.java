/*
 * A BERT with a task head, as the fine-tuning loop trains it: inputs (token ids, or the states a
 * frozen lower stack left) in, the head's raw outputs out, one row of K per sequence or one per
 * token. What the outputs mean (class logits, multi-label logits, a regression value) is the
 * task's business: the loss and the metrics read them, the model does not.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.backend.Backend;
import dev.kanna.backend.Scope;
import dev.kanna.tensor.Tensor;

public sealed interface TaskModel extends PretrainedBert
        permits BertForSequenceClassification, BertForTokenClassification, BertForMaskedLM {

    /** inputs → outputs: (B, K) for a sequence head, (B, T, K) for a token head. */
    Tensor outputs(Ops ops, BertInputs inputs);

    /** The states entering layer inputs.layer() → outputs, running only the layers from there up. */
    Tensor outputs(Ops ops, HiddenInputs inputs);

    /**
     * A token head's outputs at some positions only: rows (M) I32 of the flattened (B·T) positions →
     * (M, K). By default the dense outputs' rows; a head whose output layer is large (masked LM:
     * K = the vocabulary) computes just those rows.
     */
    default Tensor outputsAt(Ops ops, BertInputs inputs, Tensor rows) {
        if (!perToken()) throw new IllegalStateException(getClass().getSimpleName() + " has one output row per sequence");
        return ops.gatherRows(outputs(ops, inputs), rows);
    }

    /** As outputsAt, from the states entering layer inputs.layer(). */
    default Tensor outputsAt(Ops ops, HiddenInputs inputs, Tensor rows) {
        if (!perToken()) throw new IllegalStateException(getClass().getSimpleName() + " has one output row per sequence");
        return ops.gatherRows(outputs(ops, inputs), rows);
    }

    /** Inference at some positions: row-major (M, K) for rows of the flattened (B·T) positions. */
    default float[] outputsAt(Batch batch, int[] rows) {
        Backend backend = bert().backend();
        try (Scope ignored = backend.scope()) {
            return backend.download(outputsAt(Ops.inference(backend), BertInputs.upload(backend, batch, config()),
                    backend.upload(rows, rows.length)));
        }
    }

    /** K: outputs per sequence or per token. */
    int numOutputs();

    /** Whether there is one row of outputs per token (B, T, K) rather than per sequence (B, K). */
    boolean perToken();

    /** Inference: the outputs of a batch, row-major (B, K) or (B, T, K), padding positions included. */
    default float[] outputs(Batch batch) {
        Backend backend = bert().backend();
        try (Scope ignored = backend.scope()) {
            return backend.download(outputs(Ops.inference(backend), BertInputs.upload(backend, batch, config())));
        }
    }

    /** Inference from hidden states entering layer batch.layer(): row-major (B, K) or (B, T, K). */
    default float[] outputs(HiddenBatch batch) {
        Backend backend = bert().backend();
        try (Scope ignored = backend.scope()) {
            return backend.download(outputs(Ops.inference(backend), batch.upload(backend)));
        }
    }
}
