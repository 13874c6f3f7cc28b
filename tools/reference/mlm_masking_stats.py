#!/usr/bin/env python3
"""Selection statistics of transformers' masked-LM collators, the oracle for Kanna's MlmMasker.

Writes trainer/src/test/resources/reference/mlm_masking_stats.json. The sequences: the lines of
datasets/ncbi-disease/train-abstracts.txt.gz (592 abstracts) tokenized with the MiniLM tokenizer
(with [CLS]/[SEP], truncated to 128 tokens), taken in order and cycled until there are 10,000 (so
each line appears about 17 times, as over 17 epochs of dynamic masking). They are collated in
batches of 32, padded by hand to the longest in the batch (tokenizer.pad cannot pad offset_mapping,
which whole-word masking needs), and masked by

  - DataCollatorForLanguageModeling(mlm_probability=0.15), and
  - DataCollatorForWholeWordMask(mlm_probability=0.15) ("whole_word"): in transformers 5 a
    deprecated subclass of the former that sets whole_word_mask=True after __post_init__ has run,
    so, unlike DataCollatorForLanguageModeling(whole_word_mask=True), it keeps the 80/10/10 split.
    A word is what the collator derives from the offsets: a non-special piece starts one when its
    start differs from the previous piece's end or the previous piece is special, so punctuation
    written against a word ("disease.") joins it; each word start is drawn with p, and a drawn word
    is selected whole;
  - the same collator fed offsets rebuilt so that only ## pieces touch their predecessor
    ("whole_word_pieces"): words are then a piece plus the ## pieces after it, the WordPiece rule
    (transformers 4's DataCollatorForWholeWordMask grouped by "##" this way).

No special_tokens_mask is passed, so the collators mark specials by id (get_special_tokens_mask with
already_has_special_tokens=True: every id in all_special_ids, [UNK] and [MASK] included).

Recorded per collator: the fraction of non-special, non-padding tokens selected; the split of the
selected into [MASK] / another id ("random") / unchanged, judged by the output; whether any special
or padding position was selected; the selected count per sequence (mean, sample std); for whole-word
masking the words fully, partly and not masked, by the collator's own word rule (offsets) and by the
WordPiece rule (a piece plus the ## pieces after it). A SHA-256 of the sequences' ids lets the Java
test check that it masks the very same sequences.

Deterministic: both collators are seeded (seed=1234, a torch.Generator), so the same transformers
and torch give the same file. Run from the repository root:

    /work/main/.venv-ref/bin/python tools/reference/mlm_masking_stats.py [--model DIR]

where DIR holds the MiniLM tokenizer (default: models/all-MiniLM-L6-v2 in the checkout, where
`kanna fetch-model` puts it).
"""
import argparse
import gzip
import hashlib
import json
import os
import struct
import warnings

import numpy as np
import torch
import transformers
from transformers import (AutoTokenizer, DataCollatorForLanguageModeling,
                          DataCollatorForWholeWordMask)

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEXT = os.path.join(ROOT, "datasets", "ncbi-disease", "train-abstracts.txt.gz")
OUT = os.path.join(ROOT, "trainer", "src", "test", "resources", "reference", "mlm_masking_stats.json")
SEQUENCES = 10_000
MAX_LENGTH = 128
BATCH = 32
PROBABILITY = 0.15
SEED = 1234


