/*
 * Twenty fine-tuning steps of each further task head against the same twenty in PyTorch
 * (tools/reference/task_fixtures.py; settings and tolerances in TrajectoryReplay), each with
 * transformers' own loss for the head:
 *   token classification  cross-entropy over the flattened B·T rows, a mean over the batch's
 *                         labelled tokens ([CLS], [SEP], padding and continuation pieces are −100)
 *   multi-label           BCEWithLogitsLoss, a mean over B·K
 *   regression            MSELoss of the single output against the target, a mean over B
 */
package dev.kanna.train;

import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.BertForTokenClassification;
import org.junit.jupiter.api.Test;

class TaskTrajectoryParityTest {

    @Test
    void tokenClassificationMatchesPyTorch() {
        TrajectoryReplay.run("trajectory-token", "trajectory-token.safetensors", "token",
                BertForTokenClassification::load, new Loss.CrossEntropy(null, 0f), "labels",
                s -> new Targets.Classes(s.ints()));
    }

    @Test
    void multiLabelMatchesPyTorch() {
        TrajectoryReplay.run("trajectory-multilabel", "trajectory-multilabel.safetensors", "multilabel",
                BertForSequenceClassification::load, new Loss.BinaryCrossEntropy(), "targets",
                s -> new Targets.Values(s.floats()));
    }

    @Test
    void regressionMatchesPyTorch() {
        TrajectoryReplay.run("trajectory-regression", "trajectory-regression.safetensors", "regression",
                BertForSequenceClassification::load, new Loss.MeanSquaredError(), "targets",
                s -> new Targets.Values(s.floats()));
    }
}
