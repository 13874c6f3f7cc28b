#!/usr/bin/env python3
"""Fine-tunes a BERT directory for token classification (NER) on CoNLL files with PyTorch +
transformers, preparing the data exactly as transformers' examples/pytorch/token-classification/run_ner.py
does, and scores the test split with seqeval. It is the peer for Kanna's NER figures.

    PYTHONPATH=<seqeval source> python tools/reference/train_torch_ner.py --model models/all-MiniLM-L6-v2 \
        --train datasets/ncbi-disease/train.tsv.gz --validation datasets/ncbi-disease/validation.tsv.gz \
        --test datasets/ncbi-disease/test.tsv.gz --epochs 3 --batch-size 16 --lr 3e-4 --max-length 128 \
        --unfreeze-top 2 --frozen-eval --warmup-ratio 0.1 --threads 2 [--predictions FILE]

Data, as run_ner.py: the label list is the sorted unique training tags; each sentence is encoded with
tokenizer(words, is_split_into_words=True, truncation=True, max_length=L); the label goes on each word's
first piece and -100 on the others (with --label-all-tokens the others get the word's label, B-X mapped
to I-X). The model is AutoModelForTokenClassification. Training as tools/reference/train_torch.py:
freezing (--unfreeze-top N | --unfreeze all), --frozen-eval, AdamW, linear schedule with warmup,
gradient clipping, seeded shuffling, validation at each epoch end (seqeval f1_score, default mode),
best epoch's weights kept.

Scoring is word level: a word's prediction is the argmax at its first piece; a word with no piece (cut
by max_length, or one the tokenizer turns into nothing) is predicted 'O' and counted in the summary.
Test precision/recall/F1 (micro), the per-type report and token accuracy come from seqeval.

Progress goes to stderr; the JSON summary is the last stdout line. --predictions FILE writes the test
predictions as CoNLL, `word<TAB>gold<TAB>predicted` per line and a blank line between sentences.

Needs torch, transformers, tokenizers and seqeval (its source on PYTHONPATH is enough).
"""
import argparse
import gzip
import json
import math
import random
import sys
import time

