#!/usr/bin/env python3
"""A random-init BERT of MiniLM-L6's shape (6 layers, 384 wide, 12 heads, 1536 intermediate) with the
real uncased WordPiece tokenizer files carried beside this script (tokenizer/): the model the command
check (commands.sh) trains and runs on both devices. The weights are random: the check compares the
CPU and CUDA backends on the same commands, not the model's quality.

  python3 make_model.py OUT_DIR
"""
import os
import shutil
import sys

import torch
from transformers import BertConfig, BertModel

out = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
config = BertConfig(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536,
                    max_position_embeddings=512, vocab_size=30522)
BertModel(config).save_pretrained(out)
for name in os.listdir(os.path.join(here, "tokenizer")):
    shutil.copy(os.path.join(here, "tokenizer", name), out)
print(f"random MiniLM-shaped model in {out}")
