#!/usr/bin/env python3
"""Conformance fixtures for `kanna extend-vocab`: Hugging Face must load what it writes and read it as
Kanna does. Run from the repository root with the reference venv (the script runs ./kanna itself).

    .venv-ref/bin/python tools/reference/extend_vocab_fixtures.py

writes under trainer/src/test/resources/tiny/:

  domain_sample.txt    200 sentences sampled (seeded) from datasets/ncbi-disease/train-abstracts.txt.gz
  domain_words.txt     a short expert word list, words the tiny vocabulary shreds
  mlm-model/           a tiny random BertForMaskedLM (transformers' save_pretrained; decoder tied to the
                       word embeddings, cls.predictions.bias random) over tiny/model's tokenizer
  extended/            ./kanna extend-vocab on tiny/model, 24 words mined from domain_sample.txt
  extended-mlm/        ./kanna extend-vocab on mlm-model with --words domain_words.txt
  extended_expected.json.gz
      for each extended directory: HF `tokenizers`' ids of the 200 sample lines (checked equal to
      transformers' AutoTokenizer and to `tokenizers`' reader of vocab.txt alone), and transformers'
      outputs on three lines that use new words (BertModel last_hidden_state; BertForMaskedLM logits at
      every new id and every 7th old one), after checking that
      the model loads with no missing or unexpected keys, that the decoder is still tied, that every
      tensor but the grown ones is bit-identical to the source model's, and that each new row is the
      mean of the rows of the word's old pieces.

    .venv-ref/bin/python tools/reference/extend_vocab_fixtures.py --minilm models/all-MiniLM-L6-v2

instead extends the real MiniLM with 500 words mined from all the NCBI abstracts (into a temporary
directory), compares HF's ids with `./kanna tokenize`'s on every abstract and prints the count, and
writes trainer/src/test/resources/vocab/minilm_ncbi_expected.json.gz: the added words in id order and
HF's ids of every tenth abstract (MinilmVocabularyTest rebuilds the extension and must match them).
"""
import argparse
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TINY = os.path.join(ROOT, "trainer", "src", "test", "resources", "tiny")
ABSTRACTS = os.path.join(ROOT, "datasets", "ncbi-disease", "train-abstracts.txt.gz")
MAX_LENGTH = 48
WORDS = ["cancer", "tumour", "mutations", "protein", "gene", "disease", "patients", "deficiency", "carcinoma"]


def kanna(*args, stdin=None):
    run = subprocess.run([os.path.join(ROOT, "kanna"), *args], cwd=ROOT, input=stdin, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit("kanna " + " ".join(args) + " failed:\n" + run.stderr)
    return run.stdout


def abstracts():
    with gzip.open(ABSTRACTS, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def make_inputs():
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    sentences = [s for doc in abstracts() for s in re.split(r"(?<=\.)\s+(?=[A-Z])", doc) if 40 <= len(s) <= 300]
    sample = random.Random(11).sample(sentences, 200)
    with open(os.path.join(TINY, "domain_sample.txt"), "w", encoding="utf-8") as f:
        f.write("".join(s + "\n" for s in sample))

    base = os.path.join(TINY, "model")
    vocab = set(open(os.path.join(base, "vocab.txt"), encoding="utf-8").read().split("\n"))
    assert not vocab & set(WORDS), vocab & set(WORDS)
    with open(os.path.join(TINY, "domain_words.txt"), "w", encoding="utf-8") as f:
        f.write("".join(w + "\n" for w in WORDS))

    mlm_dir = os.path.join(TINY, "mlm-model")
    shutil.rmtree(mlm_dir, ignore_errors=True)
    os.makedirs(mlm_dir)
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(base, name), mlm_dir)
    tok = AutoTokenizer.from_pretrained(mlm_dir)
    torch.manual_seed(1)
    config = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=128, hidden_act="gelu")
    model = BertForMaskedLM(config)
    with torch.no_grad():
        model.cls.predictions.bias.normal_(0, 0.5)   # a bias worth averaging
    model.save_pretrained(mlm_dir)

    sample_file = os.path.join(TINY, "domain_sample.txt")
    kanna("extend-vocab", "--model", base, "--text", sample_file, "--add", "24", "--min-count", "3",
          "--out", os.path.join(TINY, "extended"), "--overwrite")
    kanna("extend-vocab", "--model", mlm_dir, "--words", os.path.join(TINY, "domain_words.txt"), "--text", sample_file,
          "--out", os.path.join(TINY, "extended-mlm"), "--overwrite")


