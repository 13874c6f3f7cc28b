"""Reference fixtures for the BERT model, its gradients and a short training trajectory.

Produces, under engine/src/test/resources/bert/:
  <model>/cls/  <model>/mlm/   tiny random BERTs saved with save_pretrained (BertForSequenceClassification
                               and BertForMaskedLM sharing one encoder)
  <model>/expected.safetensors a padded batch with token types and transformers' outputs for it:
                               last_hidden_state, cls_logits, mlm_logits; and a batch with type ids 0
                               (what the CLI's --ids input gives) with cli.{mean_pooled, cls_pooled,
                               cls_logits, mlm_logits}
  training/gradients-top2.safetensors       classification loss gradients, top 2 of 3 layers unfrozen
  training/gradients-options.safetensors    the same with label smoothing, class weights and an ignored
                                            label, top 1 layer unfrozen
  training/gradients-mlm.safetensors        masked-LM loss gradients, everything trainable (tied decoder)
  training/trajectory.safetensors           20 AdamW steps (linear warmup schedule, clipping) and the
                                            final weights
  training/schedules.json                   learning rates of transformers' linear, cosine and constant
                                            schedules, and TrainingArguments' warmup steps for ratios

Run from the repository root with any Python that has torch, transformers and safetensors
(the reference venv of REFERENCE.md):
    /work/venv-ref/bin/python tools/reference/bert_fixtures.py
Every output is deterministic for a given torch/transformers version; dropout is off (model.eval())
wherever gradients or trajectories are recorded.
"""
import json
import os
import types

import torch
from safetensors.torch import save_file
from transformers import (BertConfig, BertForMaskedLM, BertForSequenceClassification, TrainingArguments,
                          get_constant_schedule_with_warmup, get_cosine_schedule_with_warmup,
                          get_linear_schedule_with_warmup)

OUT = os.path.join("engine", "src", "test", "resources", "bert")

MODELS = {
    # name: config overrides
    "tiny-gelu": dict(hidden_size=32, num_hidden_layers=3, num_attention_heads=4, intermediate_size=64,
                      hidden_act="gelu", type_vocab_size=2, num_labels=3),
    "tiny-gelu-new": dict(hidden_size=48, num_hidden_layers=2, num_attention_heads=3, intermediate_size=80,
                          hidden_act="gelu_new", type_vocab_size=3, num_labels=2),
    "tiny-relu": dict(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
                      hidden_act="relu", type_vocab_size=2, num_labels=2),
}


def config(**overrides):
    return BertConfig(vocab_size=100, max_position_embeddings=32, initializer_range=0.2, **overrides)


