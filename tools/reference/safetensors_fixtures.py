#!/usr/bin/env python3
"""Safetensors fixtures for engine/src/test/resources/safetensors/, made with the real `safetensors`.

Run from the repository root with a venv that has torch, numpy and safetensors (see REFERENCE.md):

    .venv-ref/bin/python tools/reference/safetensors_fixtures.py

It writes three groups of files (small, a few KB in all):

  reference/  files written by the reference writer (safetensors.torch.save_file) covering every dtype
              torch can express, plus expected.json with each tensor's dtype, shape and values (fp32
              widenings for the float types, integers for the integer types, sha256 of the bytes for the
              rest). SafetensorsReferenceFilesTest reads them with our reader and compares.
  golden/     byte-exact files the reference writer produces for deterministic tensors that
              SafetensorsWriterGoldenTest rebuilds in Java from the same formulas (documented in both
              places). Our writer must reproduce them byte for byte, which also shows that Python's
              safetensors reads what we write with identical tensors (it reads these very bytes).
  bad/        one crafted file per rule of the reference reader, plus manifest.json: for each file the
              rule it breaks and the reference's own error message. Each is checked here to be rejected
              by the reference, except duplicate names, which the reference silently accepts (its JSON
              parser keeps the last entry) and we reject, as the format's spec requires.
"""
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.numpy import load as np_load
from safetensors.torch import save_file, load_file

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "engine", "src", "test", "resources", "safetensors")


def out(*parts):
    path = os.path.join(ROOT, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


# --------------------------------------------------------------------------------------------------
# reference/: every dtype torch can write, random values, expected values alongside.

def reference_files():
    g = torch.Generator().manual_seed(1234)
    f32 = lambda *s: torch.randn(*s, generator=g)
    tensors = {
        "float32": f32(3, 4),
        "float16": f32(5).to(torch.float16),
        "bfloat16": f32(2, 3).to(torch.bfloat16),
        "float64": f32(4).to(torch.float64) * 1e5,
        "int64": torch.tensor([[0, -1], [2**40, -(2**62)]], dtype=torch.int64),
        "int32": torch.tensor([7, -2**31, 2**31 - 1], dtype=torch.int32),
        "int16": torch.tensor([-300, 300], dtype=torch.int16),
        "int8": torch.tensor([-128, 127, 0], dtype=torch.int8),
        "uint8": torch.tensor([0, 255, 17], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True], dtype=torch.bool),
        "uint16": torch.tensor([0, 65535], dtype=torch.uint16),
        "uint32": torch.tensor([4294967295, 1], dtype=torch.uint32),
        "uint64": torch.tensor([1, 2], dtype=torch.uint64),
        "float8_e5m2": f32(3).to(torch.float8_e5m2),
        "float8_e4m3fn": f32(3).to(torch.float8_e4m3fn),
        "complex64": torch.complex(f32(2), f32(2)),
        "scalar": torch.tensor(2.5),
        "zero_sized": torch.zeros(0, 3),
        "layer.0.weight": f32(2, 2),   # an HF-looking name among the others
    }
    save_file(tensors, out("reference", "all_dtypes.safetensors"), metadata={"format": "pt"})

    st_dtype = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
                torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
                torch.bool: "BOOL", torch.uint16: "U16", torch.uint32: "U32", torch.uint64: "U64",
                torch.float8_e5m2: "F8_E5M2", torch.float8_e4m3fn: "F8_E4M3", torch.complex64: "C64"}
    expected = {}
    for name, t in load_file(out("reference", "all_dtypes.safetensors")).items():
        entry = {"dtype": st_dtype[t.dtype], "shape": list(t.shape)}
        if t.dtype in (torch.float32, torch.float16, torch.bfloat16, torch.float64):
            # fp32 values, written as the shortest decimal that round-trips the float32
            entry["floats"] = [repr(float(np.float32(v))) for v in t.to(torch.float32).flatten().tolist()]
        elif t.dtype in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool,
                         torch.uint16, torch.uint32):
            entry["longs"] = [int(v) for v in t.to(torch.int64).flatten().tolist()] if t.dtype != torch.uint32 \
                else [int(v) for v in t.flatten().tolist()]
        raw = t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        entry["sha256"] = hashlib.sha256(raw).hexdigest()
        expected[name] = entry
    with open(out("reference", "expected.json"), "w") as f:
        json.dump({"metadata": {"format": "pt"}, "tensors": expected}, f, indent=1, sort_keys=True)
        f.write("\n")


