#!/usr/bin/env python3
"""Fixtures for the trainer's tests (trainer/src/test/resources/tiny/):

  model/      a tiny random BertModel (hidden 32, 2 layers, 4 heads) saved by transformers'
              save_pretrained, with a small WordPiece vocab (vocab.txt, tokenizer.json made by
              `tokenizers`) learned from the bundled spam/ham training texts
  train.jsonl, validation.jsonl   48 and 24 short rows of the bundled dataset

With --check-trained DIR it instead loads a directory `kanna train` wrote (committed as
tiny/trained/) with transformers' AutoModelForSequenceClassification and AutoTokenizer and writes
tiny/trained_expected.json: the texts, their token ids and transformers' logits. The test checks
that Kanna computes the same logits from the same directory, i.e. that transformers loads what we
save and agrees with us.

    .venv-ref/bin/python tools/reference/trainer_fixtures.py
    .venv-ref/bin/python tools/reference/trainer_fixtures.py --check-trained trainer/src/test/resources/tiny/trained
"""
import argparse
import gzip
import json
import os
import random

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "trainer", "src", "test", "resources", "tiny")


def rows(split, n, seed):
    with gzip.open(os.path.join(ROOT, "datasets", "spamassassin", f"{split}.jsonl.gz"), "rt", encoding="utf-8") as f:
        data = [json.loads(line) for line in f]
    rng = random.Random(seed)
    ham = [r for r in data if r["label"] == "ham"]
    spam = [r for r in data if r["label"] == "spam"]
    picked = rng.sample(ham, n // 2) + rng.sample(spam, n // 2)
    rng.shuffle(picked)
    return [{"text": r["text"][:300], "label": r["label"]} for r in picked]


def make_model():
    import torch
    from tokenizers import BertWordPieceTokenizer
    from transformers import AutoTokenizer, BertConfig, BertModel

    os.makedirs(os.path.join(OUT, "model"), exist_ok=True)
    train, validation = rows("train", 48, 1), rows("validation", 24, 2)
    for name, data in (("train.jsonl", train), ("validation.jsonl", validation)):
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            for r in data:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")

    wp = BertWordPieceTokenizer(lowercase=True)
    wp.train_from_iterator([r["text"] for r in train + validation], vocab_size=300, min_frequency=2,
                           special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    model_dir = os.path.join(OUT, "model")
    wp.save_model(model_dir)                                   # vocab.txt
    # As on the Hub: the [CLS] A [SEP] (B [SEP]) template lives in tokenizer.json itself.
    from tokenizers.processors import TemplateProcessing
    cls, sep = wp.token_to_id("[CLS]"), wp.token_to_id("[SEP]")
    wp.post_processor = TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                           special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    wp.save(os.path.join(model_dir, "tokenizer.json"))
    with open(os.path.join(model_dir, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "BertTokenizer", "do_lower_case": True, "model_max_length": 128,
                   "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
                   "mask_token": "[MASK]"}, f, indent=2)
    tok = AutoTokenizer.from_pretrained(model_dir)
    assert len(tok) == wp.get_vocab_size(), (len(tok), wp.get_vocab_size())

    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=128, hidden_act="gelu")
    BertModel(config, add_pooling_layer=False).save_pretrained(model_dir)


def check_trained(directory):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(directory)
    model, info = AutoModelForSequenceClassification.from_pretrained(directory, output_loading_info=True)
    model.eval()
    # Everything we saved must load, and nothing may be missing or left over.
    assert not any(info.get(k) for k in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs")), info
    texts = ["Subject: FREE money, click now!!!", "Subject: Re: the build is broken again",
             "a", "Subject: meeting moved to 3pm; see the agenda attached " * 3]
    enc = tok(texts, truncation=True, max_length=64, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits
    out = {"texts": texts, "max_length": 64, "labels": [model.config.id2label[i] for i in range(model.config.num_labels)],
           "input_ids": enc["input_ids"].tolist(), "attention_mask": enc["attention_mask"].tolist(),
           "logits": logits.tolist()}
    with open(os.path.join(OUT, "trained_expected.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--check-trained")
    args = ap.parse_args()
    if args.check_trained:
        check_trained(args.check_trained)
    else:
        make_model()
