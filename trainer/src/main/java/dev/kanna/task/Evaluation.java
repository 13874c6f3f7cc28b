/*
 * What evaluating a model on data gives: the mean loss (NaN for unlabelled data), the number of
 * rows (sentences or texts, not windows), and the task's metrics (null for unlabelled data).
 */
package dev.kanna.task;

import dev.kanna.metrics.Metrics;

public record Evaluation(double loss, int rows, Metrics metrics) {
}