# --------------------------------------------------------------------------------------------------
# golden/: deterministic tensors; the Java test builds the same ones (SafetensorsWriterGoldenTest).

def golden_tensors():
    i = lambda n: np.arange(n, dtype=np.float32)
    return {
        # fp32 arithmetic, identical in numpy float32 and Java float: (i - 7) / 3
        "encoder.weight": torch.from_numpy(((i(15) - np.float32(7)) / np.float32(3)).reshape(3, 5)),
        "encoder.bias": torch.from_numpy(i(5) * np.float32(0.1) - np.float32(0.25)),
        # F16 and BF16 from fp32 values that need rounding: i / 3 - 1, rounded to nearest even
        "half": torch.from_numpy((i(6) / np.float32(3) - np.float32(1)).reshape(2, 3)).to(torch.float16),
        "brain": torch.from_numpy(i(4) / np.float32(3) - np.float32(1)).to(torch.bfloat16),
        "ids": torch.tensor([[0, -1], [2**40, -(2**62)]], dtype=torch.int64),
        "mask": torch.tensor([1, 0, -7], dtype=torch.int32),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros(0, 4, dtype=torch.float32),
        "doubles": torch.tensor([0.1, -1e300], dtype=torch.float64),
        # names that test the sort order and the JSON escaping of the header
        "A": torch.tensor([1.0], dtype=torch.float32),
        "a.b": torch.tensor([2.0], dtype=torch.float32),
        "a_b": torch.tensor([3.0], dtype=torch.float32),
        "quote\"back\\slash\nnew\ttab\u0001ctl": torch.tensor([4.0], dtype=torch.float32),
        "\u00e9t\u00e9": torch.tensor([5.0], dtype=torch.float32),
        "\ue000": torch.tensor([6.0], dtype=torch.float32),        # before U+1F600 in UTF-8 byte order,
        "\U0001F600": torch.tensor([7.0], dtype=torch.float32),    # after it in UTF-16 order
    }


def golden_files():
    # One metadata entry only: the reference keeps metadata in a hash map, so the order of several
    # keys in its header is not deterministic.
    save_file(golden_tensors(), out("golden", "with_metadata.safetensors"), metadata={"format": "pt"})
    save_file(golden_tensors(), out("golden", "no_metadata.safetensors"))
    save_file({}, out("golden", "empty.safetensors"))


# --------------------------------------------------------------------------------------------------
# bad/: one crafted file per rule.

def file_bytes(header, data=b"", n=None):
    header = header.encode() if isinstance(header, str) else header
    return struct.pack("<Q", len(header) if n is None else n) + header + data


