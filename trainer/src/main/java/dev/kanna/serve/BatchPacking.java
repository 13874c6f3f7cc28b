/*
 * How a batcher cuts the inputs of one round, sorted longest first, into forward passes: the
 * partition into consecutive runs that costs least, where a run costs its padded tokens (size ×
 * its first, longest, input) plus a fixed PASS_COST_TOKENS, under the limits (padded tokens ≤
 * maxBatchTokens, inputs ≤ maxBatchSize). Sorted inputs make the best cuts consecutive runs, so a
 * dynamic program over the cut points finds them. The fixed cost keeps passes from getting small:
 * a cut is only worth making where it saves more padding than that. 128 tokens, from the load test
 * (benchmarks/README.md, Serving): on MiniLM with 2 CPU cores a pass timed alone costs only 20 to 40
 * tokens more than its tokens, but in the load test 128 ran batch requests faster than 32 (0.97 against
 * 0.87 of the offline sorted throughput) and single sentences as fast. An input alone over the
 * budget still runs, alone.
 */
package dev.kanna.serve;

final class BatchPacking {
    static final int PASS_COST_TOKENS = 128;

    private BatchPacking() {
    }

    /**
     * @param lengths      tokens per input, longest first
     * @param maxBatchSize 0: no limit but the tokens
     * @return the end (exclusive) of each batch, in order
     */
    static int[] cuts(int[] lengths, int maxBatchTokens, int maxBatchSize) {
        int n = lengths.length;
        long[] cost = new long[n + 1];    // cost[j]: the cheapest packing of the first j inputs
        int[] start = new int[n + 1];     // start[j]: where the last batch of that packing starts
        for (int j = 1; j <= n; j++) {
            cost[j] = Long.MAX_VALUE;
            for (int i = j - 1; i >= 0; i--) {
                int size = j - i;
                long padded = (long) size * lengths[i];
                if (size > 1 && (padded > maxBatchTokens || (maxBatchSize > 0 && size > maxBatchSize))) break;
                long c = cost[i] + padded + PASS_COST_TOKENS;
                if (c < cost[j]) {
                    cost[j] = c;
                    start[j] = i;
                }
            }
        }
        int batches = 0;
        for (int j = n; j > 0; j = start[j]) batches++;
        int[] ends = new int[batches];
        for (int j = n, k = batches - 1; j > 0; j = start[j]) ends[k--] = j;
        return ends;
    }
}
