#!/usr/bin/env bash
# Every command on the GPU: runs the command line (dev.kanna.cli.Main, from lib/) with --device cpu
# and --device cuda on a random MiniLM-shaped model (make_model.py) and the project's datasets, then
# compares (commands_compare.py): inference (logits, embed, predict, MLM logits) on the same models
# must agree within the mixed-precision bound; training (every task, pretrain) and evaluate report
# their figures side by side, with wall times.
#
#   bash commands.sh REPO_ROOT JAVA "JVM OPTIONS" OUT_FILE
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$1"; JAVA="$2"; JOPTS="$3"; log="$4"
PYTHON="${PYTHON:-python3}"
work="${TMPDIR:-/tmp}/kanna-commands"
rm -rf "$work" && mkdir -p "$work/cpu" "$work/cuda"
printf '#!/bin/sh\nexec %s %s -cp "%s/lib/*" dev.kanna.cli.Main "$@"\n' "$JAVA" "$JOPTS" "$here" > "$work/kanna"
chmod +x "$work/kanna"
kanna() { "$work/kanna" "$@"; }
timed() {   # timed NAME LIMIT command...: runs it, appends "NAME: exit status, seconds" to the summary
  local name="$1" limit="$2"; shift 2
  local t0=$(date +%s.%N)
  timeout "$limit" "$@"
  local rc=$? t1=$(date +%s.%N)
  printf '%-34s exit %3d  %7.1f s\n' "$name" "$rc" "$(awk "BEGIN{print $t1 - $t0}")" | tee -a "$work/times.txt"
}

"$PYTHON" "$here/make_model.py" "$work/model" || exit 2
d="$repo/datasets"; fx="$repo/trainer/src/test/resources/tiny"
# inputs for the inference commands: 256 test emails, one per line, whitespace collapsed
"$PYTHON" - "$d/spamassassin/test.jsonl.gz" "$work/emails.txt" <<'PY'
import gzip, json, sys
with gzip.open(sys.argv[1], "rt") as f, open(sys.argv[2], "w") as out:
    for i, line in enumerate(f):
        if i == 256: break
        out.write(" ".join(json.loads(line)["text"].split())[:2000] + "\n")
PY
printf 'Germline mutations in BRCA1 cause hereditary breast and ovarian cancer .\nThe patient had Duchenne muscular dystrophy and mild asthma .\n' > "$work/sentences.txt"
printf 'the patient had a [MASK] tumour .\nfree [MASK] for everyone\n' > "$work/masked.txt"

common="--batch-size 32 --max-length 128 --unfreeze all --seed 7"
for dev in cpu cuda; do
  o="$work/$dev"
  timed "$dev train spam (${KANNA_COMMANDS_LIMIT:-1024} rows)" 300 "$work/kanna" train --device $dev --model "$work/model" $common --epochs 1 --limit-train ${KANNA_COMMANDS_LIMIT:-1024} \
      --train "$d/spamassassin/train.jsonl.gz" --validation "$d/spamassassin/validation.jsonl.gz" --out "$o/spam"
  cp "$o/spam/metrics.json" "$o/train-spam.json" 2>/dev/null
  timed "$dev evaluate spam (test)" 120 sh -c "'$work/kanna' evaluate --device $dev --model '$o/spam' --data '$d/spamassassin/test.jsonl.gz' > '$o/evaluate-spam.json'"
  timed "$dev train ner (${KANNA_COMMANDS_LIMIT:-1024} sentences)" 300 "$work/kanna" train --device $dev --task token-classification --model "$work/model" $common --epochs 1 \
      --limit-train ${KANNA_COMMANDS_LIMIT:-1024} --train "$d/ncbi-disease/train.tsv.gz" --validation "$d/ncbi-disease/validation.tsv.gz" --out "$o/ner"
  cp "$o/ner/metrics.json" "$o/train-ner.json" 2>/dev/null
  timed "$dev train multi-label" 120 "$work/kanna" train --device $dev --task multi-label --model "$work/model" $common --epochs 3 \
      --train "$fx/multilabel/train.jsonl" --validation "$fx/multilabel/validation.jsonl" --out "$o/multilabel"
  cp "$o/multilabel/metrics.json" "$o/train-multilabel.json" 2>/dev/null
  timed "$dev train regression" 120 "$work/kanna" train --device $dev --task regression --model "$work/model" $common --epochs 3 \
      --train "$fx/regression/train.jsonl" --validation "$fx/regression/validation.jsonl" --out "$o/regression"
  cp "$o/regression/metrics.json" "$o/train-regression.json" 2>/dev/null
  timed "$dev pretrain (30 steps)" 300 "$work/kanna" pretrain --device $dev --model "$work/model" --max-steps ${KANNA_COMMANDS_STEPS:-30} --batch-size 32 \
      --limit-train 3000 --text "$d/ncbi-disease/train-abstracts.txt.gz" --validation-text "$fx/pretrain/validation.txt" --out "$o/mlm"
  cp "$o/mlm/metrics.json" "$o/pretrain.json" 2>/dev/null
