"""The peers of Kanna's MiniLM side-by-side harness (dev.kanna.bench.SideBySide starts this script).

A long-lived child process speaking one command per line on stdin, one reply line on stdout, so the
Java harness can alternate Kanna and the peers within one run:

    load PATH                 a batch as JSON {"input_ids", "attention_mask", "token_type_ids": (B, T) ints,
                              "labels": (B) ints, "token_labels": (B, T) ints, -100 ignored} -> "ok"
    run WORKLOAD N            N timed iterations -> "ok S1 S2 ... SN" (seconds each)
    loss WORKLOAD             the loss of a training workload's latest step -> "ok LOSS" ("ok nan" before one)
    quit

WORKLOADs:
    ort-infer          ONNX Runtime on the original all-MiniLM-L6-v2 ONNX graph (the encoder; its
                       last_hidden_state is the output: the pooler and a 2-way classifier, which Kanna
                       also runs, are < 0.1% of the FLOPs)
    torch-infer        transformers BertForSequenceClassification (eval mode, torch.inference_mode)
    torch-train-top2   one training step: top 2 encoder layers + pooler + classifier train, the rest frozen
    torch-train-all    one training step: every parameter trains
    torch-ner-top2     NER: transformers BertForTokenClassification (--ner-labels outputs, no pooler), one
                       training step on token_labels with transformers' own loss (cross-entropy over
                       the positions whose label is not -100): top 2 encoder layers + classifier train
    torch-ner-all      the same, every parameter trains
    torch-mlm-all      masked-LM pretraining: transformers BertForMaskedLM.from_pretrained (MiniLM has no
                       MLM head: transformers initialises a fresh one, its decoder tied to the word
                       embeddings), every parameter trains; each step first builds its batch with
                       transformers' DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
                       from the batch's unpadded examples (input_ids, token_type_ids, attention_mask
                       cut at the mask), as a training loop's collate_fn would, inside the timing:
                       padding to the longest, fresh masks (80% [MASK], 10% random, 10% kept), labels
                       -100 off the masked positions; the loss is the model's own (logits at every
                       position, cross-entropy over the masked ones)
Training steps: train mode (dropout on), cross-entropy, backward, clip_grad_norm_(1.0), torch.optim.AdamW
(lr 1e-4, weight decay 0.01 except biases and LayerNorm weights, as transformers' Trainer), a linear
schedule (no warmup), zero_grad(set_to_none=True).

The first line written is "ready" with the versions, or "missing NAME: reason" per peer that cannot
run (the harness then says so and skips it). Threads: --threads sets torch.set_num_threads, ONNX
Runtime's intra-op pool and OMP/MKL_NUM_THREADS (set before torch is imported).
"""
import argparse
import json
import os
import sys
import time
import zipfile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--model", required=True, help="the imported models/all-MiniLM-L6-v2 directory")
    parser.add_argument("--onnx", required=True, help="all-minilm-l6-v2.onnx, or the Maven jar that holds it")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--ner-labels", type=int, default=9, help="outputs of the token classifier")
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    peers, missing, versions = {}, [], []
    try:
        import numpy as np
    except ImportError as e:
        print(f"missing numpy: {e}", flush=True)
        return
    try:
        import torch
        import transformers
        torch.set_num_threads(args.threads)
        torch.manual_seed(args.seed)
        versions.append(f"torch {torch.__version__} transformers {transformers.__version__}")
        peers["torch"] = (torch, transformers)
    except ImportError as e:
        missing.append(f"torch: {e}")
    try:
        import onnxruntime as ort
        versions.append(f"onnxruntime {ort.__version__}")
        peers["ort"] = ort
    except ImportError as e:
        missing.append(f"onnxruntime: {e}")

    workloads = {}
    if "ort" in peers:
        try:
            workloads["ort-infer"] = ort_inference(peers["ort"], args)
        except Exception as e:  # noqa: BLE001 (any failure means this peer is missing)
            missing.append(f"onnxruntime: {type(e).__name__}: {e}")
    if "torch" in peers:
        try:
            torch, transformers = peers["torch"]
            workloads["torch-infer"] = torch_inference(torch, transformers, args)
            workloads["torch-train-top2"] = torch_training(torch, transformers, args, top=2)
            workloads["torch-train-all"] = torch_training(torch, transformers, args, top=None)
            workloads["torch-ner-top2"] = torch_training(torch, transformers, args, top=2, ner=True)
            workloads["torch-ner-all"] = torch_training(torch, transformers, args, top=None, ner=True)
            workloads["torch-mlm-all"] = torch_training(torch, transformers, args, top=None, mlm=True)
        except Exception as e:  # noqa: BLE001
            missing.append(f"torch: {type(e).__name__}: {e}")
    for m in missing:
        print(f"missing {m}", flush=True)
    print(f"ready {'; '.join(versions)}; threads {args.threads}; workloads {' '.join(workloads)}", flush=True)

    batch = None
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "load":
            with open(words[1]) as f:
                raw = json.load(f)
            batch = {k: np.asarray(v, dtype=np.int64) for k, v in raw.items()}
            for w in workloads.values():
                w.load(batch)
            print("ok", flush=True)
        elif words[0] == "run" and len(words) == 3 and words[1] in workloads and batch is not None:
            run = workloads[words[1]].run
            times = []
            for _ in range(int(words[2])):
                t0 = time.perf_counter()
                run()
                times.append(time.perf_counter() - t0)
            print("ok " + " ".join(f"{t:.6f}" for t in times), flush=True)
        elif words[0] == "loss" and len(words) == 2 and words[1] in workloads:
            loss = getattr(workloads[words[1]], "loss_tensor", None)
            print(f"ok {float('nan') if loss is None else loss.item():.4f}", flush=True)
        else:
            print(f"error: cannot do {line.strip()!r} (workloads: {' '.join(workloads)}; batch loaded: "
                  f"{batch is not None})", flush=True)


