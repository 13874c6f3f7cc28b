#!/usr/bin/env bash
# Builds what the GPU device check carries, on a development machine with JDK 25 and Maven:
#
#   benchmarks/gpu/prepare.sh [DEST]     # default DEST: .carry/kanna-gpu in this checkout
#
# DEST gets: jre.tgz (a jlink'ed Java 25 runtime: the GPU machine has no JDK), lib/*.jar (the CUDA
# backend, its tests, the engine, JCuda, JUnit), check.sh and the Python scripts. About 40 MB; the
# device tool carries at most 64 MiB with the working tree, so carry DEST's parent (.carry, which git
# ignores) and nothing else large. Then on the device: bash .carry/kanna-gpu/check.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${1:-$root/.carry/kanna-gpu}"
cd "$root"
source bin/find-jdk.sh

echo "building the CUDA backend and its tests..." >&2
rm -rf "$dest/lib"
mkdir -p "$dest/lib"
mvn -B -q -ntp -pl cuda-kernels -am -DskipTests package dependency:copy-dependencies \
    -DincludeScope=test -DexcludeTransitive=false -DoutputDirectory="$dest/lib"
cp cuda-kernels/target/kanna-cuda-*.jar "$dest/lib/"
# the command line (dev.kanna.cli.Main) for commands.sh: the trainer, the tokenizer, picocli
mvn -B -q -ntp -o -pl trainer -am -DskipTests package >/dev/null
# (WordNet, optional for augment, stays behind: its data would push the carry past 64 MiB)
mvn -B -q -ntp -o -pl trainer dependency:copy-dependencies -DincludeScope=runtime -DexcludeGroupIds=net.sf.extjwnl,org.slf4j \
    -DoutputDirectory="$dest/lib"
cp trainer/target/kanna-trainer-*.jar "$dest/lib/"
rm -f "$dest/lib"/kanna-*-SNAPSHOT-sources.jar
# the engine's own test jar and the engine jar come from the reactor build
cp engine/target/kanna-engine-*.jar "$dest/lib/" 2>/dev/null || true

jre="$root/.carry/jre-build"
if [ ! -f "$jre/jre.tgz" ] || [ "$jre/jre.tgz" -ot "$JAVA_HOME/release" ]; then
  echo "linking a Java runtime (jlink)..." >&2
  rm -rf "$jre" && mkdir -p "$jre"
  "$JAVA_HOME/bin/jlink" --add-modules java.base,jdk.incubator.vector,jdk.unsupported,java.logging,java.management,jdk.zipfs \
      --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$jre/jre"
  tar czf "$jre/jre.tgz" -C "$jre" jre
  rm -rf "$jre/jre"
fi
cp "$jre/jre.tgz" "$dest/jre.tgz"
cp benchmarks/gpu/check.sh benchmarks/gpu/side_by_side.py benchmarks/gpu/train_step_torch.py \
   benchmarks/gpu/model_parity_torch.py benchmarks/gpu/commands.sh benchmarks/gpu/commands_compare.py \
   benchmarks/gpu/make_model.py "$dest/"
# the uncased WordPiece tokenizer for make_model.py (from the quickstart's model; no weights)
tok=models/all-MiniLM-L6-v2
[ -f "$tok/vocab.txt" ] || ./kanna fetch-model all-MiniLM-L6-v2 --out "$tok"
mkdir -p "$dest/tokenizer"
cp "$tok/vocab.txt" "$tok/tokenizer.json" "$tok/tokenizer_config.json" "$dest/tokenizer/"
du -sh "$dest" "$dest"/* | sed 's/^/  /' >&2
echo "ready: carry $(dirname "$dest") and run: bash ${dest#$root/}/check.sh" >&2
