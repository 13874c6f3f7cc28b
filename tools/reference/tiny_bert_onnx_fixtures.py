#!/usr/bin/env python3
"""Tiny random BERTs exported to ONNX, for the importer's tests: engine/src/test/resources/onnx/.

Run from the repository root with a venv that has torch, transformers, tokenizers, onnx, onnxruntime
and safetensors (see REFERENCE.md):

    .venv-ref/bin/python tools/reference/tiny_bert_onnx_fixtures.py

Each model is a transformers BertModel with random weights, exported with torch.onnx.export (the
TorchScript exporter with constant folding, as Optimum / transformers.js exports are made: linear
weights become anonymous transposed `onnx::MatMul_*` initializers). For each, the folder holds:

  model.onnx         the export
  tokenizer.json     a small WordPiece tokenizer (built with `tokenizers`)
  expected/          what BertModel.save_pretrained wrote for the same model (config.json,
                     model.safetensors) and the vocabulary in id order (vocab.txt): the importer must
                     reproduce model.safetensors byte for byte and the config's values.

  tiny_a: opset 11 (LayerNorm decomposed into ReduceMean/Sub/Pow/Sqrt/Div), hidden 16, 2 layers,
          4 heads, intermediate 24, gelu (erf), no pooler; LayerNorm parameters left at their initial
          ones/zeros so the exporter deduplicates them into Identity nodes.
  tiny_b: opset 17 (LayerNormalization nodes, eps 1e-7), hidden 24, 3 layers, 6 heads, intermediate 32,
          gelu_new (tanh), type_vocab 3, pooler (a Gemm), names prefixed "bert." and a classifier after
          it (exported from a wrapper module, as a BertForSequenceClassification), cased tokenizer with
          fewer tokens than embedding rows and [PAD] at id 3.
  broken/: variants of tiny_a for error paths: no_heads.onnx (the attention Reshape's shape Concat
          gets a fifth input, so the head count cannot be read from it: the importer must ask for
          --num-heads; not a runnable model) and missing_bias.onnx (initializer
          encoder.layer.1.output.dense.bias removed).

The script also runs onnxruntime on each export and checks it against the PyTorch model (max abs diff
printed), so the fixtures are known to be faithful exports.
"""
import os
import shutil

import numpy as np
import onnx
import onnxruntime as ort
import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, decoders
from transformers import BertConfig, BertModel

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "engine", "src", "test", "resources", "onnx")

WORDS = ["the", "spam", "ham", "free", "prize", "click", "now", "hello", "world", "##s", "##ing", "##ed",
         "!", ".", ",", "?", "'"] + list("abcdefghijklmnopqrstuvwxyz")


def tokenizer(vocab, lowercase, pad_id):
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None if lowercase else False,
                                                lowercase=lowercase)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                       special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    tok.decoder = decoders.WordPiece(prefix="##")
    tok.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tok.enable_padding(pad_id=pad_id, pad_token="[PAD]")
    return tok


