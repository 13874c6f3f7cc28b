#!/usr/bin/env bash
# Pins what single-label classification training produces on the tiny fixtures, so a change of
# design (the Task abstraction, say) can be shown to leave it bit for bit the same.
#
#   tools/regression/classification_pins.sh COMMIT
#
# builds COMMIT in a temporary git worktree, runs its `kanna train` twice on the tiny model and data
# of trainer/src/test/resources/tiny (the plain settings of TinyFixtures.trainArgs, and the same with
# --cache-frozen, class weights, label smoothing, gradient accumulation and step evaluations), and
# writes the SHA-256 of each run's model.safetensors, metrics.json and training_log.jsonl to
# trainer/src/test/resources/tiny/classification_pins.json. ClassificationUnchangedTest reruns the
# same commands with the code under test and compares.
set -euo pipefail
commit=${1:?usage: $0 COMMIT}
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/bin/find-jdk.sh"
export JAVA_HOME=$KANNA_JAVA_HOME
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add -q --detach "$work/src" "$commit"
(cd "$work/src" && mvn -B -q -ntp -DskipTests -pl trainer -am package)
tiny="$root/trainer/src/test/resources/tiny"
train() {   # out, extra args...
  local out=$1; shift
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -jar "$work/src/trainer/target/kanna.jar" train \
    --model "$tiny/model" --train "$tiny/train.jsonl" --validation "$tiny/validation.jsonl" --out "$out" \
    --epochs 2 --batch-size 8 --lr 1e-3 --max-length 64 --unfreeze-top 1 --device cpu --threads 2 "$@" >/dev/null 2>&1
}
hashes() {   # dir → JSON object of file hashes
  printf '{"model.safetensors": "%s", "metrics.json": "%s", "training_log.jsonl": "%s"}' \
    "$(sha256sum "$1/model.safetensors" | cut -d' ' -f1)" "$(sha256sum "$1/metrics.json" | cut -d' ' -f1)" \
    "$(sha256sum "$1/training_log.jsonl" | cut -d' ' -f1)"
}
train "$work/plain"
train "$work/options" --cache-frozen --class-weights auto --label-smoothing 0.1 --gradient-accumulation 2 --eval-steps 3
cat > "$tiny/classification_pins.json" <<JSON
{
  "commit": "$(git -C "$root" rev-parse "$commit")",
  "plain": $(hashes "$work/plain"),
  "options": $(hashes "$work/options")
}
JSON
echo "wrote $tiny/classification_pins.json"
