/*
 * Learning-rate schedules and warmup-ratio rounding against transformers' own values
 * (training/schedules.json from tools/reference/bert_fixtures.py).
 */
package dev.kanna.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.bert.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LrScheduleTest {

    @Test
    void schedulesMatchTransformers() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Fixtures.resource("training/schedules.json").toFile());
        int checked = 0;
        for (JsonNode c : root.get("schedules")) {
            var schedule = new LrSchedule(LrSchedule.Kind.valueOf(c.get("kind").asText().toUpperCase(Locale.ROOT)),
                    c.get("warmup_steps").asLong(), c.get("total_steps").asLong());
            double base = c.get("base_lr").asDouble();
            JsonNode lrs = c.get("lrs");
            for (int k = 0; k < lrs.size(); k++) {
                // exact: the same double operations in the same order as LambdaLR (base · λ(k))
                assertEquals(lrs.get(k).asDouble(), schedule.lr(base, k), 0.0, schedule + " step " + k);
                checked++;
            }
        }
        assertEquals(15, root.get("schedules").size());
    }

    @Test
    void warmupRatioRoundsUpAsTrainingArguments() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Fixtures.resource("training/schedules.json").toFile());
        for (JsonNode c : root.get("warmup_ratios")) {
            assertEquals(c.get("warmup_steps").asLong(), LrSchedule.warmupSteps(c.get("total_steps").asLong(), c.get("ratio").asDouble()),
                    c.toString());
        }
    }
}
