/*
 * What a row's label field holds: one class (single-label classification), a set of classes,
 * possibly empty (multi-label), or a number (regression).
 */
package dev.kanna.data;

public enum LabelShape {
    SINGLE, LIST, NUMBER
}
