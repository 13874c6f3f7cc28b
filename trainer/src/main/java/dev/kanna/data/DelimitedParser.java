/*
 * RFC 4180 records: fields separated by a delimiter, optionally quoted with '"' (a doubled quote
 * inside stands for one), quoted fields may span lines. Used for CSV and, with a tab, TSV.
 */
package dev.kanna.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

final class DelimitedParser {
    private final Path file;
    private final Utf8Lines in;
    private final char delimiter;
    private long recordStart;     // line the last record started on

    DelimitedParser(Path file, Utf8Lines in, char delimiter) {
        this.file = file;
        this.in = in;
        this.delimiter = delimiter;
    }

    long recordStartLine() {
        return recordStart;
    }

    /** The next record's fields, or null at the end of the input. */
    List<String> next() throws IOException {
        String text = readLine();
        if (text == null) return null;
        recordStart = in.lineNumber();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false, wasQuoted = false;
        int i = 0;
        while (true) {
            if (i == text.length()) {
                if (!quoted) break;
                String more = readLine();
                if (more == null) {
                    throw new DatasetException(file + ":" + recordStart + ": unterminated quoted field");
                }
                field.append('\n');
                text = more;
                i = 0;
                continue;
            }
            char ch = text.charAt(i++);
            if (quoted) {
                if (ch == '"') {
                    if (i < text.length() && text.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(ch);
                }
            } else if (ch == delimiter) {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (ch == '"' && field.isEmpty() && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
            } else {
                field.append(ch);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    private String readLine() throws IOException {
        return in.readLine();
    }
}
