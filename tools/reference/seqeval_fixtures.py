#!/usr/bin/env python3
"""Oracle fixtures for EntityMetrics: random tag sequences scored by the real seqeval (default mode).

Writes trainer/src/test/resources/reference/seqeval_cases.json: a header (the seqeval commit, numpy
version, seed) and ~300 cases, each with gold and predicted sentences (one string of space-separated
tags per sentence) and what seqeval gives for them: micro precision/recall/F1, macro and weighted
averages, accuracy_score (null where seqeval raises: no tokens), classification_report(output_dict)
per type, and for every 5th case classification_report(digits=4) text (null where seqeval cannot
print it: no entity).
Cases mix well-formed IOB1, IOB2 and IOBES sentences with ill-formed ones (I- after O, type
switches inside an entity, E- without B-), 2 to 4 entity types (a few with 8 to 12, where numpy's
pairwise summation is no longer a plain left-to-right sum), 0 to 40 tokens per sentence and several
sentences per case, plus a few with bare or odd tags ("B", "I", ".", "X-PER", "O-PER"), plus
seqeval's own tests/data/ground_truth.txt (CoNLL-2000 chunking). Seeded: the same seqeval gives the
same file.

seqeval needs numpy and scikit-learn. With seqeval's source exported to a folder (e.g.
`git --git-dir=<seqeval git dir> archive HEAD | tar -x -C /tmp/seqeval-src`):

    PYTHONPATH=/tmp/seqeval-src .venv-ref/bin/python tools/reference/seqeval_fixtures.py --seqeval-commit <sha>
"""
import argparse
import json
import math
import os
import random
import warnings

import numpy as np
import seqeval
from seqeval.metrics import (accuracy_score, classification_report, f1_score,
                             precision_score, recall_score)

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.normpath(os.path.join(ROOT, "trainer", "src", "test", "resources", "reference", "seqeval_cases.json"))
TYPES = ["PER", "LOC", "ORG", "MISC", "DATE", "TIME", "MONEY", "GPE", "NORP", "EVENT", "LAW", "WORK"]
ODD_TAGS = ["B", "I", "E", "S", "O", ".", "X-PER", "O-PER", "I-PER-X", "B-", "I-LOC", "B-LOC"]


def well_formed(rng, n, types, scheme):
    """A sentence of n tokens with random entities written in scheme (iob1, iob2 or iobes)."""
    tags, prev_type = [], None
    i = 0
    while i < n:
        if rng.random() < 0.5:
            tags.append("O")
            prev_type = None
            i += 1
            continue
        t = rng.choice(types)
        length = min(n - i, rng.choice([1, 1, 2, 2, 3, 4]))
        if scheme == "iob1":
            first = "B" if prev_type == t else "I"
            chunk = [first] + ["I"] * (length - 1)
        elif scheme == "iob2":
            chunk = ["B"] + ["I"] * (length - 1)
        else:
            chunk = ["S"] if length == 1 else ["B"] + ["I"] * (length - 2) + ["E"]
        tags += ["%s-%s" % (p, t) for p in chunk]
        prev_type = t
        i += length
    return tags


def ill_formed(rng, n, types):
    return ["O" if rng.random() < 0.35 else "%s-%s" % (rng.choice("BIES"), rng.choice(types)) for _ in range(n)]


def perturb(rng, tags, types, rate):
    """A prediction: gold with some tags replaced by O, another type, another prefix or noise."""
    out = []
    for tag in tags:
        r = rng.random()
        if r >= rate:
            out.append(tag)
        elif r < rate * 0.25:
            out.append("O")
        elif r < rate * 0.5 and tag != "O":
            out.append(tag[:2] + rng.choice(types))
        elif r < rate * 0.75 and tag != "O":
            out.append(rng.choice("BIES") + tag[1:])
        else:
            out.append("%s-%s" % (rng.choice("BIES"), rng.choice(types)))
    return out


