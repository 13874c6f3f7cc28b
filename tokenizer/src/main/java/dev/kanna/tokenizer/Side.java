/*
 * Which end of a sequence truncation cuts from, or padding adds to.
 */
package dev.kanna.tokenizer;

/** The end of a sequence that truncation removes tokens from, or padding adds tokens to. */
public enum Side {
    LEFT, RIGHT
}