class WithPrefix(torch.nn.Module):
    """Exports a BertModel as `bert.*` followed by a classifier, as a BertForSequenceClassification would be."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert
        self.classifier = torch.nn.Linear(bert.config.hidden_size, 3)

    def forward(self, input_ids, attention_mask, token_type_ids):
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        return out.last_hidden_state, out.pooler_output, self.classifier(out.pooler_output)


def make(name, cfg, pooler, opset, prefixed, vocab, lowercase, pad_id, randomize_layernorm, seed):
    torch.manual_seed(seed)
    cfg._attn_implementation = "eager"   # the MatMul/Softmax attention of the transformers.js exports

    class Plain(BertModel):
        def forward(self, input_ids, attention_mask, token_type_ids):
            return super().forward(input_ids=input_ids, attention_mask=attention_mask,
                                   token_type_ids=token_type_ids).last_hidden_state

    bert = (BertModel if prefixed else Plain)(cfg, add_pooling_layer=pooler).eval()
    with torch.no_grad():
        for pname, p in bert.named_parameters():
            if "LayerNorm" in pname and not randomize_layernorm:
                continue
            p.normal_(0, 0.5)
    exported = WithPrefix(bert).eval() if prefixed else bert

    folder = os.path.join(ROOT, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(os.path.join(folder, "expected"))
    ids = torch.tensor([[2, 7, 8, 3, 0], [2, 9, 3, 0, 0]])
    ids[ids == 0] = pad_id
    mask = (ids != pad_id).long()
    types = torch.zeros_like(ids)
    outputs = ["last_hidden_state", "pooler_output", "logits"] if prefixed else ["last_hidden_state"]
    axes = {k: {0: "batch", 1: "sequence"} for k in ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]}
    torch.onnx.export(exported, (ids, mask, types), os.path.join(folder, "model.onnx"),
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=outputs,
                      dynamic_axes=axes, opset_version=opset, do_constant_folding=True, dynamo=False)

    session = ort.InferenceSession(os.path.join(folder, "model.onnx"), providers=["CPUExecutionProvider"])
    got = session.run(["last_hidden_state"], {"input_ids": ids.numpy(), "attention_mask": mask.numpy(),
                                              "token_type_ids": types.numpy()})[0]
    with torch.no_grad():
        want = BertModel.forward(bert, input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state.numpy()
    print(name, "onnxruntime vs torch max abs diff", float(np.abs(got - want)[mask.numpy().astype(bool)].max()))

    # saved from a plain BertModel holding the same weights, so config.json says "BertModel"
    plain = BertModel(cfg, add_pooling_layer=pooler)
    plain.load_state_dict(bert.state_dict())
    plain.save_pretrained(os.path.join(folder, "expected"))
    tokenizer(vocab, lowercase, pad_id).save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "expected", "vocab.txt"), "w") as f:
        f.write("".join(t + "\n" for t in vocab))
    return folder


def break_tiny_a(folder):
    out = os.path.join(ROOT, "broken")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    model = onnx.load(os.path.join(folder, "model.onnx"))
    for node in model.graph.node:
        if node.op_type == "Concat" and node.name.startswith("/encoder/layer.0/attention/self/Concat") and len(node.input) == 4:
            node.input.append(node.input[3])
    onnx.save(model, os.path.join(out, "no_heads.onnx"))

    model = onnx.load(os.path.join(folder, "model.onnx"))
    victim = [t for t in model.graph.initializer if t.name == "encoder.layer.1.output.dense.bias"]
    assert victim, "tiny_a should name encoder.layer.1.output.dense.bias"
    model.graph.initializer.remove(victim[0])
    onnx.save(model, os.path.join(out, "missing_bias.onnx"))


def main():
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab_a = specials + WORDS[:35]                                   # 40 tokens = 40 embedding rows
    cfg_a = BertConfig(vocab_size=40, hidden_size=16, num_hidden_layers=2, num_attention_heads=4,
                       intermediate_size=24, max_position_embeddings=32, hidden_act="gelu")
    tiny_a = make("tiny_a", cfg_a, pooler=False, opset=11, prefixed=False, vocab=vocab_a, lowercase=True,
                  pad_id=0, randomize_layernorm=False, seed=1)

    vocab_b = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]", "The", "Spam"] + WORDS[:38]   # 45 tokens < 48 rows
    cfg_b = BertConfig(vocab_size=48, hidden_size=24, num_hidden_layers=3, num_attention_heads=6,
                       intermediate_size=32, max_position_embeddings=20, type_vocab_size=3, hidden_act="gelu_new",
                       layer_norm_eps=1e-7, pad_token_id=3)
    make("tiny_b", cfg_b, pooler=True, opset=17, prefixed=True, vocab=vocab_b, lowercase=False,
         pad_id=3, randomize_layernorm=True, seed=2)
    break_tiny_a(tiny_a)


if __name__ == "__main__":
    main()