class ort_inference:
    def __init__(self, ort, args):
        if args.onnx.endswith(".jar"):
            with zipfile.ZipFile(args.onnx) as z:
                model = z.read("all-minilm-l6-v2.onnx")
        else:
            with open(args.onnx, "rb") as f:
                model = f.read()
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self.session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        self.feed = None

    def load(self, batch):
        self.feed = {k: batch[k] for k in ("input_ids", "attention_mask", "token_type_ids")}

    def run(self):
        self.session.run(None, self.feed)


class torch_inference:
    def __init__(self, torch, transformers, args):
        self.torch = torch
        self.model = transformers.BertForSequenceClassification.from_pretrained(args.model, num_labels=2).eval()
        self.inputs = None

    def load(self, batch):
        t = self.torch
        self.inputs = {k: t.from_numpy(batch[k]) for k in ("input_ids", "attention_mask", "token_type_ids")}

    def run(self):
        with self.torch.inference_mode():
            self.model(**self.inputs).logits


class torch_training:
    def __init__(self, torch, transformers, args, top, ner=False, mlm=False):
        self.torch = torch
        self.labels_key = "token_labels" if ner else "labels"
        self.collator = None
        if mlm:
            model = transformers.BertForMaskedLM.from_pretrained(args.model)
            tokenizer = transformers.AutoTokenizer.from_pretrained(args.model)
            self.collator = transformers.DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
        elif ner:
            model = transformers.BertForTokenClassification.from_pretrained(args.model, num_labels=args.ner_labels)
        else:
            model = transformers.BertForSequenceClassification.from_pretrained(args.model, num_labels=2)
        layers = model.config.num_hidden_layers
        for name, p in model.named_parameters():
            if top is None:
                p.requires_grad_(True)
            elif name.startswith("bert.embeddings."):
                p.requires_grad_(False)
            elif name.startswith("bert.encoder.layer."):
                p.requires_grad_(int(name.split(".")[3]) >= layers - top)
            else:
                p.requires_grad_(True)
        trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        decay = [p for n, p in trainable if not ("bias" in n or "LayerNorm" in n)]
        no_decay = [p for n, p in trainable if "bias" in n or "LayerNorm" in n]
        self.params = [p for _, p in trainable]
        self.optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                                            {"params": no_decay, "weight_decay": 0.0}], lr=1e-4)
        self.schedule = transformers.get_linear_schedule_with_warmup(self.optimizer, 0, 1_000_000)
        self.model = model.train()
        self.inputs = self.labels = self.examples = None
        self.loss_tensor = None   # the latest step's loss, detached (read only by "loss", outside the timing)

    def load(self, batch):
        t = self.torch
        if self.collator is not None:   # the examples as a tokenized dataset holds them: lists, unpadded
            lengths = batch["attention_mask"].sum(axis=1)
            self.examples = [{k: batch[k][i, :n].tolist() for k in ("input_ids", "token_type_ids", "attention_mask")}
                             for i, n in enumerate(lengths)]
            return
        self.inputs = {k: t.from_numpy(batch[k]) for k in ("input_ids", "attention_mask", "token_type_ids")}
        self.labels = t.from_numpy(batch[self.labels_key])

    def run(self):
        if self.collator is not None:
            loss = self.model(**self.collator(self.examples)).loss
        else:
            loss = self.model(**self.inputs, labels=self.labels).loss
        self.loss_tensor = loss.detach()
        loss.backward()
        self.torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.optimizer.step()
        self.schedule.step()
        self.optimizer.zero_grad(set_to_none=True)


if __name__ == "__main__":
    main()
