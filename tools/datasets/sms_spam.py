"""Writes datasets/sms-spam/sms.jsonl.gz from the SMS Spam Collection as the shared copy holds it.

The shared copy (../shared/datasets/sms-spam/sms.jsonl.gz: {"text", "label"}, one row per line of the
published SMSSpamCollection file, in order) gains a "source" field, "sms/<n>" with n its 1-based row in
the collection, as the email set's rows name theirs. Labels are checked to be the email set's (ham, spam).
Text, order and duplicates are kept as published. The gzip header carries no time stamp, so a rerun
writes the same bytes.

    python3 tools/datasets/sms_spam.py [SOURCE] [OUT]
"""
import gzip
import io
import json
import sys

source = sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets/sms-spam/sms.jsonl.gz"
out = sys.argv[2] if len(sys.argv) > 2 else "datasets/sms-spam/sms.jsonl.gz"

rows = []
with gzip.open(source, "rt", encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        row = json.loads(line)
        if row["label"] not in ("ham", "spam"):
            raise SystemExit(f"{source}:{n}: label {row['label']!r} is not one of the email set's labels (ham, spam)")
        rows.append({"text": row["text"], "label": row["label"], "source": f"sms/{n}"})

buffer = io.BytesIO()
with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
    for row in rows:
        gz.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
with open(out, "wb") as f:
    f.write(buffer.getvalue())
spam = sum(r["label"] == "spam" for r in rows)
print(f"{out}: {len(rows)} rows, {spam} spam, {len(buffer.getvalue())} bytes")