done
# inference: the same (CPU-trained) models on both devices
for dev in cpu cuda; do
  o="$work/$dev"; m="$work/cpu"
  timed "$dev logits (256 emails)" 120 sh -c "'$work/kanna' logits --device $dev --model '$m/spam' < '$work/emails.txt' > '$o/logits-spam.jsonl'"
  timed "$dev predict (256 emails)" 120 sh -c "'$work/kanna' predict --device $dev --model '$m/spam' < '$work/emails.txt' > '$o/predict-spam.jsonl'"
  timed "$dev embed (256 emails)" 120 sh -c "'$work/kanna' embed --device $dev --model '$work/model' < '$work/emails.txt' > '$o/embed.jsonl'"
  timed "$dev predict ner" 120 sh -c "'$work/kanna' predict --device $dev --model '$m/ner' < '$work/sentences.txt' > '$o/predict-ner.jsonl'"
  timed "$dev logits ner" 120 sh -c "'$work/kanna' logits --device $dev --model '$m/ner' < '$work/sentences.txt' > '$o/logits-ner.jsonl'"
  timed "$dev logits --mlm (pretrained)" 120 sh -c "'$work/kanna' logits --mlm --device $dev --model '$m/mlm' < '$work/masked.txt' > '$o/logits-mlm.jsonl'"
  timed "$dev predict multi-label" 120 sh -c "'$work/kanna' predict --device $dev --model '$m/multilabel' < '$work/emails.txt' > '$o/predict-multilabel.jsonl'"
  timed "$dev predict regression" 120 sh -c "'$work/kanna' predict --device $dev --model '$m/regression' < '$work/emails.txt' > '$o/predict-regression.jsonl'"
done
# serve on the GPU: one request each to /predict and /embed
kanna serve --device cuda --model spam="$work/cpu/spam" --port 18080 > "$work/serve.log" 2>&1 &
spid=$!
"$PYTHON" - <<'PY' 2>&1 | tee "$work/cuda/serve.txt"
import json, time, urllib.request
def post(path, body):
    req = urllib.request.Request("http://127.0.0.1:18080" + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return urllib.request.urlopen(req, timeout=30).read().decode()
for _ in range(60):
    try:
        urllib.request.urlopen("http://127.0.0.1:18080/health", timeout=2); break
    except Exception:
        time.sleep(0.5)
try:
    print("serve --device cuda /predict:", post("/predict", {"inputs": ["free money now", "meeting at noon"]})[:300])
    print("serve --device cuda /info:", urllib.request.urlopen("http://127.0.0.1:18080/info", timeout=10).read().decode()[:300])
except Exception as e:
    print("serve --device cuda: FAILED", e)
PY
kill $spid 2>/dev/null; wait $spid 2>/dev/null
tail -3 "$work/serve.log"
{
  echo "wall times:"; cat "$work/times.txt"
  "$PYTHON" "$here/commands_compare.py" "$work"
} 2>&1 | tee "$log"
