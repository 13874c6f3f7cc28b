/*
 * Bad training or evaluation data: the message is one line naming the file and line.
 */
package dev.kanna.data;

public final class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
