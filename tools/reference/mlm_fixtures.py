"""Reference fixtures for masked-LM fine-tuning: 20 AdamW steps of BertForMaskedLM.

Produces, under engine/src/test/resources/bert/training/:
  trajectory-mlm.safetensors        every parameter trainable (nothing frozen)
  trajectory-mlm-top2.safetensors   freeze_below(model, 2): bert.embeddings.* and
                                    bert.encoder.layer.0.* frozen
Both start from tiny-gelu/mlm (bert_fixtures.py; decoder tied to the word embeddings), with dropout
off (model.eval()), and take their 20 steps exactly as bert_fixtures.trajectory() does: AdamW
(lr 1e-4, weight decay 0.01 except parameters with "bias" or "LayerNorm" in the name),
get_linear_schedule_with_warmup (4 warmup steps of 20), clip_grad_norm_(1.0), batch 4 x 12 with
lengths 2..12 padded to 12. Both draw the same batches and masks (same seed), so their step-0
losses agree.

Masking is DataCollatorForLanguageModeling's, done here with the trajectory's own generator: each
real token other than position 0 (the [CLS]-like id 2) is selected with probability 0.15 (padding
never); of the selected, 80% become the [MASK]-like id 1, half of the rest a random id in
[0, vocab_size), the others stay. A step whose draw selects nothing draws again. The model gets
the masked input_ids and labels (the original id at selected positions, -100 elsewhere), and the
loss is its own (`labels=` passed to forward): cross-entropy over the flattened B*T logits, a
mean over the selected positions.

Each file holds:
  step{N}.input_ids         int32 (4, 12), N = 0..19: the MASKED ids the model was fed
  step{N}.token_type_ids, step{N}.attention_mask   int32 (4, 12)
  step{N}.labels            int32 (4, 12): the original id at selected positions, -100 elsewhere
  losses, grad_norms, lrs   float64 (20,): the model's loss, the norm clip_grad_norm_ returns
                            before clipping, the learning rate used
  final.<name>              every trainable parameter after the 20 steps, under save_pretrained's
                            names; the tied decoder appears once, as bert.embeddings.word_embeddings.weight
and one metadata entry "settings" (JSON): model, steps, unfreeze_top (null: nothing frozen), lr,
warmup_steps, weight_decay, max_grad_norm, mlm_probability.

Tying under freeze_below: cls.predictions.decoder.weight IS bert.embeddings.word_embeddings.weight
(one tensor; named_parameters() lists it once, under the embedding's name), so freezing the
embeddings freezes the decoder too; cls.predictions.transform.* and cls.predictions.bias (which
decoder.bias also is) train. The script asserts that.

Run from the repository root with the reference venv (tools/reference/README.md):
    .venv-ref/bin/python tools/reference/mlm_fixtures.py
Every output is deterministic for a given torch/transformers version; torch runs on one thread, as
in bert_fixtures.py.
"""
import json
import os

import torch
from safetensors.torch import save_file
from transformers import BertForMaskedLM, get_linear_schedule_with_warmup

from bert_fixtures import OUT, batch, freeze_below, inputs_dict, settings

MASK_ID = 1
CLS_ID = 2


def mask_tokens(g, ids, mask, vocab_size, probability=0.15):
    """DataCollatorForLanguageModeling.torch_mask_tokens with the special positions given by hand:
    never position 0 ([CLS]) nor padding; drawn again until at least one position is selected."""
    special = (mask == 0) | (ids == CLS_ID)
    special[:, 0] = True
    while True:
        chosen = torch.full(ids.shape, probability)
        chosen.masked_fill_(special, 0.0)
        selected = torch.bernoulli(chosen, generator=g).bool()
        replaced = torch.bernoulli(torch.full(ids.shape, 0.8), generator=g).bool() & selected
        randomised = torch.bernoulli(torch.full(ids.shape, 0.5), generator=g).bool() & selected & ~replaced
        random_ids = torch.randint(vocab_size, ids.shape, generator=g)
        if selected.any():
            break
    labels = ids.clone()
    labels[~selected] = -100
    masked = ids.clone()
    masked[replaced] = MASK_ID
    masked[randomised] = random_ids[randomised]
    return masked, labels


def trajectory(file, seed, top=None, steps=20, batch_size=4, lr=1e-4, warmup=4, weight_decay=0.01, width=12,
               probability=0.15):
    model = BertForMaskedLM.from_pretrained(os.path.join(OUT, "tiny-gelu", "mlm")).eval()   # dropout off
    assert model.cls.predictions.decoder.weight is model.bert.embeddings.word_embeddings.weight
    if top is not None:
        freeze_below(model, top)
        assert not model.cls.predictions.decoder.weight.requires_grad
        assert model.cls.predictions.bias.requires_grad and model.cls.predictions.decoder.bias.requires_grad
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if ("bias" in n or "LayerNorm" in n) else decay).append(p)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=lr)
    schedule = get_linear_schedule_with_warmup(optimizer, warmup, steps)
    vocab = model.config.vocab_size
    g = torch.Generator().manual_seed(seed)
    tensors, losses, norms, lrs, selected = {}, [], [], [], []
    for step in range(steps):
        lengths = torch.randint(2, width + 1, (batch_size,), generator=g).tolist()
        ids, types, mask = batch(g, lengths, model.config.type_vocab_size, width=width)
        ids, labels = mask_tokens(g, ids, mask, vocab, probability)
        for k, v in inputs_dict(ids, types, mask).items():
            tensors[f"step{step}.{k}"] = v
        tensors[f"step{step}.labels"] = labels.int().contiguous()
        selected.append(int((labels != -100).sum()))
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
    for n, p in model.named_parameters():   # a tied tensor once, under its first (the embedding's) name
        if p.requires_grad:   # frozen ones must equal the initial checkpoint
            tensors["final." + n] = p.detach().contiguous()
            trainable.append(n)
    save_file(tensors, os.path.join(OUT, "training", file),
              metadata=settings(model="tiny-gelu/mlm", steps=steps, unfreeze_top=top, lr=lr, warmup_steps=warmup,
                                weight_decay=weight_decay, max_grad_norm=1.0, mlm_probability=probability))
    return {"trainable_tensors": len(trainable), "selected_per_step": selected,
            "losses": [round(x, 4) for x in losses]}


def main():
    torch.set_num_threads(1)
    os.makedirs(os.path.join(OUT, "training"), exist_ok=True)
    summary = {"all": trajectory("trajectory-mlm.safetensors", seed=600),
               "top2": trajectory("trajectory-mlm-top2.safetensors", seed=600, top=2)}
    print(json.dumps({"transformers": __import__("transformers").__version__, "torch": torch.__version__,
                      **summary}, indent=1))


if __name__ == "__main__":
    main()
