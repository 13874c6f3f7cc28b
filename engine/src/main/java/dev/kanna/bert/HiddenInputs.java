/*
 * A HiddenBatch uploaded for one forward that starts at encoder layer `layer`: hidden (B, T, C), the
 * additive attention mask bias (B, T) and each sequence's [CLS] row (B). Allocated in the caller's scope.
 */
package dev.kanna.bert;

import dev.kanna.tensor.Tensor;

public record HiddenInputs(int layer, Tensor hidden, Tensor maskBias, Tensor clsRows) {
}
