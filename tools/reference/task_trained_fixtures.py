#!/usr/bin/env python3
"""Fixtures for the trainer's task tests (token classification, multi-label, regression), under
trainer/src/test/resources/tiny/:

  ner/train.conll, ner/validation.conll   40 and 12 real sentences of the NCBI disease corpus
              (datasets/ncbi-disease), their Disease tags kept, a Gene type added by tagging a fixed
              list of gene symbols (B-Gene, and a following "gene"/"protein" I-Gene); IOB2. Most
              sentences fit in 62 pieces of the tiny model's (nearly character-level) vocabulary;
              a few do not, so --max-length 64 splits them into windows
  ner/train.jsonl                          the same training sentences as {"tokens": [...], "tags": [...]}
  multilabel/{train,validation}.jsonl      the texts of tiny/{train,validation}.jsonl (cut to 100
              characters) with labels over spam, money, reply; some rows have none
  regression/{train,validation}.jsonl      the same texts with a score: 2·spam + words/10 (at most 2)
              + Gaussian noise (σ 0.1), seeded
  pretrain/train.txt, pretrain/validation.txt   unlabelled text for `kanna pretrain`: the titles (first
              sentences) of the first 48 and the last 12 abstracts of datasets/ncbi-disease/train-abstracts.txt.gz,
              one per line (3,427 and 914 tokens of the tiny model with [CLS]/[SEP]: 53 and 14 blocks of 64)
  pretrain/train.jsonl                     the same 48 training titles as {"id": i, "text": ...}

    .venv-ref/bin/python tools/reference/task_trained_fixtures.py --make-data

With --check it loads the directories `kanna train` wrote for the three tasks, committed as
tiny/trained-token/, tiny/trained-multilabel/, tiny/trained-regression/ (config.json,
model.safetensors and the tokenizer files copied out of the run directories), with transformers'
AutoModelForTokenClassification / AutoModelForSequenceClassification (no missing, unexpected or
mismatched keys) and writes tiny/trained-<task>_expected.json: the inputs, their token ids and the
model's outputs; for token classification also what pipeline("token-classification",
aggregation_strategy="first") finds in raw lines. The Java tests (TrainedTaskDirectoryParityTest)
check that Kanna reads the same directories into the same ids, outputs and entities.
The directories were made with (from the repository root, after --make-data):

    T=trainer/src/test/resources/tiny
    ./kanna train --task token-classification --model $T/model --train $T/ner/train.conll \\
        --validation $T/ner/validation.conll --out /tmp/trained-token --epochs 30 --batch-size 8 --lr 3e-3 \\
        --max-length 64 --unfreeze all --device cpu --threads 2
    ./kanna train --task multi-label --model $T/model --train $T/multilabel/train.jsonl \\
        --validation $T/multilabel/validation.jsonl --out /tmp/trained-multilabel --epochs 10 \\
        --batch-size 8 --lr 3e-3 --max-length 64 --unfreeze all --device cpu --threads 2
    ./kanna train --task regression --model $T/model --train $T/regression/train.jsonl \\
        --validation $T/regression/validation.jsonl --out /tmp/trained-regression --epochs 10 \\
        --batch-size 8 --lr 3e-3 --max-length 64 --unfreeze all --device cpu --threads 2
    for t in token multilabel regression; do mkdir -p $T/trained-$t; \\
        cp /tmp/trained-$t/{config.json,model.safetensors,tokenizer.json,tokenizer_config.json,vocab.txt} $T/trained-$t/; done
    .venv-ref/bin/python tools/reference/task_trained_fixtures.py --check

With --check-mlm (also part of --check) it loads tiny/trained-mlm/, a directory `kanna pretrain` wrote
(config.json, model.safetensors and the tokenizer files), with transformers' BertForMaskedLM (no
missing, unexpected or mismatched keys; the decoder tied to the word embeddings, as Kanna saves it:
no cls.predictions.decoder.weight of its own) and writes tiny/trained-mlm_expected.json (the texts,
their token ids, each [MASK]'s top prediction) and tiny/trained-mlm_logits.safetensors (each text's
MLM logits, "logits.<i>": (its tokens, vocab_size), from one padded batch). PretrainedMlmParityTest
checks that Kanna's BertForMaskedLM and `kanna logits --mlm` give the same ids and logits. Made with:

    ./kanna pretrain --model $T/model --text $T/pretrain/train.txt --validation-text $T/pretrain/validation.txt \\
        --out /tmp/trained-mlm --epochs 10 --batch-size 8 --lr 3e-3 --max-length 64 --device cpu --threads 2
    mkdir -p $T/trained-mlm; cp /tmp/trained-mlm/{config.json,model.safetensors,tokenizer.json,tokenizer_config.json,vocab.txt} $T/trained-mlm/
    .venv-ref/bin/python tools/reference/task_trained_fixtures.py --check-mlm
"""
import argparse
import gzip
import json
import os
import random

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
TINY = os.path.join(ROOT, "trainer", "src", "test", "resources", "tiny")

