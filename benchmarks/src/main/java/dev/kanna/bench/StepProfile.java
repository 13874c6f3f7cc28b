/*
 * Runs one MiniLM workload of the side-by-side harness (inference, train-top2, train-all) alone for a
 * number of iterations and prints each iteration's wall and process CPU time (CPU time is the steadier
 * figure on a shared machine when comparing two versions of Kanna) and GC time: the target to attach a
 * profiler to (JFR: add -XX:StartFlightRecording=filename=step.jfr,settings=profile, then
 * `jfr view hot-methods step.jfr`).
 *
 *   java --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 -XX:+UseG1GC \
 *        -cp benchmarks/target/benchmarks.jar dev.kanna.bench.StepProfile train-all 10 [threads]
 */
package dev.kanna.bench;

import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.Example;
import dev.kanna.data.LabelMap;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Truncation;
import dev.kanna.train.FineTuner;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

public final class StepProfile {
    private StepProfile() {
    }

    public static void main(String[] args) throws Exception {
        String workload = args.length > 0 ? args[0] : "train-top2";
        int iters = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        SideBySide.Settings s = SideBySide.Settings.parse(new String[]{"--threads", String.valueOf(threads)});
        LabelMap labels = new LabelMap(List.of("ham", "spam"));
        Example[] rows = DatasetReader.read(s.data(), DatasetReader.Fields.defaults()).subList(0, s.batch())
                .toArray(Example[]::new);
        BertTokenizer tokenizer = BertTokenizer.load(s.model()).withTruncation(Truncation.of(s.seq())).withoutPadding();
        Batch batch = SideBySide.fixedLength(tokenizer, rows, s.seq());
        int[] y = Arrays.stream(rows).mapToInt(r -> labels.id(r, s.data())).toArray();
        try (CpuBackend backend = new CpuBackend(threads)) {
            BertForSequenceClassification model = SideBySide.load(s, backend, labels);
            SideBySide.Workload w;
            if (workload.equals("inference")) {
                w = () -> model.logits(batch);
            } else {
                FineTuner tuner = new FineTuner(model, workload.equals("train-all") ? FreezePolicy.all()
                        : FreezePolicy.unfreezeTop(2), new FineTuner.Settings(1e-4,
                        new LrSchedule(LrSchedule.Kind.LINEAR, 0, 1_000_000),
                        AdamW.Options.defaults().withWeightDecay(0.01), 1.0, 0f, null, true, 42));
                List<FineTuner.LabelledBatch> step = List.of(new FineTuner.LabelledBatch(batch, y));
                w = () -> tuner.step(step);
            }
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            double[] wall = new double[iters], cpu = new double[iters];
            for (int i = 0; i < iters; i++) {
                long gc0 = gcMillis(), cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime();
                w.run();
                wall[i] = (System.nanoTime() - t0) / 1e9;
                cpu[i] = (os.getProcessCpuTime() - cpu0) / 1e9;
                System.out.printf(Locale.ROOT, "%s %d: %.3f s, process cpu %.3f s (gc %d ms)%n", workload, i, wall[i],
                        cpu[i], gcMillis() - gc0);
            }
            int skip = iters / 2;   // the second half: past JIT compilation and pool filling
            System.out.printf(Locale.ROOT, "%s, iterations %d-%d: median %.3f s wall, %.3f s process cpu%n", workload,
                    skip, iters - 1, SideBySide.median(Arrays.copyOfRange(wall, skip, iters)),
                    SideBySide.median(Arrays.copyOfRange(cpu, skip, iters)));
        }
    }

    static long gcMillis() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) ms += gc.getCollectionTime();
        return ms;
    }
}
