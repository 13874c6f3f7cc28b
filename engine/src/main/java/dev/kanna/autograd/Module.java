/*
 * Anything that owns parameters: freezing policies, the optimizer and saving work on this list.
 */
package dev.kanna.autograd;

import java.util.List;

public interface Module {

    /** Every parameter, trainable or not, in a fixed order (the model's declaration order). */
    List<Parameter> parameters();
}
