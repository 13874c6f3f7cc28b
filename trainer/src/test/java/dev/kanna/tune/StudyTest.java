/*
 * The search loop on a synthetic objective with epochs (no training): a study killed in the middle
 * of a trial and resumed from its trials.jsonl records exactly the trials an uninterrupted one does
 * (TPE past its start-up trials, ASHA pruning); a failing trial is recorded with its reason and the
 * search goes on; the time budget stops new trials; NaN and infinite metrics survive the file.
 */
package dev.kanna.tune;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class StudyTest {
    private static final SearchSpace SPACE = new SearchSpace(List.of(
            new SearchSpace.Parameter(Tunable.LR, new Distribution.FloatRange(1e-5, 1e-2, true)),
            new SearchSpace.Parameter(Tunable.EPOCHS, new Distribution.IntRange(1, 5, false)),
            new SearchSpace.Parameter(Tunable.DROPOUT, new Distribution.Choice(List.of(true, false)))));

    @TempDir
    Path tmp;

    /** Stands for `kill -9` inside a trial: not an Exception, so the study does not record it as a failure. */
    private static final class Killed extends Error {
    }

    /** A curve per trial: approaches a value peaking at lr 1e-3, faster without dropout. */
    private static Study.Objective synthetic(int killAt) {
        return (number, settings, reporter) -> {
            double peak = 1 - Math.pow(Math.log10((Double) settings.get("lr")) + 3, 2) / 10;
            double rate = (Boolean) settings.get("dropout") ? 0.5 : 0.7;
            double value = 0;
            for (int e = 1; e <= (Integer) settings.get("epochs"); e++) {
                value = peak * (1 - Math.pow(1 - rate, e));
                if (number == killAt && e == 1) throw new Killed();   // mid-trial: its first epoch ran
                if (reporter.report(value)) break;
            }
            return value;
        };
    }

    private Study study(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new Study(dir, TpeSampler.optunaDefaults(11, SPACE, Direction.MAXIMIZE),
                SuccessiveHalving.optunaDefaults(Direction.MAXIMIZE), Direction.MAXIMIZE);
    }

    private static final Study.Progress QUIET = (t, b) -> { };

    @Test
    void aKilledAndResumedStudyRecordsWhatAnUninterruptedOneDoes() throws IOException {
        Study whole = study(tmp.resolve("whole"));
        whole.run(synthetic(-1), 18, 0, QUIET);

        assertThrows(Killed.class, () -> study(tmp.resolve("killed")).run(synthetic(13), 18, 0, QUIET));
        Study resumed = study(tmp.resolve("killed"));
        assertEquals(13, resumed.trials().size(), "trials 0-12 were recorded before the kill");
        resumed.run(synthetic(-1), 18, 0, QUIET);

        assertEquals(withoutTimes(whole.trials()), withoutTimes(resumed.trials()));
        long pruned = whole.trials().stream().filter(t -> t.state() == Trial.State.PRUNED).count();
        assertTrue(pruned >= 3, "the pruner stopped " + pruned + " trials");
        assertTrue(whole.trials().stream().anyMatch(t -> t.state() == Trial.State.COMPLETE && t.epochValues().size() > 1));
        assertEquals(whole.best(), Study.best(resumed.trials().stream().toList(), Direction.MAXIMIZE).map(t -> whole.trials().get(t.number())));
    }

    @Test
    void aFailedTrialIsRecordedWithItsReasonAndTheSearchGoesOn() throws IOException {
        Study s = study(tmp.resolve("failing"));
        List<String> told = new ArrayList<>();
        s.run(new Study.Objective() {
            @Override
            public double run(int number, Map<String, Object> settings, Study.Reporter reporter) throws Exception {
                if (number == 1) throw new IllegalArgumentException("--reinit-top 2 re-initialises a frozen layer\nsecond line");
                if (number == 2) return Double.NaN;
                reporter.report(0.5);
                return 0.5 + number;
            }

            @Override
            public void finished(Trial trial, boolean best) {
                told.add(trial.number() + ":" + trial.state() + ":" + best);
            }
        }, 4, 0, QUIET);
        List<Trial> trials = s.trials();
        assertEquals(List.of(Trial.State.COMPLETE, Trial.State.FAILED, Trial.State.FAILED, Trial.State.COMPLETE),
                trials.stream().map(Trial::state).toList());
        assertEquals("--reinit-top 2 re-initialises a frozen layer", trials.get(1).reason());
        assertEquals("the metric is NaN", trials.get(2).reason());
        assertEquals(List.of("0:COMPLETE:true", "1:FAILED:false", "2:FAILED:false", "3:COMPLETE:true"), told);
        assertEquals(3, s.best().orElseThrow().number());
        assertEquals(withoutTimes(trials), withoutTimes(Study.read(tmp.resolve("failing").resolve(Study.TRIALS_FILE))));
    }

    @Test
    void theTimeBudgetStopsNewTrials() throws IOException {
        Study s = study(tmp.resolve("timed"));
        s.run((number, settings, reporter) -> {
            Thread.sleep(30);
            return 1.0;
        }, 50, 0.05, QUIET);
        assertTrue(s.trials().size() >= 2 && s.trials().size() < 50, s.trials().size() + " trials");
        assertTrue(s.seconds() >= 0.05);
    }

    @Test
    void nanAndInfiniteMetricsSurviveTheFile() throws IOException {
        Trial t = new Trial(0, Map.of("lr", 1e-4, "epochs", 2, "dropout", true), List.of(Double.NaN, Double.POSITIVE_INFINITY, 0.1),
                Trial.State.COMPLETE, Double.NEGATIVE_INFINITY, null, 1.5);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        Trial back = Trial.fromJson(json.readValue(json.writeValueAsString(t.json()), Map.class));
        assertEquals(t, back);
    }

    /** The trials with their wall times zeroed (the only thing a resumed run may change). */
    private static List<Trial> withoutTimes(List<Trial> trials) {
        return trials.stream().map(t -> new Trial(t.number(), t.settings(), t.epochValues(), t.state(), t.value(), t.reason(), 0)).toList();
    }
}