# Gene symbols of the NCBI sentences that the corpus leaves untagged (O); they become B-Gene.
GENES = {"APC", "APC2", "APOE", "FHF2", "CDH1", "DMT1", "GCH1", "HFE", "MEFV", "APT1", "PDS", "BRCA1", "BRCA2",
         "HRAS1", "DMPK", "RB1", "WASP", "ATM", "WT1", "p53", "PAX6", "CFTR", "FMR1", "MLH1", "MSH2", "VHL", "NF1",
         "PKD1", "PAX3", "RET", "HEXA", "DMD", "SMN", "FBN1", "COL1A1", "PTEN", "GLA", "HPRT", "ARSA", "FANCA"}


def tokenizer():
    from tokenizers import Tokenizer
    return Tokenizer.from_file(os.path.join(TINY, "model", "tokenizer.json"))


def conll_sentences(split):
    out, cur = [], []
    with gzip.open(os.path.join(ROOT, "datasets", "ncbi-disease", f"{split}.tsv.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                if cur:
                    out.append(cur)
                cur = []
                continue
            word, tag = line.split("\t")
            cur.append([word, tag])
    if cur:
        out.append(cur)
    return out


def add_genes(sentence):
    """Tags the listed gene symbols B-Gene (where the corpus has O) and a following gene/protein I-Gene."""
    out = [list(p) for p in sentence]
    for i, (word, tag) in enumerate(out):
        if tag == "O" and word in GENES:
            out[i][1] = "B-Gene"
            if i + 1 < len(out) and out[i + 1][1] == "O" and out[i + 1][0].lower() in ("gene", "protein"):
                out[i + 1][1] = "I-Gene"
    return out


def pieces(tok, sentence):
    return sum(len(tok.encode(w, add_special_tokens=False).ids) for w, _ in sentence)


def pick_sentences(split, seed, short_gene, short_disease, long_count):
    tok = tokenizer()
    rng = random.Random(seed)
    pool = [add_genes(s) for s in conll_sentences(split) if 4 <= len(s) <= 40]
    has_gene = lambda s: any(t.endswith("-Gene") for _, t in s)
    has_disease = lambda s: any(t.endswith("-Disease") for _, t in s)
    short = [s for s in pool if pieces(tok, s) <= 62]
    long = [s for s in pool if 62 < pieces(tok, s) <= 200 and has_gene(s) and has_disease(s)]
    picked = (rng.sample([s for s in short if has_gene(s)], short_gene)
              + rng.sample([s for s in short if has_disease(s) and not has_gene(s)], short_disease)
              + rng.sample(long, long_count))
    rng.shuffle(picked)
    return picked


def write_conll(path, sentences):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n\n".join("\n".join(f"{w}\t{t}" for w, t in s) for s in sentences) + "\n")


def text_rows(name, n=None):
    with open(os.path.join(TINY, name), encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return rows[:n] if n else rows


def multilabels(row):
    text = row["text"].lower()
    labels = []
    if "$" in text or "money" in text or "free" in text:
        labels.append("money")
    if text.startswith("subject: re:"):
        labels.append("reply")
    if row["label"] == "spam":
        labels.append("spam")
    return labels


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")


def make_pretrain_data():
    import re
    with gzip.open(os.path.join(ROOT, "datasets", "ncbi-disease", "train-abstracts.txt.gz"), "rt", encoding="utf-8") as f:
        abstracts = f.read().splitlines()
    title = lambda abstract: re.split(r"(?<=\.) (?=[A-Z])", abstract)[0].strip()
    train, validation = [title(a) for a in abstracts[:48]], [title(a) for a in abstracts[-12:]]
    directory = os.path.join(TINY, "pretrain")
    os.makedirs(directory, exist_ok=True)
    for name, lines in (("train.txt", train), ("validation.txt", validation)):
        with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    write_jsonl(os.path.join(directory, "train.jsonl"), [{"id": i, "text": t} for i, t in enumerate(train)])


def make_data():
    make_pretrain_data()
    os.makedirs(os.path.join(TINY, "ner"), exist_ok=True)
    train = pick_sentences("train", 11, short_gene=16, short_disease=20, long_count=4)
    validation = pick_sentences("validation", 12, short_gene=4, short_disease=6, long_count=2)
    tags = {t for s in train for _, t in s}
    assert tags == {"O", "B-Disease", "I-Disease", "B-Gene", "I-Gene"}, tags
    assert {t for s in validation for _, t in s} <= tags
    write_conll(os.path.join(TINY, "ner", "train.conll"), train)
    write_conll(os.path.join(TINY, "ner", "validation.conll"), validation)
    write_jsonl(os.path.join(TINY, "ner", "train.jsonl"),
                [{"tokens": [w for w, _ in s], "tags": [t for _, t in s]} for s in train])

    rng = random.Random(5)
    for split in ("train", "validation"):
        rows = [{"text": r["text"][:100], "label": r["label"]} for r in text_rows(f"{split}.jsonl")]
        os.makedirs(os.path.join(TINY, "multilabel"), exist_ok=True)
        os.makedirs(os.path.join(TINY, "regression"), exist_ok=True)
        write_jsonl(os.path.join(TINY, "multilabel", f"{split}.jsonl"),
                    [{"text": r["text"], "label": multilabels(r)} for r in rows])
        write_jsonl(os.path.join(TINY, "regression", f"{split}.jsonl"),
                    [{"text": r["text"], "label": round(2.0 * (r["label"] == "spam")
                                                        + min(len(r["text"].split()), 20) / 10
                                                        + rng.gauss(0, 0.1), 3)} for r in rows])


NER_LINES = [
    "Germline mutations in BRCA1 cause hereditary breast cancer.",
    "The APC protein (adenomatous polyposis coli) controls Wnt signalling; its loss leads to colorectal cancer!",
    "Hemochromatosis is common.",
    "We found no RB1 mutations in 12 patients with retinoblastoma, nor in their parents.",
    "Duchenne muscular dystrophy, a severe X-linked disease, results from DMD deletions.",
    # An accent, and a character beyond the BMP (a [UNK] word): the pipeline counts offsets in code
    # points, Kanna in UTF-16 units (Java's String indices), so they differ by one after the emoji.
    "Na\u00efve carriers \U0001F600 of BRCA1 mutations develop hereditary breast cancer.",
]
TEXTS = ["Subject: FREE money, click now!!!", "Subject: Re: the build is broken again", "a",
         "Subject: meeting moved to 3pm; see the agenda attached " * 3]


def check_no_loading_problems(info):
    assert not any(info.get(k) for k in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs")), info


def check_token(directory):
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    tok = AutoTokenizer.from_pretrained(directory)
    model, info = AutoModelForTokenClassification.from_pretrained(directory, output_loading_info=True)
    check_no_loading_problems(info)
    model.eval()
    enc = tok(NER_LINES, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits
    ner = pipeline("token-classification", model=model, tokenizer=tok, aggregation_strategy="first", device="cpu")
    entities = [[{"entity_group": e["entity_group"], "start": int(e["start"]), "end": int(e["end"]),
                  "score": float(e["score"]), "word": e["word"]} for e in ner(line)] for line in NER_LINES]
    assert any(entities), "the model finds no entity in any line: train it longer"
    return {"texts": NER_LINES, "labels": [model.config.id2label[i] for i in range(model.config.num_labels)],
            "architectures": model.config.architectures, "problem_type": model.config.problem_type,
            "input_ids": enc["input_ids"].tolist(), "attention_mask": enc["attention_mask"].tolist(),
            "outputs": logits.tolist(), "pipeline_entities": entities}


def check_sequence(directory):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(directory)
    model, info = AutoModelForSequenceClassification.from_pretrained(directory, output_loading_info=True)
    check_no_loading_problems(info)
    model.eval()
    enc = tok(TEXTS, truncation=True, max_length=64, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits
    return {"texts": TEXTS, "max_length": 64,
            "labels": [model.config.id2label[i] for i in range(model.config.num_labels)],
            "architectures": model.config.architectures, "problem_type": model.config.problem_type,
            "input_ids": enc["input_ids"].tolist(), "attention_mask": enc["attention_mask"].tolist(),
            "outputs": logits.tolist()}


MLM_TEXTS = ["Germline [MASK] in BRCA1.", "Hemochromatosis is a [MASK] disorder.", "a",
             # an accent the normaliser strips, a [UNK] beyond the BMP, then a [MASK]
             "Na\u00efve carriers \U0001F600 of [MASK] mutations."]


def check_mlm():
    import torch
    from safetensors.torch import save_file
    from transformers import AutoTokenizer, BertForMaskedLM

    directory = os.path.join(TINY, "trained-mlm")
    with open(os.path.join(directory, "config.json")) as f:
        assert json.load(f)["architectures"] == ["BertForMaskedLM"]
    tok = AutoTokenizer.from_pretrained(directory)
    model, info = BertForMaskedLM.from_pretrained(directory, output_loading_info=True)
    check_no_loading_problems(info)
    decoder, embeddings = model.cls.predictions.decoder, model.bert.embeddings.word_embeddings
    assert decoder.weight.data_ptr() == embeddings.weight.data_ptr(), "the decoder is tied to the word embeddings"
    assert torch.equal(decoder.bias, model.cls.predictions.bias)
    model.eval()
    enc = tok(MLM_TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits                                     # (B, T, V)
    lengths = enc["attention_mask"].sum(dim=1).tolist()
    mask_id = tok.convert_tokens_to_ids("[MASK]")
    top = [[tok.convert_ids_to_tokens(int(logits[i, t].argmax())) for t in range(lengths[i])
            if enc["input_ids"][i, t] == mask_id] for i in range(len(MLM_TEXTS))]
    save_file({f"logits.{i}": logits[i, :n].contiguous() for i, n in enumerate(lengths)},
              os.path.join(TINY, "trained-mlm_logits.safetensors"))
    return {"texts": MLM_TEXTS, "architectures": model.config.architectures, "vocab_size": model.config.vocab_size,
            "decoder_tied": True, "input_ids": enc["input_ids"].tolist(),
            "attention_mask": enc["attention_mask"].tolist(), "mask_predictions": top}


def write_mlm():
    with open(os.path.join(TINY, "trained-mlm_expected.json"), "w") as f:
        json.dump(check_mlm(), f)
        f.write("\n")


def check():
    write_mlm()
    for task, checker in (("token", check_token), ("multilabel", check_sequence), ("regression", check_sequence)):
        out = checker(os.path.join(TINY, f"trained-{task}"))
        with open(os.path.join(TINY, f"trained-{task}_expected.json"), "w") as f:
            json.dump(out, f)
            f.write("\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--make-data", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--check-mlm", action="store_true")
    args = ap.parse_args()
    if args.make_data:
        make_data()
    if args.check:
        check()
    elif args.check_mlm:
        write_mlm()
    if not (args.make_data or args.check or args.check_mlm):
        ap.error("give --make-data, --check and/or --check-mlm")
