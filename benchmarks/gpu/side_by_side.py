#!/usr/bin/env python3
"""The side-by-side GPU benchmark: our engine (the Java BenchServer, kept warm in a child process) and
PyTorch (this process), same shapes, in turns A B A B, so drift on a shared machine hits both. Prints
a table of medians and ratios (> 1: ours faster) and writes side_by_side.json to --out.

  python3 side_by_side.py --java "java ... dev.kanna.cuda.bench.BenchServer" --out DIR [--quick]

Workloads: a 4096^3 bf16 GEMM (ours: the wgmma kernel with 128x256 tiles on compute capability 9.0,
the mma.sync kernel with 128x128 tiles, and the product the mixed-precision backend runs on fp32
tensors, bf16 conversions included; torch.matmul on bf16; last, other variants of our kernels with
their difference from the checked mma.sync one), a 4096^3 fp32 GEMM (ours:
SIMT; torch with TF32 off; skipped with --quick), bert-base's four Linear shapes (ours: the mixed
backend's linear on fp32 tensors; torch: F.linear in bf16), attention forward + backward at bert-base
shape (ours: fused fp32 kernels; torch: SDPA in bf16), and the bert-base training step (B 32, T 128,
all layers trainable, AdamW; ours: the engine's FineTuner on the mixed-precision CUDA backend, loading
the very model PyTorch trains, saved to $TMPDIR/kanna-bert-base; PyTorch: eager, bf16 autocast).
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

import torch

from train_step_torch import TorchInference, TorchMlmStep, TorchTrainStep, time_ms


class Ours:
    """The BenchServer child process. If it fails to start or dies, every request answers
    'unavailable ...' and the benchmark still records PyTorch's side."""

    def __init__(self, command):
        self.dead = None
        self.proc = subprocess.Popen(shlex.split(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=sys.stderr, text=True, bufsize=1)
        line = self.proc.stdout.readline().strip()
        if line.startswith("ready"):
            self.description = line[len("ready "):]
        else:
            self.description = "BenchServer did not start (see its stderr above)"
            self.dead = self.description

    def ask(self, request):
        if self.dead:
            return "unavailable " + self.dead
        try:
            self.proc.stdin.write(request + "\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline().strip()
        except (BrokenPipeError, OSError) as e:
            answer = ""
        if not answer:
            self.dead = f"BenchServer exited during {request!r}"
            return "unavailable " + self.dead
        return answer

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()


def parse_fields(answer):
    if not answer.startswith("ok "):
        return None
    return dict(f.split("=", 1) for f in answer[3:].split() if "=" in f)


def parse_ms(answer):
    fields = parse_fields(answer)
    return None if fields is None else float(fields["ms"])


def ours_gemm(ours, kernel, m, n, k, iters, checks):
    """A callable for alternate(): our time in ms (or the 'unavailable ...' answer); err= fields go to checks."""
    def run():
        ans = ours.ask(f"gemm {kernel} {m} {n} {k} {iters}")
        fields = parse_fields(ans)
        if fields is None:
            return ans
        if "err" in fields:
            checks.append(fields["err"])
        return float(fields["ms"])
    return run


class TorchGemm:
    def __init__(self, m, n, k, dtype, device):
        g = torch.Generator(device=device).manual_seed(0)
        self.device = device
        self.a = (torch.rand(m, k, device=device, generator=g) * 2 - 1).to(dtype)
        self.b = (torch.rand(k, n, device=device, generator=g) * 2 - 1).to(dtype)

    def time_ms(self, iters):
        return time_ms(lambda: torch.matmul(self.a, self.b), iters, 3, self.device)


def alternate(name, ours_fn, torch_fn, rounds, flops=None):
    """A B A B: returns a result row with medians; ours_fn returns ms or an 'unavailable' string."""
    ours, theirs, note = [], [], ""
    for _ in range(rounds):
        o = ours_fn()
        if isinstance(o, str):
            note = o
        else:
            ours.append(o)
        theirs.append(torch_fn())
    row = {"workload": name, "torch_ms": statistics.median(theirs), "torch_all": theirs}
    if ours:
        row.update(ours_ms=statistics.median(ours), ours_all=ours, ratio=statistics.median(theirs) / statistics.median(ours))
    else:
        row.update(ours_ms=None, ratio=None, note=note)
    if flops:
        row["torch_tflops"] = flops / row["torch_ms"] / 1e9
        if ours:
            row["ours_tflops"] = flops / row["ours_ms"] / 1e9
    print_row(row)
    return row


def print_row(r):
    ours = f"{r['ours_ms']:9.3f} ms" if r["ours_ms"] is not None else "        n/a"
    tf = ""
    if "torch_tflops" in r:
        tf = f"  torch {r['torch_tflops']:6.1f} TFLOP/s" + (f", ours {r['ours_tflops']:6.1f}" if r.get("ours_tflops") else "")
    ratio = f"{r['ratio']:.3f}x" if r["ratio"] is not None else r.get("note", "")
    print(f"{r['workload']:<38} ours {ours}   torch {r['torch_ms']:9.3f} ms   ours/torch speed {ratio}{tf}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--java", required=True, help="command line that starts dev.kanna.cuda.bench.BenchServer")
    p.add_argument("--out", default=".")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="fewer rounds and no fp32 GEMM (a first visit)")
    p.add_argument("--skip-train", action="store_true")
    p.add_argument("--skip-mlm", action="store_true")
    p.add_argument("--skip-inference", action="store_true")
    p.add_argument("--dry-run", action="store_true", help="rehearse on the CPU with tiny shapes (no GPU needed)")
    a = p.parse_args()
    rounds = 1 if a.dry_run else 3 if a.quick else a.rounds
    device = "cpu" if a.dry_run else "cuda"
    torch.backends.cuda.matmul.allow_tf32 = False
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name() if device == 'cuda' else 'the CPU (dry run)'}",
          flush=True)
    ours = Ours(a.java)
    print(f"ours: {ours.description}", flush=True)
    rows = []
    try:
        m = n = k = 256 if a.dry_run else 4096
        flops = 2.0 * m * n * k
        tg = TorchGemm(m, n, k, torch.bfloat16, device)
        for kernel in ["wg-256", "bf16-128", "f32in"]:
            checks = []
            row = alternate(f"gemm {m}^3 bf16 ({kernel})", ours_gemm(ours, kernel, m, n, k, 20, checks),
                            lambda: tg.time_ms(20), rounds, flops)
            if checks:
                row["ours_check_err"] = checks
                print(f"    {kernel}: difference from bf16-128 {checks}", flush=True)
            rows.append(row)
        if not a.quick:
            tf = TorchGemm(m, n, k, torch.float32, device)
            rows.append(alternate(f"gemm {m}^3 fp32 (simt; torch no TF32)", ours_gemm(ours, "simt", m, n, k, 5, []),
                                  lambda: tf.time_ms(5), rounds, flops))
            del tf
        if device == "cuda":
            torch.cuda.empty_cache()

        # bert-base's Linear layers (B·T = 4096 rows): ours on fp32 tensors (mixed backend) vs F.linear in bf16
        rows_bt = 256 if a.dry_run else 4096
        for (nn, kk, what) in [(2304, 768, "qkv"), (768, 768, "attn out"), (3072, 768, "ffn up"), (768, 3072, "ffn down")]:
            x = (torch.rand(rows_bt, kk, device=device) * 2 - 1).to(torch.bfloat16)
            w = (torch.rand(nn, kk, device=device) * 2 - 1).to(torch.bfloat16)
            bias = torch.zeros(nn, device=device, dtype=torch.bfloat16)
            rows.append(alternate(f"linear {rows_bt}x{kk}->{nn} ({what})", ours_gemm(ours, "linear", rows_bt, nn, kk, 20, []),
                                  lambda: time_ms(lambda: torch.nn.functional.linear(x, w, bias), 20, 3, device),
                                  rounds, 2.0 * rows_bt * nn * kk))

        # attention forward + backward, bert-base shape, padding mask, no dropout: ours fp32 fused vs torch SDPA bf16
        ab, at, ah, ahs = (2, 16, 2, 32) if a.dry_run else (32, 128, 12, 64)
        q, k_, v = [torch.randn(ab, ah, at, ahs, device=device, dtype=torch.bfloat16, requires_grad=True) for _ in range(3)]
        amask = torch.zeros(ab, 1, 1, at, device=device, dtype=torch.bfloat16)
        dout = torch.randn(ab, ah, at, ahs, device=device, dtype=torch.bfloat16)
        def torch_attn():
            out = torch.nn.functional.scaled_dot_product_attention(q, k_, v, attn_mask=amask)
            out.backward(dout)
        def ours_attn():
            ans = ours.ask(f"attn {ab} {at} {ah} {ahs} 20")
            ms = parse_ms(ans)
            return ms if ms is not None else ans
        rows.append(alternate(f"attention fwd+bwd B={ab} T={at} H={ah} hs={ahs}", ours_attn,
                              lambda: time_ms(torch_attn, 20, 3, device), rounds, 4.0 * 3.5 * ab * ah * at * at * ahs))

        step = None
        if not a.skip_train:
            batch, seq = (4, 16) if a.dry_run else (32, 128)
            probe = ours.ask(f"train {batch} {seq} 0 -")
            model_dir = None
            step = TorchTrainStep(batch, seq, device=device, tiny=a.dry_run)
            print(f"torch attention implementation: {step.attention_impl()}", flush=True)
            if not probe.startswith("unavailable"):
                model_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), "kanna-bert-base")
                step.save(model_dir)

            launches = []
            def ours_train():
                if model_dir is None:
                    return probe
                ans = ours.ask(f"train {batch} {seq} 10 {model_dir}")
                fields = parse_fields(ans)
                if fields is None:
                    return ans
                launches.append(fields.get("launches"))
                print(f"    ours: {ans}", flush=True)
                return float(fields["ms"])
            row = alternate(f"bert-base train step B={batch} T={seq}", ours_train, lambda: step.time_ms(10), rounds)
            row["ours_launches_per_step"] = launches
            rows.append(row)
            # where our step's GPU time goes (table on stderr), then the host side of a launch
            print(f"profiled step (ours): {ours.ask('profile')}", flush=True)
            ans = ours.ask("overhead 20000")
            print(f"host cost of one kernel launch (ours, 20000 tiny launches): {ans}", flush=True)
            rows.append({"workload": "launch overhead (host)", "answer": ans, "torch_ms": 0.0, "ours_ms": None,
                         "ratio": None, "note": ans})

        # The masked-LM pretraining step (pretrain): bert-base, every layer, ours with the sparse head
        # (vocabulary logits at the ~15% selected positions), PyTorch's BertForMaskedLM at every position
        if not a.skip_mlm:
            batch, seq = (4, 16) if a.dry_run else (32, 128)
            probe = ours.ask(f"mlm {batch} {seq} 0 -")
            mstep = TorchMlmStep(batch, seq, device=device, tiny=a.dry_run)
            mlm_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), "kanna-bert-base-mlm")
            mstep.save(mlm_dir)
            def ours_mlm():
                if probe.startswith("unavailable"):
                    return probe
                ans = ours.ask(f"mlm {batch} {seq} 10 {mlm_dir}")
                if parse_fields(ans) is None:
                    return ans
                print(f"    ours: {ans}", flush=True)
                return parse_ms(ans)
            rows.append(alternate(f"bert-base MLM step B={batch} T={seq}", ours_mlm, lambda: mstep.time_ms(10), rounds))
            del mstep
            if device == "cuda":
                torch.cuda.empty_cache()

        # Inference throughput, batch 128 x 128: sequence-classification logits, host to host
        if not a.skip_inference:
            from transformers import BertConfig
            ib, it = (8, 16) if a.dry_run else (128, 128)
            shapes = [("bert-base", BertConfig(num_labels=2)),
                      ("MiniLM-L6 shape", BertConfig(num_labels=2, hidden_size=384, num_hidden_layers=6,
                                                     num_attention_heads=12, intermediate_size=1536))]
            if a.dry_run:
                shapes = [("tiny", BertConfig(num_labels=2, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                                              intermediate_size=128, vocab_size=1000))]
            for name, cfg in shapes:
                inf = TorchInference(ib, it, cfg, device=device)
                inf_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), "kanna-infer-" + name.split()[0])
                inf.save(inf_dir)
                def ours_infer():
                    ans = ours.ask(f"infer {ib} {it} 10 {inf_dir}")
                    if parse_fields(ans) is None:
                        return ans
                    return parse_ms(ans)
                row = alternate(f"{name} inference B={ib} T={it}", ours_infer, lambda: inf.time_ms(10), rounds)
                row["torch_seq_per_s"] = ib / row["torch_ms"] * 1000
                if row.get("ours_ms"):
                    row["ours_seq_per_s"] = ib / row["ours_ms"] * 1000
                rows.append(row)
                del inf
                if device == "cuda":
                    torch.cuda.empty_cache()

        # Candidate GEMM kernels last: a faulty one cannot spoil the figures above. err: relative
        # difference from bf16-128 (the kernel the tests check) on the same operands; ~0 expected.
        for kernel in ["wg-128", "bf16-128-fast", "bf16-128-k64", "bf16-256-k64"]:
            checks = []
            row = alternate(f"gemm {m}^3 bf16 candidate ({kernel})", ours_gemm(ours, kernel, m, n, k, 20, checks),
                            lambda: tg.time_ms(20), rounds, flops)
            row["ours_check_err"] = checks
            print(f"    {kernel}: difference from bf16-128 {checks}", flush=True)
            rows.append(row)

        # Candidate launch path, last of all (a fault here can only cost this row): launch arguments
        # packed into native memory, one JNI call per launch, then the training step again.
        if step is not None and model_dir is not None:
            ans = ours.ask("launch packed")
            print(f"packed launch arguments (ours): {ans}", flush=True)
            if ans.startswith("ok"):
                ans = ours.ask("overhead 20000")
                print(f"host cost of one kernel launch, packed (ours): {ans}", flush=True)
                launches = []
                row = alternate(f"bert-base train step B={batch} T={seq} candidate (packed launch args)", ours_train,
                                lambda: step.time_ms(10), rounds)
                row["ours_launches_per_step"] = launches
                rows.append(row)
        del step
    finally:
        ours.close()
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "side_by_side.json"), "w") as f:
        json.dump({"ours": ours.description, "torch": torch.__version__, "rows": rows}, f, indent=1)
    print("\nSUMMARY (speed ratio = torch time / our time; goals: bf16 GEMM >= 0.8, train step >= 1.5, MLM step >= 1.0, inference >= 1.5)")
    for r in rows:
        print_row(r)


if __name__ == "__main__":
    main()
