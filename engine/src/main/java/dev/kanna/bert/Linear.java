/*
 * A dense layer's parameters in PyTorch's layout: weight (out, in), bias (out).
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.tensor.Tensor;

import java.util.List;

record Linear(Parameter weight, Parameter bias) {

    /** Loads {name}.weight (out, in) and {name}.bias (out). */
    static Linear load(Weights w, String name, int out, int in) {
        Weights at = w.at(name);
        return new Linear(at.get("weight", out, in), at.get("bias", out));
    }

    /** A head's dense layer: fresh (normal weight, zero bias) when the checkpoint lacks it. */
    static Linear loadOrInit(Weights w, String name, int out, int in) {
        Weights at = w.at(name);
        return new Linear(at.getOrInit("weight", Weights.Init.NORMAL, out, in),
                at.getOrInit("bias", Weights.Init.ZEROS, out));
    }

    /** (..., in) → (..., out). */
    Tensor forward(Ops ops, Tensor x) {
        return ops.linear(x, weight, bias);
    }

    List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