import torch
import transformers
from transformers import AutoModelForTokenClassification, AutoTokenizer, get_linear_schedule_with_warmup
from seqeval.metrics import accuracy_score, classification_report, f1_score, precision_score, recall_score


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def read_conll(path):
    """Sentences as (words, tags): one `word<TAB>tag` per line, blank lines between sentences."""
    opener = gzip.open if path.endswith(".gz") else open
    sentences, words, tags = [], [], []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                if words:
                    sentences.append((words, tags))
                words, tags = [], []
                continue
            word, tag = line.split("\t")
            words.append(word)
            tags.append(tag)
    if words:
        sentences.append((words, tags))
    return sentences


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--validation")
    ap.add_argument("--test", required=True)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--eval-batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--unfreeze-top", default="2", help="number of top layers, or 'all'")
    ap.add_argument("--unfreeze", choices=["all"], help="--unfreeze all: train every layer (= --unfreeze-top all)")
    ap.add_argument("--warmup-ratio", type=float, default=0.0)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--max-grad-norm", type=float, default=1.0)
    ap.add_argument("--label-all-tokens", action="store_true",
                    help="as run_ner.py: label every piece of a word (B-X becomes I-X after the first)")
    ap.add_argument("--limit-train", type=int, default=0, help="use only the first N training sentences")
    ap.add_argument("--frozen-eval", action="store_true",
                    help="dropout off in the frozen embeddings and layers, as kanna train --cache-frozen")
    ap.add_argument("--predictions", help="write the test predictions here as CoNLL (word, gold, predicted)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if args.unfreeze == "all":
        args.unfreeze_top = "all"

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)

    train = read_conll(args.train)
    if args.limit_train:
        train = train[: args.limit_train]
    validation = read_conll(args.validation) if args.validation else None
    test = read_conll(args.test)

    # run_ner.py get_label_list: the sorted unique training tags.
    labels = sorted({t for _, tags in train for t in tags})
    label2id = {l: i for i, l in enumerate(labels)}
    b_to_i = [label2id.get("I-" + l[2:], i) if l.startswith("B-") else i for i, l in enumerate(labels)]
    log(f"labels {labels}; train {len(train)} sentences, validation {len(validation) if validation else 0}, "
        f"test {len(test)}")

    tok = AutoTokenizer.from_pretrained(args.model)

    def encode(sentences):
        """run_ner.py tokenize_and_align_labels, one sentence at a time (no padding: batches pad)."""
        out = []
        for words, tags in sentences:
            enc = tok(words, is_split_into_words=True, truncation=True, max_length=args.max_length)
            word_ids = enc.word_ids()
            label_ids, first_piece, previous = [], {}, None
            for pos, w in enumerate(word_ids):
                if w is None:
                    label_ids.append(-100)
                elif w != previous:
                    label_ids.append(label2id.get(tags[w], -100))
                    first_piece[w] = pos
                else:
                    label_ids.append(b_to_i[label2id[tags[w]]] if args.label_all_tokens and tags[w] in label2id
                                     else -100)
                previous = w
            missing = [w for w in range(len(words)) if w not in first_piece]
            truncated = 0
            if missing:
                # Tell words cut by max_length from words the tokenizer turns into no piece at all.
                full = set(x for x in tok(words, is_split_into_words=True).word_ids() if x is not None)
                truncated = sum(1 for w in missing if w in full)
            out.append({"input_ids": enc["input_ids"], "token_type_ids": enc.get("token_type_ids"),
                        "labels": label_ids, "first_piece": first_piece, "truncated": truncated,
                        "empty": len(missing) - truncated})
        return out

    start = time.time()
    train_enc, test_enc = encode(train), encode(test)
    validation_enc = encode(validation) if validation else None
    log(f"tokenized in {time.time() - start:.1f}s")

    model = AutoModelForTokenClassification.from_pretrained(
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
    trainable_count = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log(f"{type(model).__name__}: {trainable_count} of {sum(p.numel() for p in model.parameters())} "
        f"parameters trainable (top {top} of {layers} layers + classifier)")

    no_decay = lambda n: n.endswith(".bias") or "LayerNorm" in n
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW([
        {"params": [p for n, p in params if not no_decay(n)], "weight_decay": args.weight_decay},
        {"params": [p for n, p in params if no_decay(n)], "weight_decay": 0.0}], lr=args.lr)
    steps_per_epoch = math.ceil(len(train_enc) / args.batch_size)
    total_steps = math.ceil(steps_per_epoch * args.epochs)
    warmup_steps = int(math.ceil(total_steps * args.warmup_ratio))
    scheduler = get_linear_schedule_with_warmup(optimizer, warmup_steps, total_steps)

    pad_id = tok.pad_token_id

    def collate(chunk):
        """DataCollatorForTokenClassification: pad to the batch's longest, labels with -100."""
        n = max(len(e["input_ids"]) for e in chunk)
        ids = torch.full((len(chunk), n), pad_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), n), dtype=torch.long)
        types = torch.zeros((len(chunk), n), dtype=torch.long)
        lab = torch.full((len(chunk), n), -100, dtype=torch.long)
        for r, e in enumerate(chunk):
            k = len(e["input_ids"])
            ids[r, :k] = torch.tensor(e["input_ids"])
            mask[r, :k] = 1
            if e["token_type_ids"] is not None:
                types[r, :k] = torch.tensor(e["token_type_ids"])
            lab[r, :k] = torch.tensor(e["labels"])
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}, lab

    def batches(rows, shuffle, rng, size):
        order = list(range(len(rows)))
        if shuffle:
            rng.shuffle(order)
        for i in range(0, len(order), size):
            yield collate([rows[j] for j in order[i:i + size]])

    def train_mode():
        model.train()
        if args.frozen_eval and args.unfreeze_top != "all":
            model.bert.embeddings.eval()
            for i in range(layers - top):
                model.bert.encoder.layer[i].eval()

    def predict(sentences, encoded):
        """Word-level tags: the argmax at each word's first piece; 'O' for a word without one."""
        model.eval()
        preds = [None] * len(encoded)
        # Batches of similar length (less padding); the attention mask makes the order irrelevant.
        order = sorted(range(len(encoded)), key=lambda j: len(encoded[j]["input_ids"]))
        with torch.no_grad():
            for i in range(0, len(order), args.eval_batch_size):
                idx = order[i:i + args.eval_batch_size]
                chunk = [encoded[j] for j in idx]
                inputs, _ = collate(chunk)
                argmax = model(**inputs).logits.argmax(-1).tolist()
                for r, (j, e) in enumerate(zip(idx, chunk)):
                    preds[j] = [labels[argmax[r][e["first_piece"][w]]] if w in e["first_piece"] else "O"
                                for w in range(len(sentences[j][0]))]
        return preds

    best, best_state, history = None, None, []
    rng = random.Random(args.seed)
    train_mode()
    step, samples, epoch = 0, 0, 0
    validation_seconds = 0.0
    start = time.time()
    while step < total_steps:
        losses = []
        for inputs, y in batches(train_enc, True, rng, args.batch_size):
            out = model(**inputs, labels=y)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in params], args.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            samples += y.shape[0]
            losses.append(out.loss.item())
            if step % 10 == 0 or step == total_steps:
                elapsed = time.time() - start
                log(f"step {step}/{total_steps} epoch {epoch + 1} loss {sum(losses[-10:]) / len(losses[-10:]):.4f} "
                    f"lr {scheduler.get_last_lr()[0]:.2e} {samples / elapsed:.1f} samples/s {elapsed:.0f}s")
            if step >= total_steps:
                break
        epoch += 1
        entry = {"epoch": epoch, "step": step, "train_loss": sum(losses) / max(1, len(losses))}
        if validation is not None:
            v_start = time.time()
            gold = [tags for _, tags in validation]
            f1 = f1_score(gold, predict(validation, validation_enc))
            validation_seconds += time.time() - v_start
            entry["f1"] = f1
            log(f"epoch {epoch} step {step}: validation seqeval f1 {f1:.4f}")
            if best is None or f1 > best:
                best = f1
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                entry["best"] = True
            train_mode()
        history.append(entry)
    # As train_torch.py and kanna train: train seconds include the per-epoch validation.
    train_seconds = time.time() - start
    if best_state is not None:
        model.load_state_dict(best_state)

    start = time.time()
    gold = [tags for _, tags in test]
    pred = predict(test, test_enc)
    eval_seconds = time.time() - start
    report = classification_report(gold, pred, output_dict=True)
    log(classification_report(gold, pred, digits=4))
    result = {
        "test": {
            "precision": precision_score(gold, pred),
            "recall": recall_score(gold, pred),
            "f1": f1_score(gold, pred),
            "token_accuracy": accuracy_score(gold, pred),
            "report": {k: {m: float(x) if m != "support" else int(x) for m, x in v.items()} for k, v in report.items()},
            "sentences": len(test),
            "words": sum(len(w) for w, _ in test),
            "words_truncated": sum(e["truncated"] for e in test_enc),
            "sentences_truncated": sum(1 for e in test_enc if e["truncated"]),
            "words_without_pieces": sum(e["empty"] for e in test_enc),
        },
        "validation_history": history,
        "best_validation_f1": best,
        "best_epoch": next((h["epoch"] for h in reversed(history) if h.get("best")), None),
        "labels": labels,
        "settings": {"model": args.model, "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
                     "max_length": args.max_length, "unfreeze_top": args.unfreeze_top,
                     "frozen_eval": args.frozen_eval, "warmup_ratio": args.warmup_ratio,
                     "warmup_steps": warmup_steps, "weight_decay": args.weight_decay,
                     "max_grad_norm": args.max_grad_norm, "label_all_tokens": args.label_all_tokens,
                     "seed": args.seed, "threads": args.threads, "limit_train": args.limit_train},
        "train_sentences": len(train), "train_words_truncated": sum(e["truncated"] for e in train_enc),
        "trainable_parameters": trainable_count,
        "steps": total_steps, "train_samples": samples, "train_seconds": train_seconds,
        "validation_seconds": validation_seconds,
        "train_samples_per_second": samples / train_seconds,
        "train_samples_per_second_excluding_validation": samples / (train_seconds - validation_seconds),
        "eval_seconds": eval_seconds,
        "torch": torch.__version__, "transformers": transformers.__version__,
    }
    if args.predictions:
        with open(args.predictions, "w", encoding="utf-8") as f:
            for (words, tags), p in zip(test, pred):
                for w, g, q in zip(words, tags, p):
                    f.write(f"{w}\t{g}\t{q}\n")
                f.write("\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
