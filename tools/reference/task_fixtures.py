"""Reference fixtures for the token-classification, multi-label and regression heads.

Produces, under engine/src/test/resources/bert/:
  tiny-gelu/token/       a tiny random BertForTokenClassification (5 BIO labels, no pooler)
  tiny-gelu/multilabel/  a tiny random BertForSequenceClassification, problem_type
                         "multi_label_classification", 4 labels
  tiny-gelu/regression/  a tiny random BertForSequenceClassification, problem_type "regression",
                         1 label
  training/trajectory-<head>.safetensors   for each of the three: 20 AdamW steps exactly as
                         bert_fixtures.trajectory() takes them, with the head's own labels and loss

Each model has the "tiny-gelu" shape (hidden 32, 3 layers, 4 heads, intermediate 64, gelu, 2 token
types, vocabulary 100, 32 positions, initializer range 0.2), its own seed and a classifier bias drawn
from normal(0, 0.5), and is saved with save_pretrained. Each trajectory file holds:
  initial_logits            float32, the model's logits for step 0's batch before any step (eval
                            mode): (4, 12, 5) for token, (4, 4) for multilabel, (4, 1) for regression
                            (the model does not squeeze a single output)
  step{N}.input_ids, step{N}.token_type_ids, step{N}.attention_mask   int32 (4, 12), N = 0..19;
                            lengths 2..12, padded to 12
  step{N}.labels            token only: int32 (4, 12), a class per real token and -100 at [CLS], at
                            the last real token ([SEP]), at padding and at ~25% of the other tokens
                            (as non-first word pieces are)
  step{N}.targets           multilabel: float32 (4, 4) of 0/1 (step 3 has an all-zero row, step 7 an
                            all-one row); regression: float32 (4,) drawn from normal(2, 1.5)
  losses, grad_norms, lrs   float64 (20,): the model's own loss (labels= passed to forward), the
                            norm clip_grad_norm_ returns before clipping, the learning rate used
  final.<name>              the trainable parameters after the 20 steps
and one metadata entry "settings" (JSON): model, steps, unfreeze_top, lr, warmup_steps, weight_decay,
max_grad_norm, problem_type, num_labels.

The losses are transformers' own: token classification is CrossEntropyLoss over the flattened
(batch * tokens) logits, a mean over every non-ignored token of the whole batch (padding counts only
through its -100 label, the attention mask is not consulted); multi-label is BCEWithLogitsLoss, a mean
over batch * labels; regression is MSELoss of logits.squeeze() against targets.squeeze().

freeze_below(model, 2) freezes bert.embeddings.* and bert.encoder.layer.0.*; trainable are
bert.encoder.layer.1.*, bert.encoder.layer.2.* and, above the encoder, bert.pooler.dense.* and
classifier.* for the two sequence heads, classifier.* alone for the token head (it has no pooler).

Run from the repository root with the reference venv (tools/reference/README.md):
    .venv-ref/bin/python tools/reference/task_fixtures.py
Every output is deterministic for a given torch/transformers version (config.json records the
transformers version); dropout is off (model.eval()) throughout. torch runs on one thread, as in
bert_fixtures.py: with two, the backward pass rounds differently (grad norms ~1e-5 apart, the attention
key biases, whose true gradient is zero, up to 6e-5 apart after 20 steps).
"""
import json
import os

import torch
from safetensors.torch import save_file
from transformers import BertForSequenceClassification, BertForTokenClassification, get_linear_schedule_with_warmup

from bert_fixtures import MODELS, OUT, batch, config, freeze_below, inputs_dict, settings

SHAPE = {k: v for k, v in MODELS["tiny-gelu"].items() if k != "num_labels"}


def labelled(names):
    """id2label and label2id both, as a fine-tuned checkpoint has them (given id2label alone,
    transformers 5 writes "label2id": null)."""
    return dict(num_labels=len(names), id2label=dict(enumerate(names)), label2id={n: i for i, n in enumerate(names)})


HEADS = {
    # dir: (model class, config overrides)
    "token": (BertForTokenClassification, labelled(["B-Disease", "B-Drug", "I-Disease", "I-Drug", "O"])),
    "multilabel": (BertForSequenceClassification,
                   dict(labelled(["billing", "bug", "feature", "urgent"]), problem_type="multi_label_classification")),
    "regression": (BertForSequenceClassification, dict(num_labels=1, problem_type="regression")),
}


