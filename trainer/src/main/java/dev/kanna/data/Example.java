/*
 * One labelled row of a classification dataset.
 *
 * @param text     the text (field --text-field)
 * @param textPair the second text for pair tasks, or null
 * @param label    the label as written in the data (string labels; numbers are kept as their text)
 * @param line     1-based line (JSONL) or record (CSV/TSV) number, for messages
 */
package dev.kanna.data;

public record Example(String text, String textPair, String label, long line) {
}
