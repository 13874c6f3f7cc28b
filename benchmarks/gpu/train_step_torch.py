#!/usr/bin/env python3
"""PyTorch's side of the training-step benchmark: a bert-base-shaped BertForSequenceClassification
(random init, BertConfig() defaults: 12 layers, 768 wide, 12 heads), batch B x sequence T of random
tokens, every layer trainable, AdamW, eager mode with bf16 autocast, timed with CUDA events.

As a module: `TorchTrainStep(batch, seq).time_ms(iters)` (side_by_side.py alternates it with ours).
As a script: prints the time per step; `--save DIR` also writes the model (save_pretrained) so our
engine can load the very same weights.
"""
import argparse
import torch


def time_ms(fn, iters, warmup, device="cuda"):
    """Mean milliseconds per call of fn after warm-up: CUDA events on the GPU, a host clock on the CPU."""
    for _ in range(warmup):
        fn()
    if device != "cuda":
        import time
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        return (time.perf_counter() - t0) * 1000 / iters
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iters):
        fn()
    stop.record()
    stop.synchronize()
    return start.elapsed_time(stop) / iters


class AdamWStep:
    """One training step of self.model on the fixed batch (self.ids, self.mask, self.labels): eager,
    bf16 autocast, the model's own loss, AdamW (self.opt). Subclasses build those."""

    def step(self):
        with torch.autocast(self.device, dtype=torch.bfloat16):
            out = self.model(input_ids=self.ids, attention_mask=self.mask, labels=self.labels)
        out.loss.backward()
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        return out.loss

    def time_ms(self, iters, warmup=3):
        return time_ms(self.step, iters, warmup, self.device)

    def save(self, path):
        self.model.save_pretrained(path)


class TorchTrainStep(AdamWStep):
    def __init__(self, batch, seq, seed=0, device="cuda", tiny=False):
        from transformers import BertConfig, BertForSequenceClassification
        torch.manual_seed(seed)
        self.device = device
        self.config = BertConfig(num_labels=2)
        if tiny:   # a rehearsal on the CPU (side_by_side.py --dry-run)
            self.config = BertConfig(num_labels=2, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=128, vocab_size=1000)
        self.model = BertForSequenceClassification(self.config).to(device).train()
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=2e-5, weight_decay=0.01)
        g = torch.Generator(device="cpu").manual_seed(seed)
        self.ids = torch.randint(0, self.config.vocab_size, (batch, seq), generator=g).to(device)
        self.mask = torch.ones(batch, seq, dtype=torch.long).to(device)
        self.labels = torch.randint(0, 2, (batch,), generator=g).to(device)

    def attention_impl(self):
        return getattr(self.model.config, "_attn_implementation", "?")


class TorchMlmStep(AdamWStep):
    """A bert-base-shaped BertForMaskedLM (random init, decoder tied to the word embeddings), every layer
    trainable, AdamW lr 5e-5, eager with bf16 autocast; one fixed batch masked as transformers'
    DataCollatorForLanguageModeling does (15% selected; 80% [MASK], 10% random, 10% kept; labels -100
    elsewhere). The head computes vocabulary logits at every position, as transformers does."""

    def __init__(self, batch, seq, seed=0, device="cuda", tiny=False):
        from transformers import BertConfig, BertForMaskedLM, DataCollatorForLanguageModeling
        torch.manual_seed(seed)
        self.device = device
        self.config = BertConfig()
        if tiny:
            self.config = BertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=128, vocab_size=1000)
        self.model = BertForMaskedLM(self.config).to(device).train()
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=5e-5, weight_decay=0.01)
        g = torch.Generator(device="cpu").manual_seed(seed)
        ids = torch.randint(min(1000, self.config.vocab_size // 2), self.config.vocab_size, (batch, seq), generator=g)
        labels = ids.clone()
        selected = torch.bernoulli(torch.full(ids.shape, 0.15), generator=g).bool()
        labels[~selected] = -100
        masked = torch.bernoulli(torch.full(ids.shape, 0.8), generator=g).bool() & selected
        ids[masked] = 103
        randomised = torch.bernoulli(torch.full(ids.shape, 0.5), generator=g).bool() & selected & ~masked
        ids[randomised] = torch.randint(self.config.vocab_size, ids.shape, generator=g)[randomised]
        self.ids, self.labels = ids.to(device), labels.to(device)
        self.mask = torch.ones(batch, seq, dtype=torch.long).to(device)


class TorchInference:
    """Sequence-classification inference as a user runs it in PyTorch: eval mode, no_grad, bf16
    autocast, a B x T batch of random tokens moved to the device, logits back to the host."""

    def __init__(self, batch, seq, config, seed=0, device="cuda"):
        from transformers import BertForSequenceClassification
        torch.manual_seed(seed)
        self.device = device
        self.model = BertForSequenceClassification(config).to(device).eval()
        g = torch.Generator(device="cpu").manual_seed(seed)
        self.ids = torch.randint(0, config.vocab_size, (batch, seq), generator=g)
        self.mask = torch.ones(batch, seq, dtype=torch.long)

    def step(self):
        with torch.no_grad(), torch.autocast(self.device, dtype=torch.bfloat16):
            out = self.model(input_ids=self.ids.to(self.device), attention_mask=self.mask.to(self.device))
        return out.logits.float().cpu()

    def time_ms(self, iters, warmup=3):
        return time_ms(self.step, iters, warmup, self.device)

    def save(self, path):
        self.model.save_pretrained(path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--save", help="also save the random-init model here (save_pretrained)")
    a = p.parse_args()
    t = TorchTrainStep(a.batch, a.seq)
    if a.save:
        t.save(a.save)
    ms = t.time_ms(a.iters)
    print(f"torch bert-base train step B={a.batch} T={a.seq} ({t.attention_impl()} attention, bf16 autocast): "
          f"{ms:.2f} ms, {a.batch / ms * 1000:.0f} samples/s")


if __name__ == "__main__":
    main()
