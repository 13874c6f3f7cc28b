#!/usr/bin/env python3
"""Derives the character data the BERT normalizer and pre-tokenizer of HF `tokenizers` apply.

HF `tokenizers` pins its Unicode data through several Rust crates of different Unicode versions:
control/format/private-use, punctuation and non-spacing-mark categories come from `unicode_categories`
(Unicode 8-era tables), canonical decompositions and combining classes from
`unicode-normalization-alignments`, whitespace and lowercase from the Rust standard library (recent
Unicode). No single JDK's `Character` data matches that mix, so Kanna ships the tables this script
measures by asking the real library about every code point.

Output: tokenizer/src/main/resources/dev/kanna/tokenizer/bert-unicode-tables.txt (committed).

Run (any venv with `tokenizers`; see REFERENCE.md for making one offline):
    /work/venv-ref/bin/python tools/reference/gen_unicode_tables.py
"""
import os
import sys
import unicodedata

import tokenizers
from tokenizers import normalizers, pre_tokenizers

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tokenizer", "src", "main", "resources",
                   "dev", "kanna", "tokenizer", "bert-unicode-tables.txt")

# Two musical-symbol combining marks that survive accent stripping (category Mc), with canonical
# combining classes 216 and 226: a code point between them joins their reordering run iff its own
# combining class is non-zero, which canonical ordering then reveals.
PROBE_LO, PROBE_HI = "\U0001D165", "\U0001D16D"


def all_code_points():
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        yield cp


def ranges(cps):
    out, start, prev = [], None, None
    for cp in cps:
        if start is None:
            start = prev = cp
        elif cp == prev + 1:
            prev = cp
        else:
            out.append((start, prev))
            start = prev = cp
    if start is not None:
        out.append((start, prev))
    return ["%X" % a if a == b else "%X-%X" % (a, b) for a, b in out]


def seq(s):
    return ".".join("%X" % ord(c) for c in s)


def main():
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False,
                                       strip_accents=False, lowercase=False)
    lower = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                       strip_accents=False, lowercase=True)
    strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                       strip_accents=True, lowercase=False)
    nfd = normalizers.NFD()
    pre = pre_tokenizers.BertPreTokenizer()

    removed, whitespace, punctuation, nonspacing = [], [], [], []
    decompositions, lowercases, ccc = {}, {}, {}
    for cp in all_code_points():
        c = chr(cp)
        # clean_text: dropped, mapped to a space, or kept unchanged.
        cleaned = clean.normalize_str(c)
        if cleaned == "":
            removed.append(cp)
        elif cleaned == " " and c != " ":
            pass  # whitespace; checked against the pre-tokenizer's set below
        else:
            assert cleaned == c, hex(cp)
        # Pre-tokenizer class: whitespace splits and disappears, punctuation is isolated.
        pieces = [p for p, _ in pre.pre_tokenize_str("a" + c + "a")]
        if pieces == ["a", "a"]:
            whitespace.append(cp)
            assert cleaned in (" ", ""), hex(cp)
        elif pieces == ["a", c, "a"]:
            punctuation.append(cp)
        else:
            assert pieces == ["a" + c + "a"], hex(cp)
        if cleaned == " " and c != " ":
            assert cp in whitespace[-1:], hex(cp)
        # Lowercase (per code point, no context).
        low = lower.normalize_str(c)
        if low != c:
            lowercases[cp] = low
            assert len(low) == 1 or cp == 0x130, hex(cp)
        # Canonical decomposition; Hangul syllables are algorithmic and checked, not stored.
        d = nfd.normalize_str(c)
        if 0xAC00 <= cp <= 0xD7A3:
            assert d == unicodedata.normalize("NFD", c), hex(cp)
        elif d != c:
            decompositions[cp] = d
        # Non-spacing marks: what accent stripping drops from a code point that does not decompose.
        stripped = strip.normalize_str(c)
        if d == c:
            if stripped == "":
                nonspacing.append(cp)
            else:
                assert stripped == c, hex(cp)
        # Non-zero canonical combining class: the code point keeps a reordering run together. Only
        # code points that are their own decomposition are looked up (the NFD output is).
        if d != c:
            continue
        probe = strip.normalize_str("x" + PROBE_HI + c + PROBE_LO)
        if probe.index(PROBE_LO) < probe.index(PROBE_HI):
            ccc[cp] = unicodedata.combining(c) or 1

    nonspacing_set = set(nonspacing)
    # Consistency: stripping a decomposable code point = its decomposition minus non-spacing marks.
    for cp, d in decompositions.items():
        expect = "".join(x for x in d if ord(x) not in nonspacing_set)
        assert strip.normalize_str(chr(cp)) == expect, hex(cp)
        assert all(nfd.normalize_str(x) == x for x in d), hex(cp)
    # Exact combining classes matter only for marks that survive stripping: check every ordered pair.
    survivors = [cp for cp in ccc if cp not in nonspacing_set]
    for a in survivors:
        for b in survivors:
            out = strip.normalize_str("x" + chr(a) + chr(b))
            swapped = out == "x" + chr(b) + chr(a) and a != b
            assert swapped == (ccc[a] > ccc[b]), (hex(a), hex(b))
            # Lowercasing happens after reordering; these marks must not change case.
            assert chr(a) == lower.normalize_str(chr(a))

    lines = [
        "# Character data of the BERT normalizer and pre-tokenizer, as HF tokenizers %s applies it."
        % tokenizers.__version__,
        "# Generated by tools/reference/gen_unicode_tables.py; do not edit. Code points in hex.",
        "# removed: clean_text drops these. whitespace: split on (clean_text maps them to U+0020).",
        "# punctuation: isolated by the pre-tokenizer. nonspacing: dropped after NFD by strip_accents.",
        "# ccc: non-zero canonical combining classes (exact for marks that survive stripping).",
        "# nfd: canonical decompositions (Hangul syllables are algorithmic). lower: lowercase mappings.",
    ]

    def emit(name, items, per_line=12):
        for i in range(0, len(items), per_line):
            lines.append(name + " " + " ".join(items[i:i + per_line]))

    emit("removed", ranges(removed))
    emit("whitespace", ranges(whitespace))
    emit("punctuation", ranges(punctuation))
    emit("nonspacing", ranges(nonspacing))
    emit("ccc", ["%X:%d" % (cp, v) for cp, v in sorted(ccc.items())])
    emit("nfd", ["%X:%s" % (cp, seq(d)) for cp, d in sorted(decompositions.items())])
    emit("lower", ["%X:%s" % (cp, seq(d)) for cp, d in sorted(lowercases.items())])
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s: %d removed, %d whitespace, %d punctuation, %d nonspacing, %d ccc, %d nfd, %d lower"
          % (os.path.normpath(OUT), len(removed), len(whitespace), len(punctuation), len(nonspacing),
             len(ccc), len(decompositions), len(lowercases)), file=sys.stderr)


if __name__ == "__main__":
    main()
