/*
 * Reads the small text files augmentation takes (a lexicon, a list of protected terms) line by
 * line as strict UTF-8, optionally gzipped; a missing or unreadable file is one DatasetException.
 */
package dev.kanna.augment;

import dev.kanna.data.DataFormat;
import dev.kanna.data.DatasetException;
import dev.kanna.data.Utf8Lines;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

final class TextFiles {

    /** What is done with each line and its 1-based number. */
    interface LineVisitor {
        void accept(String line, long lineNo);
    }

    private TextFiles() {
    }

    static void forEachLine(Path file, LineVisitor visitor) {
        try (InputStream raw = Files.newInputStream(file);
             Utf8Lines in = new Utf8Lines(DataFormat.gzipped(file) ? new GZIPInputStream(raw, 1 << 16) : raw,
                     file.toString(), true)) {
            for (String line; (line = in.readLine()) != null; ) visitor.accept(line, in.lineNumber());
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file");
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
