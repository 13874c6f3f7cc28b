/*
 * What a micro-batch's outputs are trained towards. A task encodes its labels into one of two forms,
 * and the task's Loss reads that form:
 *   Classes  one class id per output row: B rows for a sequence head, B·T for a token head
 *            (row-major over the padded batch); a negative id is ignored (padding, [CLS]/[SEP],
 *            a word's later pieces), as transformers' −100
 *   Values   one float per output element: multi-hot (B·K) for multi-label, (B) for regression
 *   Selected class ids at some positions only: rows of the flattened (B·T) positions and one label
 *            each; the model computes outputs at those rows alone (a masked-LM head predicts the
 *            ~15% of positions that were masked, not every position)
 */
package dev.kanna.train;

public sealed interface Targets {

    /** One class id per output row; negative: ignored. */
    record Classes(int[] labels) implements Targets {
    }

    /** One target per output element, row-major. */
    record Values(float[] values) implements Targets {
    }

    /** Outputs wanted at rows (of the B·T positions, ascending) only, each with its class id. */
    record Selected(int[] rows, int[] labels) implements Targets {
        public Selected {
            if (rows.length != labels.length) {
                throw new IllegalArgumentException(rows.length + " rows but " + labels.length + " labels");
            }
        }
    }
}
