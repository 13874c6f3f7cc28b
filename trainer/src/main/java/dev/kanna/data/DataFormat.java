/*
 * The formats a dataset file may use, chosen from its name (.jsonl, .json, .csv, .tsv, .conll,
 * .iob, .bio, .txt, each optionally .gz). CONLL (one token and its tag per line) holds only
 * token-classification data; a .tsv file is read as a table or as CoNLL by the reader that opens it.
 */
package dev.kanna.data;

import java.nio.file.Path;
import java.util.Locale;

public enum DataFormat {
    JSONL, CSV, TSV, CONLL;

    public static DataFormat of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (gzipped(file)) name = name.substring(0, name.length() - 3);
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) return JSONL;
        if (name.endsWith(".csv")) return CSV;
        if (name.endsWith(".tsv") || name.endsWith(".tab")) return TSV;
        if (name.endsWith(".conll") || name.endsWith(".iob") || name.endsWith(".bio") || name.endsWith(".txt")) {
            return CONLL;
        }
        throw new DatasetException(file + ": unknown data format; expected a name ending in .jsonl, .csv, .tsv"
                + " or (tagged tokens) .conll, .iob, .bio, .txt (optionally .gz)");
    }

    /** True when the name ends in .gz, in any case (data.jsonl.GZ too). */
    public static boolean gzipped(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
    }
}
