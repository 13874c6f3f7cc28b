/*
 * Twenty fine-tuning steps of the single-label sequence classifier against the same twenty in
 * PyTorch (tools/reference/bert_fixtures.py; settings and tolerances in TrajectoryReplay):
 * cross-entropy over the batch's four sequences.
 */
package dev.kanna.train;

import dev.kanna.bert.BertForSequenceClassification;
import org.junit.jupiter.api.Test;

class TrajectoryParityTest {

    @Test
    void twentyStepsMatchPyTorch() {
        TrajectoryReplay.run("trajectory", "trajectory.safetensors", "cls", BertForSequenceClassification::load,
                new Loss.CrossEntropy(null, 0f), "labels", s -> new Targets.Classes(s.ints()));
    }
}
