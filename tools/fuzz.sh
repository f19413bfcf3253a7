#!/usr/bin/env bash
# Coverage-guided fuzzing with cargo-afl (AFL++) on stable Rust.
#
#   bash tools/fuzz.sh [SECONDS_PER_TARGET]   (default 20: the bounded run of
#                                              the test command)
#   bash tools/fuzz.sh 3600                   (the longer run: an hour each)
#
# Each target in fuzz/src/bin starts from fuzz/seeds/TARGET; findings land
# in target/fuzz/TARGET/default/crashes and hangs. Every input kept in
# fuzz/regressions/TARGET (each crash found, once fixed) is run first, so a
# crash fixed stays fixed. Exits non-zero if any target crashed or hung.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
if ! cargo afl --version >/dev/null 2>&1; then
  cargo install cargo-afl --locked --version 0.18.2
fi
# AFL++'s runtime for this compiler, built once per machine.
if ! out="$(cargo afl config --build 2>&1)"; then
  if ! grep -q "already built" <<<"$out"; then
    echo "$out" >&2
    exit 1
  fi
fi
cargo afl build --release --locked --manifest-path fuzz/Cargo.toml --target-dir target/fuzz-build
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1
failed=0
for bin in fuzz/src/bin/*.rs; do
  name="$(basename "$bin" .rs)"
  exe="target/fuzz-build/release/$name"
  for kept in fuzz/regressions/"$name"/*; do
    [ -f "$kept" ] && [ "$(basename "$kept")" != ".keep" ] || continue
    if ! timeout 60 "$exe" <"$kept" >/dev/null 2>&1; then
      echo "fuzz: $name fails again on $kept" >&2
      failed=1
    fi
  done
  out="target/fuzz/$name"
  rm -rf "$out"
  mkdir -p "$out"
  echo "fuzz: $name for $seconds s"
  cargo afl fuzz -V "$seconds" -t 5000 -i "fuzz/seeds/$name" -o "$out" "$exe" >"$out/log.txt" 2>&1 || {
    echo "fuzz: afl-fuzz stopped for $name; its log:" >&2
    tail -20 "$out/log.txt" >&2
    failed=1
  }
  stats="$out/default/fuzzer_stats"
  if [ -f "$stats" ]; then
    grep -E "^(execs_done|corpus_count|saved_crashes|saved_hangs) " "$stats" | tr -s ' ' | sed "s/^/fuzz: $name /"
  fi
  for kind in crashes hangs; do
    found="$(find "$out/default/$kind" -type f ! -name README.txt 2>/dev/null | head -5)"
    if [ -n "$found" ]; then
      echo "fuzz: $name found $kind; keep each in fuzz/regressions/$name once fixed:" >&2
      echo "$found" >&2
      failed=1
    fi
  done
done
exit "$failed"
