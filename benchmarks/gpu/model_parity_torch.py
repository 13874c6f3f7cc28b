#!/usr/bin/env python3
"""PyTorch's side of the whole-model parity check (dev.kanna.cuda.bench.ModelParity is ours).

Builds a seeded random-init BertForSequenceClassification, saves it with save_pretrained into DIR,
makes a padded batch (attention mask, two token-type segments, 3 labels), and writes DIR/reference.safetensors:

  input_ids, token_type_ids, attention_mask (B, T) int32, labels (B) int32   the batch
  fp32.logits (B, K), fp32.loss (1) f64, fp32.grad.<hf name> ...          fp32 on this device, TF32 off
  bf16.logits (B, K), bf16.loss (1) f64, bf16.grad.<hf name> ...          under torch.autocast(bfloat16)

Gradients are of torch's mean cross-entropy with respect to every trainable parameter, dropout off
(model.eval()). Which parameters train: everything (default), or with --unfreeze-top N the top N
encoder layers, the pooler and the classifier (embeddings frozen), as our FreezePolicy.unfreezeTop(N).
The metadata entry "settings" records the choice for our side.

  python3 model_parity_torch.py DIR                   # GPU: 4 layers, 768 wide, 12 heads, B 8 x T 128
  python3 model_parity_torch.py DIR --tiny --device cpu   # a rehearsal on the CPU
"""
import argparse
import json
import os

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertForSequenceClassification


def make_config(tiny):
    if tiny:
        return BertConfig(vocab_size=500, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                          intermediate_size=128, max_position_embeddings=64, num_labels=3)
    # bert-base's width and heads, 4 layers: every kernel at its real shape, a short backward chain
    return BertConfig(num_hidden_layers=4, num_labels=3)   # vocab 30522, 768 wide, 12 heads, FFN 3072


def make_batch(config, batch, seq, seed):
    """Token ids in [5, vocab), id 2 first; lengths from seq down to ~seq/4 (padding 0); second half of
    each sequence is token type 1."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.zeros(batch, seq, dtype=torch.int32)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for i in range(batch):
        n = seq - (i * (3 * seq // 4)) // max(1, batch - 1)
        ids[i, :n] = torch.randint(5, config.vocab_size, (n,), generator=g, dtype=torch.int32)
        ids[i, 0] = 2
        mask[i, :n] = 1
        types[i, n // 2:n] = 1
    labels = torch.randint(0, config.num_labels, (batch,), generator=g, dtype=torch.int32)
    return ids, types, mask, labels


def freeze(model, top):
    if top is None:
        return
    layers = model.config.num_hidden_layers
    for name, p in model.named_parameters():
        if name.startswith("bert.embeddings."):
            p.requires_grad_(False)
        for i in range(layers - top):
            if name.startswith(f"bert.encoder.layer.{i}."):
                p.requires_grad_(False)


def logits_and_grads(model, ids, types, mask, labels, device, autocast):
    model.zero_grad(set_to_none=True)
    with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=autocast):
        logits = model(input_ids=ids.long(), token_type_ids=types.long(), attention_mask=mask.long()).logits
    loss = torch.nn.functional.cross_entropy(logits.float(), labels.long())
    loss.backward()
    out = {"logits": logits.detach().float().cpu().contiguous(), "loss": loss.detach().double().reshape(1).cpu()}
    for name, p in model.named_parameters():
        if p.requires_grad:
            out["grad." + name] = p.grad.detach().float().cpu().contiguous()
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir", help="where the model (save_pretrained) and reference.safetensors go")
    p.add_argument("--device", default="cuda")
    p.add_argument("--tiny", action="store_true", help="a small config for a CPU rehearsal")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--unfreeze-top", type=int, default=None, help="train only the top N layers (+ pooler, head)")
    p.add_argument("--seed", type=int, default=1234)
    a = p.parse_args()
    if a.tiny:
        a.seq = min(a.seq, 32)

    # fp32 means fp32: no TF32 in matmuls or convolutions
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(a.seed)
    config = make_config(a.tiny)
    model = BertForSequenceClassification(config).eval()   # eval: dropout off; gradients still flow
    with torch.no_grad():
        model.classifier.bias.normal_(0, 0.5)   # a non-trivial head bias, so a dropped bias shows
    os.makedirs(a.dir, exist_ok=True)
    model.save_pretrained(a.dir)
    model.to(a.device)
    freeze(model, a.unfreeze_top)

    ids, types, mask, labels = make_batch(config, a.batch, a.seq, a.seed + 1)
    dev = [t.to(a.device) for t in (ids, types, mask, labels)]
    tensors = {"input_ids": ids, "token_type_ids": types, "attention_mask": mask, "labels": labels}
    for mode, autocast in (("fp32", False), ("bf16", True)):
        for k, v in logits_and_grads(model, *dev, a.device, autocast).items():
            tensors[f"{mode}.{k}"] = v
    settings = {"unfreeze_top": a.unfreeze_top, "device": a.device, "torch": torch.__version__,
                "attention": getattr(model.config, "_attn_implementation", "?"),
                "gpu": torch.cuda.get_device_name() if a.device == "cuda" else "cpu"}
    save_file(tensors, os.path.join(a.dir, "reference.safetensors"), metadata={"settings": json.dumps(settings)})
    grads = sum(1 for k in tensors if k.startswith("fp32.grad."))
    print(f"torch {torch.__version__} on {settings['gpu']}: {config.num_hidden_layers} layers x {config.hidden_size}, "
          f"batch {a.batch} x {a.seq}, {grads} gradient tensors, attention {settings['attention']}; "
          f"loss fp32 {tensors['fp32.loss'].item():.6f}, bf16 {tensors['bf16.loss'].item():.6f} -> {a.dir}", flush=True)


if __name__ == "__main__":
    main()