def save_model(head, seed):
    kind, overrides = HEADS[head]
    torch.manual_seed(seed)
    model = kind(config(**SHAPE, **overrides)).eval()
    with torch.no_grad():
        model.classifier.bias.normal_(0, 0.5)   # non-trivial, so a dropped bias shows in the logits
    model.save_pretrained(os.path.join(OUT, "tiny-gelu", head))


def token_labels(g, lengths, width, num_labels):
    labels = torch.randint(0, num_labels, (len(lengths), width), generator=g)
    skip = torch.rand(len(lengths), width, generator=g) < 0.25
    for i, n in enumerate(lengths):
        labels[i, 1:n - 1][skip[i, 1:n - 1]] = -100   # continuation word pieces
        labels[i, 0] = -100                             # [CLS]
        labels[i, n - 1:] = -100                        # [SEP] and padding
    return labels


def targets(head, g, step, batch_size, num_labels):
    if head == "multilabel":
        t = torch.randint(0, 2, (batch_size, num_labels), generator=g).float()
        if step == 3:
            t[1] = 0.0
        if step == 7:
            t[2] = 1.0
        return t
    return torch.randn(batch_size, generator=g) * 1.5 + 2.0


def trajectory(head, seed, steps=20, batch_size=4, top=2, lr=1e-4, warmup=4, weight_decay=0.01, width=12):
    kind, _ = HEADS[head]
    model = kind.from_pretrained(os.path.join(OUT, "tiny-gelu", head)).eval()   # dropout off
    freeze_below(model, top)
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if ("bias" in n or "LayerNorm" in n) else decay).append(p)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=lr)
    schedule = get_linear_schedule_with_warmup(optimizer, warmup, steps)
    num_labels = model.config.num_labels
    g = torch.Generator().manual_seed(seed)
    tensors, losses, norms, lrs = {}, [], [], []
    for step in range(steps):
        lengths = torch.randint(2, width + 1, (batch_size,), generator=g).tolist()
        ids, types, mask = batch(g, lengths, model.config.type_vocab_size, width=width)
        for k, v in inputs_dict(ids, types, mask).items():
            tensors[f"step{step}.{k}"] = v
        if head == "token":
            labels = token_labels(g, lengths, width, num_labels)
            assert (labels != -100).any(), f"step {step} has no labelled token"
            tensors[f"step{step}.labels"] = labels.int().contiguous()
        else:
            labels = targets(head, g, step, batch_size, num_labels)
            tensors[f"step{step}.targets"] = labels.float().contiguous()
        if step == 0:
            with torch.no_grad():
                tensors["initial_logits"] = model(input_ids=ids, token_type_ids=types,
                                                  attention_mask=mask).logits.float().contiguous()
        lrs.append(schedule.get_last_lr()[0])
        loss = model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels).loss
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)))
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    tensors["losses"] = torch.tensor(losses, dtype=torch.float64)
    tensors["grad_norms"] = torch.tensor(norms, dtype=torch.float64)
    tensors["lrs"] = torch.tensor(lrs, dtype=torch.float64)
    trainable = []
    for n, p in model.named_parameters():
        if p.requires_grad:   # frozen ones must equal the initial checkpoint
            tensors["final." + n] = p.detach().contiguous()
            trainable.append(n)
    save_file(tensors, os.path.join(OUT, "training", f"trajectory-{head}.safetensors"),
              metadata=settings(model=f"tiny-gelu/{head}", steps=steps, unfreeze_top=top, lr=lr, warmup_steps=warmup,
                                weight_decay=weight_decay, max_grad_norm=1.0,
                                problem_type=model.config.problem_type, num_labels=num_labels))
    return trainable, losses


def main():
    torch.set_num_threads(1)
    os.makedirs(os.path.join(OUT, "training"), exist_ok=True)
    summary = {}
    for k, head in enumerate(HEADS):
        save_model(head, seed=400 + k)
        trainable, losses = trajectory(head, seed=500 + k)
        above = sorted({n.rsplit(".", 1)[0] for n in trainable if not n.startswith("bert.encoder.")})
        layers = sorted({".".join(n.split(".")[:4]) for n in trainable if n.startswith("bert.encoder.")})
        summary[head] = {"trainable": layers + above, "max_abs_loss": max(abs(x) for x in losses)}
    print(json.dumps({"transformers": __import__("transformers").__version__, "torch": torch.__version__,
                      "heads": summary}, indent=1))


if __name__ == "__main__":
    main()
