#!/usr/bin/env python3
"""How transformers' BertConfig reads a few config.json files: engine/src/test/resources/bert_config/.

Run from the repository root with a venv that has transformers (see REFERENCE.md):

    .venv-ref/bin/python tools/reference/bert_config_fixtures.py

inputs.json holds the config.json texts (as objects); expected.json holds, for each, the values
transformers.BertConfig ends up with (defaults filled in, num_labels derived from id2label...).
BertConfigTest parses each input with our BertConfig and compares field by field.
"""
import json
import os

from transformers import BertConfig

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "engine", "src", "test", "resources", "bert_config")

INPUTS = {
    "empty": {},
    # sentence-transformers/all-MiniLM-L6-v2's config.json (written by transformers 4.8)
    "minilm": {
        "_name_or_path": "nreimers/MiniLM-L6-H384-uncased", "architectures": ["BertModel"],
        "attention_probs_dropout_prob": 0.1, "gradient_checkpointing": False, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "hidden_size": 384, "initializer_range": 0.02, "intermediate_size": 1536,
        "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12,
        "num_hidden_layers": 6, "pad_token_id": 0, "position_embedding_type": "absolute",
        "transformers_version": "4.8.2", "type_vocab_size": 2, "use_cache": True, "vocab_size": 30522},
    "classifier": {
        "model_type": "bert", "hidden_size": 32, "num_attention_heads": 4, "num_hidden_layers": 2,
        "intermediate_size": 37, "vocab_size": 99, "hidden_act": "gelu_new", "layer_norm_eps": 1e-7,
        "id2label": {"0": "ham", "1": "spam", "2": "phish"}, "label2id": {"ham": 0, "spam": 1, "phish": 2},
        "problem_type": "single_label_classification", "architectures": ["BertForSequenceClassification"],
        "classifier_dropout": 0.25, "initializer_range": 0.05},
    "num_labels_only": {"num_labels": 5, "hidden_act": "relu", "pad_token_id": 3, "type_vocab_size": 1},
    "no_pad_token": {"pad_token_id": None, "hidden_act": "gelu_python", "classifier_dropout": None},
}


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for name, cfg in INPUTS.items():
        c = BertConfig.from_dict(cfg)
        expected[name] = {
            "vocab_size": c.vocab_size, "hidden_size": c.hidden_size, "num_hidden_layers": c.num_hidden_layers,
            "num_attention_heads": c.num_attention_heads, "intermediate_size": c.intermediate_size,
            "hidden_act": c.hidden_act, "layer_norm_eps": c.layer_norm_eps,
            "max_position_embeddings": c.max_position_embeddings, "type_vocab_size": c.type_vocab_size,
            "pad_token_id": c.pad_token_id, "hidden_dropout_prob": c.hidden_dropout_prob,
            "attention_probs_dropout_prob": c.attention_probs_dropout_prob,
            "classifier_dropout": c.classifier_dropout, "initializer_range": c.initializer_range,
            "num_labels": c.num_labels, "labels": [c.id2label[i] for i in range(c.num_labels)],
            "architectures": c.architectures or [], "problem_type": c.problem_type,
        }
    with open(os.path.join(OUT, "inputs.json"), "w") as f:
        json.dump(INPUTS, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
