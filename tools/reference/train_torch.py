#!/usr/bin/env python3
"""Fine-tunes a BERT directory on a JSONL dataset with PyTorch + transformers, the way
`kanna train` does (same data, label order, freezing, AdamW, linear schedule, clipping), and prints
test metrics and timings as JSON. It is the peer for Kanna's full-run and training-speed figures.

    python tools/reference/train_torch.py --model models/all-MiniLM-L6-v2 \
        --train datasets/spamassassin/train.jsonl.gz --validation datasets/spamassassin/validation.jsonl.gz \
        --test datasets/spamassassin/test.jsonl.gz --epochs 3 --batch-size 32 --lr 5e-5 --max-length 128 \
        --unfreeze-top 2 --threads 2 [--frozen-eval]

Needs torch, transformers and tokenizers (see REFERENCE notes in tools/reference/README.md).
"""
import argparse
import gzip
import json
import math
import random
import time

import torch
from transformers import BertForSequenceClassification, PreTrainedTokenizerFast, get_linear_schedule_with_warmup


def read_jsonl(path, text_field, label_field):
    opener = gzip.open if path.endswith(".gz") else open
    rows = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                rows.append((obj[text_field], str(obj[label_field])))
    return rows


def metrics(gold, pred, labels):
    k = len(labels)
    confusion = [[0] * k for _ in range(k)]
    for g, p in zip(gold, pred):
        confusion[g][p] += 1
    f1s = []
    for c in range(k):
        tp = confusion[c][c]
        predicted = sum(confusion[o][c] for o in range(k))
        actual = sum(confusion[c])
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    accuracy = sum(confusion[c][c] for c in range(k)) / max(1, len(gold))
    return {"accuracy": accuracy, "macro_f1": sum(f1s) / k, "confusion_matrix": confusion}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--validation")
    ap.add_argument("--test", required=True)
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--label-field", default="label")
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--unfreeze-top", default="2", help="number of top layers, or 'all'")
    ap.add_argument("--warmup-ratio", type=float, default=0.0)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--max-grad-norm", type=float, default=1.0)
    ap.add_argument("--limit-train", type=int, default=0, help="use only the first N training rows")
    ap.add_argument("--frozen-eval", action="store_true",
                    help="dropout off in the frozen embeddings and layers, as kanna train --cache-frozen")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)

    train = read_jsonl(args.train, args.text_field, args.label_field)
    if args.limit_train:
        train = train[: args.limit_train]
    test = read_jsonl(args.test, args.text_field, args.label_field)
    labels = sorted({l for _, l in train}, key=lambda s: (0, int(s)) if s.lstrip("-").isdigit() else (1, s))
    label2id = {l: i for i, l in enumerate(labels)}

    tok = PreTrainedTokenizerFast.from_pretrained(args.model)
    model = BertForSequenceClassification.from_pretrained(
        args.model, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=label2id)
    layers = model.config.num_hidden_layers
    top = layers if args.unfreeze_top == "all" else int(args.unfreeze_top)
    for name, p in model.named_parameters():
        trainable = name.startswith("classifier") or name.startswith("bert.pooler")
        if args.unfreeze_top == "all":
            trainable = True
        for i in range(layers - top, layers):
            if name.startswith(f"bert.encoder.layer.{i}."):
                trainable = True
        p.requires_grad_(trainable)

    no_decay = lambda n: n.endswith(".bias") or "LayerNorm" in n
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW([
        {"params": [p for n, p in params if not no_decay(n)], "weight_decay": args.weight_decay},
        {"params": [p for n, p in params if no_decay(n)], "weight_decay": 0.0}], lr=args.lr)
    steps_per_epoch = math.ceil(len(train) / args.batch_size)
    total_steps = math.ceil(steps_per_epoch * args.epochs)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(math.ceil(total_steps * args.warmup_ratio)), total_steps)

    def batches(rows, shuffle, rng):
        order = list(range(len(rows)))
        if shuffle:
            rng.shuffle(order)
        for i in range(0, len(order), args.batch_size):
            chunk = [rows[j] for j in order[i:i + args.batch_size]]
            enc = tok([t for t, _ in chunk], truncation=True, max_length=args.max_length, padding=True,
                      return_tensors="pt")
            yield enc, torch.tensor([label2id[l] for _, l in chunk])

    def train_mode():
        model.train()
        if args.frozen_eval and args.unfreeze_top != "all":
            model.bert.embeddings.eval()
            for i in range(layers - top):
                model.bert.encoder.layer[i].eval()

    def evaluate(rows):
        model.eval()
        gold, pred = [], []
        with torch.no_grad():
            for enc, y in batches(rows, False, None):
                pred += model(**enc).logits.argmax(-1).tolist()
                gold += y.tolist()
        return metrics(gold, pred, labels)

    # As kanna train with --validation: evaluate at each epoch end, keep the best macro-F1 weights.
    validation = read_jsonl(args.validation, args.text_field, args.label_field) if args.validation else None
    best, best_state, history = None, None, []
    rng = random.Random(args.seed)
    train_mode()
    step, start = 0, time.time()
    while step < total_steps:
        for enc, y in batches(train, True, rng):
            out = model(**enc, labels=y)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in params], args.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            if step >= total_steps:
                break
        if validation is not None:
            m = evaluate(validation)
            history.append({"step": step, "accuracy": m["accuracy"], "macro_f1": m["macro_f1"]})
            if best is None or m["macro_f1"] > best:
                best = m["macro_f1"]
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            train_mode()
    train_seconds = time.time() - start
    if best_state is not None:
        model.load_state_dict(best_state)

    start = time.time()
    result = evaluate(test)
    eval_seconds = time.time() - start
    result["validation_history"] = history
    result.update({"train_rows": len(train), "steps": total_steps, "train_seconds": train_seconds,
                   "train_samples_per_second": total_steps * args.batch_size / train_seconds,
                   "eval_seconds": eval_seconds, "torch": torch.__version__, "threads": args.threads})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