def make_case(rng, index):
    kind = rng.choices(["iob1", "iob2", "iobes", "ill", "odd"], weights=[3, 4, 3, 3, 1])[0]
    many = rng.random() < 0.07
    types = rng.sample(TYPES, rng.randint(8, 12) if many else rng.randint(2, 4))
    gold, predicted = [], []
    for _ in range(rng.randint(1, 5)):
        n = rng.randint(0, 40)
        if kind == "odd":
            g = [rng.choice(ODD_TAGS) for _ in range(n)]
            p = [rng.choice(ODD_TAGS) if rng.random() < 0.4 else t for t in g]
        elif kind == "ill":
            g = ill_formed(rng, n, types)
            p = ill_formed(rng, n, types) if rng.random() < 0.3 else perturb(rng, g, types, 0.3)
        else:
            g = well_formed(rng, n, types, kind)
            p = perturb(rng, g, types, rng.choice([0.0, 0.05, 0.15, 0.4, 1.0]))
        gold.append(g)
        predicted.append(p)
    return "%03d-%s%s" % (index, kind, "-many-types" if many else ""), gold, predicted


def conll2000():
    """seqeval's tests/data/ground_truth.txt, read as its tests read it."""
    path = os.path.join(os.path.dirname(seqeval.__file__), "..", "tests", "data", "ground_truth.txt")
    gold, predicted, g, p = [], [], [], []
    with open(path) as f:
        for line in f:
            line = line.rstrip()
            if not line:
                if g:
                    gold.append(g)
                    predicted.append(p)
                    g, p = [], []
            else:
                _, _, t, q = line.split(" ")
                g.append(t)
                p.append(q)
    if g:
        gold.append(g)
        predicted.append(p)
    return "conll2000-ground-truth", gold, predicted


def number(x):
    """NaN as the string "NaN" (JSON has no NaN); everything else as a float."""
    x = float(x)
    return "NaN" if math.isnan(x) else x


def score(gold, predicted, with_report):
    figures = {
        "precision": number(precision_score(gold, predicted)),
        "recall": number(recall_score(gold, predicted)),
        "f1": number(f1_score(gold, predicted)),
    }
    for average in ("macro", "weighted"):
        p, r, f, _ = seqeval.metrics.sequence_labeling.precision_recall_fscore_support(gold, predicted, average=average)
        figures[average + "_precision"] = number(p)
        figures[average + "_recall"] = number(r)
        figures[average + "_f1"] = number(f)
    assert figures["macro_f1"] == number(f1_score(gold, predicted, average="macro")) or figures["macro_f1"] == "NaN"
    assert figures["weighted_f1"] == number(f1_score(gold, predicted, average="weighted"))
    try:
        figures["accuracy"] = accuracy_score(gold, predicted)
    except ZeroDivisionError:
        figures["accuracy"] = None
    report = classification_report(gold, predicted, output_dict=True)
    figures["per_type"] = {
        name: {"precision": number(row["precision"]), "recall": number(row["recall"]),
               "f1": number(row["f1-score"]), "support": int(row["support"])}
        for name, row in report.items() if not name.endswith(" avg")
    }
    figures["report"] = None
    if with_report:
        try:
            figures["report"] = classification_report(gold, predicted, digits=4)
        except ValueError:   # max() of no type names
            pass
    return figures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seqeval-commit", required=True, help="the seqeval git commit on PYTHONPATH, recorded in the header")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--cases", type=int, default=300)
    args = ap.parse_args()
    warnings.simplefilter("ignore")   # UndefinedMetricWarning / RuntimeWarning on 0/0, which is the point
    rng = random.Random(args.seed)
    cases = [make_case(rng, i) for i in range(args.cases)] + [conll2000()]
    out = {
        "generator": "tools/reference/seqeval_fixtures.py",
        "seqeval_commit": args.seqeval_commit,
        "numpy_version": np.__version__,
        "seed": args.seed,
        "cases": [{"name": name, "gold": [" ".join(s) for s in gold], "predicted": [" ".join(s) for s in predicted],
                   "expected": score(gold, predicted, i % 5 == 0 or i == len(cases) - 1)}
                  for i, (name, gold, predicted) in enumerate(cases)],
    }
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %s: %d cases, %d bytes" % (OUT, len(cases), os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