def hf_ids(directory, lines):
    """HF `tokenizers` on tokenizer.json, checked against transformers and against vocab.txt alone."""
    from tokenizers import BertWordPieceTokenizer, Tokenizer
    from transformers import AutoTokenizer

    tok = Tokenizer.from_file(os.path.join(directory, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    ids = [e.ids for e in tok.encode_batch(lines)]
    assert AutoTokenizer.from_pretrained(directory)(lines)["input_ids"] == ids, directory
    # transformers 5 builds its tokenizers from tokenizer.json; `tokenizers`' own vocab.txt reader stands in.
    from_vocab = BertWordPieceTokenizer(os.path.join(directory, "vocab.txt"), lowercase=True)
    assert [e.ids for e in from_vocab.encode_batch(lines)] == ids, directory + ": vocab.txt reads differently"
    return ids


def check_weights(source, extended):
    """Unchanged tensors bit-identical; grown ones keep their rows and gain the pieces' means."""
    import torch
    from safetensors.torch import load_file
    from tokenizers import Tokenizer

    old = load_file(os.path.join(source, "model.safetensors"))
    new = load_file(os.path.join(extended, "model.safetensors"))
    assert old.keys() == new.keys(), (old.keys() ^ new.keys())
    vocab = open(os.path.join(extended, "vocab.txt"), encoding="utf-8").read().split("\n")[:-1]
    n_old = old["embeddings.word_embeddings.weight" if "embeddings.word_embeddings.weight" in old
                else "bert.embeddings.word_embeddings.weight"].shape[0]
    added = vocab[n_old:]
    base_tok = Tokenizer.from_file(os.path.join(source, "tokenizer.json"))
    pieces = [base_tok.encode(w, add_special_tokens=False).ids for w in added]
    grown = []
    for name, t in old.items():
        if t.shape[0] == n_old and ("word_embeddings" in name or name.startswith("cls.predictions")):
            grown.append(name)
            assert torch.equal(new[name][:n_old], t), name
            means = torch.stack([t[p].mean(0) for p in pieces])
            assert torch.allclose(new[name][n_old:], means, atol=1e-6), name
        else:
            assert torch.equal(new[name], t), name
    return grown, added


def outputs(directory, lines, mlm, columns):
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM, BertModel

    tok = AutoTokenizer.from_pretrained(directory)
    if mlm:
        model, info = BertForMaskedLM.from_pretrained(directory, output_loading_info=True)
        emb = model.bert.embeddings.word_embeddings.weight
        assert model.cls.predictions.decoder.weight.data_ptr() == emb.data_ptr(), "decoder no longer tied"
    else:
        model, info = BertModel.from_pretrained(directory, add_pooling_layer=False, output_loading_info=True)
    assert not any(info.get(k) for k in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs")), info
    assert model.config.vocab_size == len(tok), (model.config.vocab_size, len(tok))
    model.eval()
    enc = tok(lines, truncation=True, max_length=MAX_LENGTH, padding=True, return_tensors="pt")
    with torch.no_grad():
        out = model(**enc)
    values = out.logits[:, :, columns] if mlm else out.last_hidden_state
    return {"input_ids": enc["input_ids"].tolist(), "attention_mask": enc["attention_mask"].tolist(),
            "columns": columns, "values": [[[round(v, 6) for v in row] for row in seq] for seq in values.tolist()]}


def check():
    lines = open(os.path.join(TINY, "domain_sample.txt"), encoding="utf-8").read().split("\n")[:-1]
    result = {"lines": "domain_sample.txt", "max_length": MAX_LENGTH, "dirs": {}}
    for name, source, mlm in (("extended", "model", False), ("extended-mlm", "mlm-model", True)):
        directory = os.path.join(TINY, name)
        grown, added = check_weights(os.path.join(TINY, source), directory)
        ids = hf_ids(directory, lines)
        first_new = len(open(os.path.join(TINY, source, "vocab.txt"), encoding="utf-8").read().split("\n")) - 1
        # Probe lines that use new words within the truncation length; MLM logits kept at every new
        # id and every 7th old one (the fixture stays small, each kind of column is still checked).
        probe = [lines[i] for i in range(len(lines)) if any(t >= first_new for t in ids[i][:MAX_LENGTH - 1])][:3]
        columns = list(range(0, first_new, 7)) + list(range(first_new, first_new + len(added)))
        entry = {"added": added, "grown": grown, "ids": ids, "mlm": mlm, "probe": probe}
        entry.update(outputs(directory, probe, mlm, columns))
        result["dirs"][name] = entry
        print(f"{name}: {len(added)} words added, grown {grown}")
    data = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with gzip.GzipFile(os.path.join(TINY, "extended_expected.json.gz"), "wb", mtime=0) as f:
        f.write(data)


def minilm(model_dir):
    from tokenizers import Tokenizer

    docs = abstracts()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "extended")
        report = json.loads(kanna("extend-vocab", "--model", model_dir, "--text", ABSTRACTS, "--add", "500",
                                  "--out", out).strip().split("\n")[-1])
        tok = Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
        tok.no_padding()
        tok.no_truncation()
        hf = [e.ids for e in tok.encode_batch(docs)]
        ours = [json.loads(line)["ids"] for line in kanna("tokenize", "--tokenizer", out, stdin="\n".join(docs) + "\n")
                .strip().split("\n")]
        same = sum(a == b for a, b in zip(hf, ours))
        print(f"MiniLM + {report['added']} words: HF and Kanna agree on {same} of {len(docs)} abstracts"
              f" (Kanna gave {len(ours)} lines)")
        vocab = open(os.path.join(out, "vocab.txt"), encoding="utf-8").read().split("\n")[:-1]
        added = vocab[report["vocab_size"]["before"]:]
        assert added == [w["word"] for w in report["words"]]
        lines = list(range(0, len(docs), 10))
        fixture = {"model": "all-MiniLM-L6-v2", "text": "datasets/ncbi-disease/train-abstracts.txt.gz",
                   "add": 500, "min_pieces": 3, "min_count": 5, "added": added,
                   "lines": lines, "ids": [hf[i] for i in lines]}
        target = os.path.join(ROOT, "trainer", "src", "test", "resources", "vocab")
        os.makedirs(target, exist_ok=True)
        data = json.dumps(fixture, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with gzip.GzipFile(os.path.join(target, "minilm_ncbi_expected.json.gz"), "wb", mtime=0) as f:
            f.write(data)   # mtime 0: the same input gives the same bytes
        if same != len(docs):
            sys.exit("HF and Kanna disagree")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--minilm", metavar="MODEL_DIR")
    args = ap.parse_args()
    if args.minilm:
        minilm(args.minilm)
    else:
        make_inputs()
        check()
