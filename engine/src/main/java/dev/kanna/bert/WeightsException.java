/*
 * A checkpoint that does not fit the model: a missing tensor, a tensor of the wrong shape, or a
 * config the weights contradict. The message is one line naming the file, the tensor and what was expected.
 */
package dev.kanna.bert;

public final class WeightsException extends RuntimeException {
    public WeightsException(String message) {
        super(message);
    }
}