def encode_lines(tokenizer):
    with gzip.open(TEXT, "rt", encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    encoded = [tokenizer(line, truncation=True, max_length=MAX_LENGTH, return_offsets_mapping=True)
               for line in lines]
    return [encoded[i % len(encoded)] for i in range(SEQUENCES)]


def ids_sha256(sequences):
    digest = hashlib.sha256()
    for s in sequences:
        ids = s["input_ids"]
        digest.update(struct.pack("<i", len(ids)))
        digest.update(struct.pack("<%di" % len(ids), *ids))
    return digest.hexdigest()


def padded(batch, pad_id):
    width = max(len(s["input_ids"]) for s in batch)
    out = []
    for s in batch:
        gap = width - len(s["input_ids"])
        out.append({"input_ids": list(s["input_ids"]) + [pad_id] * gap,
                    "attention_mask": list(s["attention_mask"]) + [0] * gap,
                    "offset_mapping": [list(o) for o in s["offset_mapping"]] + [[0, 0]] * gap})
    return out


def word_ids_by_offsets(ids, offsets, special):
    """The collator's own rule (_calc_word_ids_and_prob_mask): a non-special piece starts a word when
    its start differs from the previous piece's end or the previous piece is special."""
    words, current = [], -1
    for i, tid in enumerate(ids):
        if special[tid]:
            words.append(-1)
            continue
        if i == 0 or special[ids[i - 1]] or offsets[i][0] != offsets[i - 1][1]:
            current += 1
        words.append(current)
    return words


def word_ids_by_pieces(ids, special, continuation):
    words, current = [], -1
    for i, tid in enumerate(ids):
        if special[tid]:
            words.append(-1)
            continue
        if i == 0 or special[ids[i - 1]] or not continuation[tid]:
            current += 1
        words.append(current)
    return words


def word_coverage(word_ids, selected):
    full = partial = none = 0
    by_word = {}
    for w, sel in zip(word_ids, selected):
        if w >= 0:
            by_word.setdefault(w, []).append(sel)
    for sels in by_word.values():
        if all(sels):
            full += 1
        elif any(sels):
            partial += 1
        else:
            none += 1
    return {"words": full + partial + none, "fully_masked": full, "partly_masked": partial,
            "not_masked": none, "fraction_fully": full / (full + partial + none),
            "fraction_partly": partial / (full + partial + none)}


def piece_offsets(ids, special, continuation):
    """Offsets in which a piece touches its predecessor exactly when it is a ## piece."""
    offsets, end = [], 0
    for tid in ids:
        start = end if continuation[tid] and not special[tid] else end + 1
        end = start + 1
        offsets.append([start, end])
    return offsets


def run(collator, sequences, tokenizer, special, continuation, whole_word):
    mask_id = tokenizer.mask_token_id
    tokens = nonspecial = selected_total = 0
    to_mask = to_random = unchanged = special_selected = padding_selected = 0
    per_sequence = []
    coverage_offsets, coverage_pieces = [], []
    for b in range(0, len(sequences), BATCH):
        batch = padded(sequences[b:b + BATCH], tokenizer.pad_token_id)
        features = [{"input_ids": s["input_ids"], "attention_mask": s["attention_mask"]}
                    | ({"offset_mapping": s["offset_mapping"]} if whole_word else {}) for s in batch]
        out = collator(features)
        inputs, labels = out["input_ids"].tolist(), out["labels"].tolist()
        for s, masked, label in zip(batch, inputs, labels):
            ids = s["input_ids"]
            length = sum(s["attention_mask"])
            selected = [lab != -100 for lab in label]
            count = 0
            for i, tid in enumerate(ids):
                if i >= length:
                    padding_selected += selected[i]
                    continue
                tokens += 1
                if special[tid]:
                    special_selected += selected[i]
                    continue
                nonspecial += 1
                if not selected[i]:
                    assert masked[i] == tid
                    continue
                assert label[i] == tid
                count += 1
                if masked[i] == mask_id:
                    to_mask += 1
                elif masked[i] != tid:
                    to_random += 1
                else:
                    unchanged += 1
            per_sequence.append(count)
            selected_total += count
            if whole_word:
                sel = selected[:length]
                coverage_offsets.append((word_ids_by_offsets(ids[:length], s["offset_mapping"], special), sel))
                coverage_pieces.append((word_ids_by_pieces(ids[:length], special, continuation), sel))
    counts = np.array(per_sequence, dtype=np.float64)
    stats = {
        "tokens": tokens,
        "non_special_tokens": nonspecial,
        "selected": selected_total,
        "fraction_selected": selected_total / nonspecial,
        "selected_to_mask": to_mask,
        "selected_to_random": to_random,
        "selected_unchanged": unchanged,
        "fraction_mask": to_mask / selected_total,
        "fraction_random": to_random / selected_total,
        "fraction_unchanged": unchanged / selected_total,
        "special_selected": special_selected,
        "padding_selected": padding_selected,
        "selected_per_sequence_mean": float(counts.mean()),
        "selected_per_sequence_std": float(counts.std(ddof=1)),
    }
    if whole_word:
        for name, pairs in (("words_by_offsets", coverage_offsets), ("words_by_pieces", coverage_pieces)):
            merged = {"words": 0, "fully_masked": 0, "partly_masked": 0, "not_masked": 0}
            for word_ids, sel in pairs:
                c = word_coverage(word_ids, sel)
                for k in merged:
                    merged[k] += c[k]
            merged["fraction_fully"] = merged["fully_masked"] / merged["words"]
            merged["fraction_partly"] = merged["partly_masked"] / merged["words"]
            stats[name] = merged
    return stats


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))
    args = parser.parse_args()
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    vocab = len(tokenizer)
    special = [False] * vocab
    for i in tokenizer.all_special_ids:
        special[i] = True
    continuation = [tokenizer.convert_ids_to_tokens(i).startswith("##") for i in range(vocab)]
    sequences = encode_lines(tokenizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the whole-word alias's deprecation and mask_replace_prob notes
        standard = DataCollatorForLanguageModeling(tokenizer, mlm_probability=PROBABILITY, seed=SEED)
        whole_word = DataCollatorForWholeWordMask(tokenizer, mlm_probability=PROBABILITY, seed=SEED)
        whole_word_pieces = DataCollatorForWholeWordMask(tokenizer, mlm_probability=PROBABILITY, seed=SEED)
        by_pieces = [dict(s) | {"offset_mapping": piece_offsets(s["input_ids"], special, continuation)}
                     for s in sequences]
        result = {
            "script": "tools/reference/mlm_masking_stats.py",
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "text": "datasets/ncbi-disease/train-abstracts.txt.gz",
            "sequences": SEQUENCES,
            "lines": len({id(s) for s in sequences}),
            "max_length": MAX_LENGTH,
            "batch_size": BATCH,
            "mlm_probability": PROBABILITY,
            "seed": SEED,
            "vocab_size": vocab,
            "mask_id": tokenizer.mask_token_id,
            "special_ids": sorted(tokenizer.all_special_ids),
            "ids_sha256": ids_sha256(sequences),
            "padded_sequences": sum(len(s["input_ids"]) < MAX_LENGTH for s in sequences),
            "standard": run(standard, sequences, tokenizer, special, continuation, False),
            "whole_word": run(whole_word, sequences, tokenizer, special, continuation, True),
            "whole_word_pieces": run(whole_word_pieces, by_pieces, tokenizer, special, continuation, True),
        }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
