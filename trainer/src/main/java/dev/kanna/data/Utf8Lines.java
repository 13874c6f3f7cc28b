/*
 * Reads lines of strict UTF-8 from a byte stream. Lines are split on bytes first and decoded one at
 * a time, so an invalid sequence is reported on the line that holds it (a decoding Reader reads
 * ahead and would blame an earlier line). "\r\n" and "\n" both end a line.
 */
package dev.kanna.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

public final class Utf8Lines implements Closeable {
    private final InputStream in;
    private final String source;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private long lineNumber;

    /** @param source how messages name the input (a file path, "stdin") */
    public Utf8Lines(InputStream in, String source) {
        this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16);
        this.source = source;
    }

    /** Number of the line last returned (1-based). */
    public long lineNumber() {
        return lineNumber;
    }

    /** The next line without its terminator, or null at the end. */
    public String readLine() throws IOException {
        line.reset();
        int b = in.read();
        if (b < 0) return null;
        while (b >= 0 && b != '\n') {
            line.write(b);
            b = in.read();
        }
        lineNumber++;
        byte[] bytes = line.toByteArray();
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\r') n--;
        try {
            return decoder.decode(ByteBuffer.wrap(bytes, 0, n)).toString();
        } catch (CharacterCodingException e) {
            throw new DatasetException(source + ":" + lineNumber + ": invalid UTF-8");
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
