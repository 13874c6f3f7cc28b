#!/usr/bin/env python3
"""Compares what the command check (commands.sh) wrote for --device cpu and --device cuda:
the JSON lines of `logits`, `embed` and `predict` on the same model and inputs (relative Frobenius
difference of the numbers, and the share of equal predicted labels), and the figures of `train`,
`pretrain` and `evaluate` (metrics side by side). Bound: the mixed-precision backend's documented
2e-2 relative for logits and embeddings (bf16 products, fp32 accumulation).

  python3 commands_compare.py DIR     # DIR/cpu and DIR/cuda as commands.sh leaves them
"""
import json
import math
import os
import sys

root = sys.argv[1]
BOUND = 2e-2


def numbers(obj, acc):
    if isinstance(obj, bool):
        return acc
    if isinstance(obj, (int, float)):
        acc.append(float(obj))
    elif isinstance(obj, list):
        for x in obj:
            numbers(x, acc)
    elif isinstance(obj, dict):
        for k in sorted(obj):
            numbers(obj[k], acc)
    return acc


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def rel(a, b):
    num = sum((x - y) ** 2 for x, y in zip(a, b))
    den = sum(y * y for y in b)
    return math.sqrt(num / max(den, 1e-30))


failed = False
print("inference on the same model and inputs, cuda (mixed precision) against cpu:")
for name in sorted(os.listdir(os.path.join(root, "cpu"))):
    if not name.endswith(".jsonl"):
        continue
    cpu_path, cuda_path = os.path.join(root, "cpu", name), os.path.join(root, "cuda", name)
    if not os.path.exists(cuda_path):
        print(f"  {name}: missing on cuda")
        failed = True
        continue
    a, b = lines(cuda_path), lines(cpu_path)
    if not b:
        print(f"  {name}: no output on cpu")
        failed = True
        continue
    if len(a) != len(b):
        print(f"  {name}: {len(a)} lines on cuda, {len(b)} on cpu")
        failed = True
        continue
    na, nb = numbers(a, []), numbers(b, [])
    if len(na) != len(nb):
        print(f"  {name}: {len(na)} numbers on cuda, {len(nb)} on cpu")
        failed = True
        continue
    d = rel(na, nb)
    labels = [(x.get("label"), y.get("label")) for x, y in zip(a, b) if isinstance(x, dict) and "label" in x]
    same = f", same label {sum(p == q for p, q in labels)}/{len(labels)}" if labels else ""
    ok = d <= BOUND
    failed |= not ok
    print(f"  {name:<28} {len(a):5d} lines  relative difference {d:.2e}{same}  {'ok' if ok else 'ABOVE ' + str(BOUND)}")

print("\ntraining and evaluation figures (each device trained its own model from the same seed):")
for name in sorted(os.listdir(os.path.join(root, "cpu"))):
    if not name.endswith(".json"):
        continue
    def load(dev):
        try:
            with open(os.path.join(root, dev, name)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None
    a, b = load("cpu"), load("cuda")
    def pick(m):
        if m is None:
            return "missing"
        m = m.get("validation", m)   # train/pretrain metrics.json: the best step's validation figures
        flat = {k: v for k, v in m.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        return ", ".join(f"{k} {v:.4g}" for k, v in list(flat.items())[:6])
    print(f"  {name}\n    cpu:  {pick(a)}\n    cuda: {pick(b)}")
print("\nCOMMANDS ON THE GPU:", "FAIL" if failed else "PASS (inference within 2e-2 of the CPU backend)")
sys.exit(1 if failed else 0)