F32x1 = '{"dtype":"F32","shape":[1],"data_offsets":[%d,%d]}'
BAD = [
    # (file, rule, bytes)
    ("file_too_small", "FILE_TOO_SMALL", b"\x05\x00\x00\x00\x00"),
    ("header_too_large", "HEADER_TOO_LARGE", file_bytes(b"{}", n=100_000_001)),
    ("header_past_end", "HEADER_PAST_END", file_bytes(b'{"a":' + b" " * 12, n=100)),
    ("header_not_utf8", "HEADER_NOT_UTF8", file_bytes(b'{"a\xff":' + (F32x1 % (0, 4)).encode() + b"}", b"\0" * 4)),
    ("header_not_json", "HEADER_NOT_JSON", file_bytes('{"a":{"dtype":"F32",')),
    ("header_trailing_garbage", "HEADER_NOT_JSON", file_bytes('{"a":' + F32x1 % (0, 4) + '} x', b"\0" * 4)),
    ("header_not_object", "HEADER_STRUCTURE", file_bytes("[]")),
    ("entry_not_object", "HEADER_STRUCTURE", file_bytes('{"a":3}')),
    ("entry_missing_shape", "HEADER_STRUCTURE", file_bytes('{"a":{"dtype":"F32","data_offsets":[0,4]}}', b"\0" * 4)),
    ("offsets_three_numbers", "HEADER_STRUCTURE",
     file_bytes('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,4]}}', b"\0" * 4)),
    ("shape_not_integer", "HEADER_STRUCTURE",
     file_bytes('{"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}', b"\0" * 4)),
    ("unknown_dtype", "UNKNOWN_DTYPE", file_bytes('{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}', b"\0" * 4)),
    ("negative_shape", "NEGATIVE_NUMBER", file_bytes('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', b"\0" * 4)),
    ("negative_offset", "NEGATIVE_NUMBER", file_bytes('{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}')),
    ("metadata_not_string", "METADATA_NOT_STRINGS",
     file_bytes('{"__metadata__":{"epochs":3},"a":' + F32x1 % (0, 4) + "}", b"\0" * 4)),
    ("metadata_nested", "METADATA_NOT_STRINGS",
     file_bytes('{"__metadata__":{"k":{"x":"y"}},"a":' + F32x1 % (0, 4) + "}", b"\0" * 4)),
    ("offsets_gap", "OFFSETS_NOT_CONTIGUOUS",
     file_bytes('{"a":' + F32x1 % (0, 4) + ',"b":' + F32x1 % (8, 12) + "}", b"\0" * 12)),
    ("offsets_overlap", "OFFSETS_NOT_CONTIGUOUS",
     file_bytes('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":' + F32x1 % (4, 8) + "}", b"\0" * 8)),
    ("offsets_not_from_zero", "OFFSETS_NOT_CONTIGUOUS", file_bytes('{"a":' + F32x1 % (4, 8) + "}", b"\0" * 8)),
    ("offsets_end_before_begin", "END_BEFORE_BEGIN",
     file_bytes('{"a":' + F32x1 % (0, 4) + ',"b":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}', b"\0" * 4)),
    ("size_overflow", "SIZE_OVERFLOW",
     file_bytes('{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}', b"\0" * 4)),
    ("size_overflow_huge_dim", "SIZE_OVERFLOW",
     file_bytes('{"a":{"dtype":"U8","shape":[18446744073709551615,2],"data_offsets":[0,2]}}', b"\0" * 2)),
    ("sub_byte_misaligned", "SUB_BYTE_MISALIGNED",
     file_bytes('{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', b"\0" * 2)),
    # the classic heap-overflow attack on readers that trust the shape: 4 floats declared, 12 bytes given
    ("byte_length_mismatch", "BYTE_LENGTH_MISMATCH",
     file_bytes('{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}', b"\0" * 12)),
    ("trailing_bytes", "DATA_REGION_SIZE", file_bytes('{"a":' + F32x1 % (0, 4) + "}", b"\0" * 8)),
    ("truncated_data", "DATA_REGION_SIZE",
     file_bytes('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', b"\0" * 8)),
    ("duplicate_name", "DUPLICATE_NAME",
     file_bytes('{"a":' + F32x1 % (0, 4) + ',"a":' + F32x1 % (0, 4) + "}", b"\0" * 4)),
    ("duplicate_metadata_key", "DUPLICATE_NAME",
     file_bytes('{"__metadata__":{"k":"1","k":"2"},"a":' + F32x1 % (0, 4) + "}", b"\0" * 4)),
]
REFERENCE_ACCEPTS = {"duplicate_name", "duplicate_metadata_key"}


def bad_files():
    manifest = {}
    for name, rule, data in BAD:
        path = out("bad", name + ".safetensors")
        with open(path, "wb") as f:
            f.write(data)
        try:
            np_load(data)
            outcome = "accepted"
        except SafetensorError as e:
            outcome = str(e)
        if name in REFERENCE_ACCEPTS:
            assert outcome == "accepted", (name, outcome)
        else:
            assert outcome != "accepted", name + " was accepted by the reference"
        manifest[name + ".safetensors"] = {"rule": rule, "reference": outcome}
    with open(out("bad", "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    reference_files()
    golden_files()
    bad_files()
    print("wrote fixtures under", os.path.normpath(ROOT), file=sys.stderr)
