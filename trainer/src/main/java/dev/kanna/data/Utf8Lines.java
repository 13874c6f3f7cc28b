/*
 * Reads lines of strict UTF-8 from a byte stream: data files and every command's stdin. Lines are
 * split on bytes first and decoded one at a time, so an invalid sequence is reported on the line
 * that holds it (a decoding Reader reads ahead and would blame an earlier line, or, replacing,
 * would turn it into U+FFFD silently). "\r\n" and "\n" both end a line.
 */
package dev.kanna.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

public final class Utf8Lines implements Closeable {
    /** Longest line accepted: the buffer holding it doubles up to this. */
    private static final int MAX_LINE_BYTES = 1 << 30;

    private final InputStream in;
    private final String source;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] buffer = new byte[1 << 16];
    private int start, end;   // unread bytes are buffer[start, end)
    private boolean eof;
    private long lineNumber;
    private final boolean skipByteOrderMark;

    /** @param source how messages name the input (a file path, "stdin"): "source:line: ..." */
    public Utf8Lines(InputStream in, String source) {
        this(in, source, false);
    }

    /** @param skipByteOrderMark drop a U+FEFF that starts the first line (files saved by Windows editors) */
    public Utf8Lines(InputStream in, String source, boolean skipByteOrderMark) {
        this.in = in;
        this.source = source;
        this.skipByteOrderMark = skipByteOrderMark;
    }

    /** Number of the line last returned (1-based; 0 before the first). */
    public long lineNumber() {
        return lineNumber;
    }

    /** The next line without its "\n" or "\r\n", or null at the end of input. */
    public String readLine() throws IOException {
        int scan = start;
        while (true) {
            for (int i = scan; i < end; i++) {
                if (buffer[i] == '\n') {
                    String s = decode(start, i > start && buffer[i - 1] == '\r' ? i - 1 : i);
                    start = i + 1;
                    return s;
                }
            }
            if (eof) {
                if (start == end) return null;
                String s = decode(start, buffer[end - 1] == '\r' ? end - 1 : end);
                start = end;
                return s;
            }
            int scanned = end - start;
            fill();
            scan = start + scanned;
        }
    }

    /** True when a whole line (or the end) can be returned without waiting for more input. */
    public boolean ready() throws IOException {
        for (int i = start; i < end; i++) {
            if (buffer[i] == '\n') return true;
        }
        return eof ? start < end : in.available() > 0;
    }

    /** Moves the partial line to the front, grows the buffer when the line fills it, reads more. */
    private void fill() throws IOException {
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.length) {
            if (buffer.length >= MAX_LINE_BYTES) {
                throw new DatasetException(source + ":" + (lineNumber + 1) + ": line longer than 1 GiB");
            }
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        int n = in.read(buffer, end, buffer.length - end);
        if (n < 0) {
            eof = true;
        } else {
            end += n;
        }
    }

    private String decode(int from, int to) {
        lineNumber++;
        ByteBuffer bytes = ByteBuffer.wrap(buffer, from, to - from);
        CharBuffer chars = CharBuffer.allocate(to - from);   // UTF-8: at most one char per byte
        decoder.reset();
        CoderResult result = decoder.decode(bytes, chars, true);
        if (!result.isError()) result = decoder.flush(chars);
        if (result.isError()) {
            throw new DatasetException(String.format("%s:%d: invalid UTF-8 (byte 0x%02X at byte %d of the line)",
                    source, lineNumber, buffer[bytes.position()] & 0xFF, bytes.position() - from + 1));
        }
        chars.flip();
        if (lineNumber == 1 && skipByteOrderMark && chars.hasRemaining() && chars.get(0) == '\uFEFF') chars.position(1);
        return chars.toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