def batch(generator, lengths, type_vocab, width=None):
    """Token ids in [1, 100) (0 is padding), [CLS]-like id 2 first, a second segment of type 1 (or 2)."""
    t = width or max(lengths)
    ids = torch.zeros(len(lengths), t, dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for i, n in enumerate(lengths):
        ids[i, :n] = torch.randint(3, 100, (n,), generator=generator)
        ids[i, 0] = 2
        mask[i, :n] = 1
        if n > 3:
            types[i, n // 2:n] = 1 + i % (type_vocab - 1)
    return ids, types, mask


def save_models(name, overrides, seed):
    torch.manual_seed(seed)
    cls = BertForSequenceClassification(config(**overrides)).eval()
    mlm = BertForMaskedLM(config(**overrides)).eval()
    mlm.bert.load_state_dict(cls.bert.state_dict(), strict=False)   # one encoder; the MLM model has no pooler
    # a non-trivial head bias, so a bias that is dropped shows in the logits
    with torch.no_grad():
        mlm.cls.predictions.bias.normal_(0, 0.5)
        cls.classifier.bias.normal_(0, 0.5)
    cls.save_pretrained(os.path.join(OUT, name, "cls"))
    mlm.save_pretrained(os.path.join(OUT, name, "mlm"))
    return cls, mlm


def outputs(name, cls, mlm, seed):
    g = torch.Generator().manual_seed(seed)
    ids, types, mask = batch(g, [11, 6, 3], cls.config.type_vocab_size)
    with torch.no_grad():
        hidden = cls.bert(input_ids=ids, token_type_ids=types, attention_mask=mask).last_hidden_state
        cls_logits = cls(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
        mlm_logits = mlm(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
    tensors = {"input_ids": ids.int().contiguous(), "token_type_ids": types.int().contiguous(),
               "attention_mask": mask.int().contiguous(), "last_hidden_state": hidden.contiguous(),
               "cls_logits": cls_logits.contiguous(), "mlm_logits": mlm_logits.contiguous()}
    ids, _, mask = batch(g, [7, 3, 5], cls.config.type_vocab_size)
    types = torch.zeros_like(ids)
    with torch.no_grad():
        hidden = cls.bert(input_ids=ids, token_type_ids=types, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        tensors.update({
            "cli.input_ids": ids.int().contiguous(), "cli.token_type_ids": types.int().contiguous(),
            "cli.attention_mask": mask.int().contiguous(),
            # sentence-transformers' mean pooling: masked sum over tokens / token count
            "cli.mean_pooled": ((hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)).contiguous(),
            "cli.cls_pooled": hidden[:, 0].contiguous(),
            "cli.cls_logits": cls(input_ids=ids, token_type_ids=types, attention_mask=mask).logits.contiguous(),
            "cli.mlm_logits": mlm(input_ids=ids, token_type_ids=types, attention_mask=mask).logits.contiguous()})
    save_file(tensors, os.path.join(OUT, name, "expected.safetensors"))


def settings(**values):
    """One metadata entry (safetensors writes a multi-key metadata map in random order)."""
    return {"settings": json.dumps(values, sort_keys=True)}


def freeze_below(model, trainable_layers):
    layers = model.config.num_hidden_layers
    for name, p in model.named_parameters():
        if name.startswith("bert.embeddings."):
            p.requires_grad_(False)
        for i in range(layers - trainable_layers):
            if name.startswith(f"bert.encoder.layer.{i}."):
                p.requires_grad_(False)


def inputs_dict(ids, types, mask):
    return {"input_ids": ids.int().contiguous(), "token_type_ids": types.int().contiguous(),
            "attention_mask": mask.int().contiguous()}


def gradients_classification(name, top, smoothing, weights, labels, seed, file):
    model = BertForSequenceClassification.from_pretrained(os.path.join(OUT, name, "cls")).eval()
    freeze_below(model, top)
    g = torch.Generator().manual_seed(seed)
    ids, types, mask = batch(g, [12, 7, 4, 9], model.config.type_vocab_size)
    logits = model(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
    labels = torch.tensor(labels)
    w = None if weights is None else torch.tensor(weights)
    loss = torch.nn.functional.cross_entropy(logits, labels, weight=w, label_smoothing=smoothing)
    loss.backward()
    tensors = inputs_dict(ids, types, mask)
    tensors["labels"] = labels.int()
    tensors["loss"] = loss.detach().double().reshape(1)
    if w is not None:
        tensors["class_weights"] = w.float()
    for n, p in model.named_parameters():
        if p.requires_grad:
            tensors["grad." + n] = p.grad.contiguous()
    save_file(tensors, os.path.join(OUT, "training", file),
              metadata=settings(model=name + "/cls", unfreeze_top=top, label_smoothing=smoothing))


def gradients_mlm(name, seed):
    model = BertForMaskedLM.from_pretrained(os.path.join(OUT, name, "mlm")).eval()
    g = torch.Generator().manual_seed(seed)
    ids, types, mask = batch(g, [10, 5, 8], model.config.type_vocab_size)
    labels = torch.full_like(ids, -100)
    for i, j in [(0, 1), (0, 4), (0, 8), (1, 2), (1, 3), (2, 5), (2, 7)]:
        labels[i, j] = ids[i, j]
        ids[i, j] = 1   # the "[MASK]" id
    out = model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels)
    out.loss.backward()
    tensors = inputs_dict(ids, types, mask)
    tensors["labels"] = labels.int().contiguous()
    tensors["loss"] = out.loss.detach().double().reshape(1)
    for n, p in model.named_parameters():
        tensors["grad." + n] = p.grad.contiguous()
    save_file(tensors, os.path.join(OUT, "training", "gradients-mlm.safetensors"), metadata=settings(model=name + "/mlm"))


def trajectory(name, seed, steps=20, batch_size=4, top=2, lr=1e-4, warmup=4, weight_decay=0.01):
    model = BertForSequenceClassification.from_pretrained(os.path.join(OUT, name, "cls")).eval()   # dropout off
    freeze_below(model, top)
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if ("bias" in n or "LayerNorm" in n) else decay).append(p)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=lr)
    schedule = get_linear_schedule_with_warmup(optimizer, warmup, steps)
    g = torch.Generator().manual_seed(seed)
    tensors, losses, norms, lrs = {}, [], [], []
    for step in range(steps):
        lengths = torch.randint(2, 13, (batch_size,), generator=g).tolist()
        ids, types, mask = batch(g, lengths, model.config.type_vocab_size, width=12)
        labels = torch.randint(0, model.config.num_labels, (batch_size,), generator=g)
        for k, v in inputs_dict(ids, types, mask).items():
            tensors[f"step{step}.{k}"] = v
        tensors[f"step{step}.labels"] = labels.int()
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
    for n, p in model.named_parameters():
        if p.requires_grad:   # frozen ones must equal the initial checkpoint
            tensors["final." + n] = p.detach().contiguous()
    save_file(tensors, os.path.join(OUT, "training", "trajectory.safetensors"),
              metadata=settings(model=name + "/cls", steps=steps, unfreeze_top=top, lr=lr, warmup_steps=warmup,
                                weight_decay=weight_decay, max_grad_norm=1.0))


def schedules():
    makers = {"linear": lambda o, w, t: get_linear_schedule_with_warmup(o, w, t),
              "cosine": lambda o, w, t: get_cosine_schedule_with_warmup(o, w, t),
              "constant": lambda o, w, t: get_constant_schedule_with_warmup(o, w)}
    cases = []
    for kind, make in makers.items():
        for warmup, total in [(0, 10), (3, 10), (10, 10), (4, 20), (1, 1)]:
            optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=2e-5)
            schedule = make(optimizer, warmup, total)
            lrs = []
            for _ in range(total + 2):   # two steps past the end: linear and cosine stay at 0
                lrs.append(schedule.get_last_lr()[0])
                optimizer.step()
                schedule.step()
            cases.append({"kind": kind, "warmup_steps": warmup, "total_steps": total, "base_lr": 2e-5, "lrs": lrs})
    warmups = []
    for ratio in [0.0, 0.06, 0.1, 0.25, 0.5]:
        for total in [1, 7, 100, 1234]:
            # the method itself, without building TrainingArguments (that needs accelerate)
            args = types.SimpleNamespace(warmup_steps=ratio)
            warmups.append({"ratio": ratio, "total_steps": total,
                            "warmup_steps": TrainingArguments.get_warmup_steps(args, total)})
    with open(os.path.join(OUT, "training", "schedules.json"), "w") as f:
        json.dump({"schedules": cases, "warmup_ratios": warmups}, f, indent=1)
        f.write("\n")


def main():
    torch.set_num_threads(1)
    os.makedirs(os.path.join(OUT, "training"), exist_ok=True)
    for k, (name, overrides) in enumerate(MODELS.items()):
        cls, mlm = save_models(name, overrides, seed=100 + k)
        outputs(name, cls, mlm, seed=200 + k)
    gradients_classification("tiny-gelu", top=2, smoothing=0.0, weights=None, labels=[0, 2, 1, 2], seed=300,
                             file="gradients-top2.safetensors")
    gradients_classification("tiny-gelu", top=1, smoothing=0.1, weights=[1.0, 2.5, 0.5], labels=[0, 2, -100, 1],
                             seed=301, file="gradients-options.safetensors")
    gradients_mlm("tiny-relu", seed=302)
    trajectory("tiny-gelu", seed=303)
    schedules()
    print(json.dumps({"transformers": __import__("transformers").__version__, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
