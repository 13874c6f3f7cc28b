/*
 * LayerNorm parameters under HF's names (LayerNorm.weight, LayerNorm.bias) and its epsilon.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.tensor.Tensor;

import java.util.List;

record LayerNorm(Parameter weight, Parameter bias, float eps) {

    static LayerNorm load(Weights w, String name, int size, double eps) {
        Weights at = w.at(name);
        return new LayerNorm(at.get("weight", size), at.get("bias", size), (float) eps);
    }

    /** A head's LayerNorm: unit weight and zero bias when the checkpoint lacks it. */
    static LayerNorm loadOrInit(Weights w, String name, int size, double eps) {
        Weights at = w.at(name);
        return new LayerNorm(at.getOrInit("weight", Weights.Init.ONES, size),
                at.getOrInit("bias", Weights.Init.ZEROS, size), (float) eps);
    }

    /** (..., C) → (..., C). */
    Tensor forward(Ops ops, Tensor x) {
        return ops.layerNorm(x, weight, bias, eps);
    }

    List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
