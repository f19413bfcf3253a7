#!/usr/bin/env bash
# Installs what the tests need from Debian's packages (Chromium to print PDF
# reports and, through chromedriver, to run the browser tests; poppler-utils
# to render PDFs and read their text; OpenSSL to check export bundles as a
# court would; Noto CJK fonts for Korean) and, from PyPI, the API tester
# schemathesis; checks formatting and lints (warnings are errors), then runs
# every test of the workspace. Browser screenshots land in
# target/e2e-artifacts/, the API tester's report in target/api-tester/.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# prlimit runs the server under a memory limit in the survival test.
command -v prlimit >/dev/null 2>&1 || need+=(util-linux)
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then need+=(fonts-noto-cjk); fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing ${need[*]} ..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
# A small file system that a test fills under a running server, then
# frees (as root, or through sudo; the test says so when there is none).
small_fs="$(mktemp -d)"
as_root=""
if [ "$(id -u)" -ne 0 ]; then as_root="sudo -n"; fi
if $as_root mount -t tmpfs -o size=8m,mode=1777 tmpfs "$small_fs" 2>/dev/null; then
  export REFWATCH_TEST_SMALL_FS="$small_fs"
  trap '$as_root umount "$small_fs"; rmdir "$small_fs"' EXIT
else
  rmdir "$small_fs"
  echo "note: no small file system could be mounted; the full-disk test will be skipped"
fi
# The property-based API tester (schemathesis, from PyPI) in a virtual
# environment of its own; the server test that runs it finds it here.
api_venv="$PWD/target/api-venv"
if [ ! -x "$api_venv/bin/schemathesis" ]; then
  command -v python3 >/dev/null 2>&1 || need_python=1
  if [ "${need_python:-0}" = 1 ] || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-venv >/dev/null
  fi
  python3 -m venv "$api_venv"
  "$api_venv/bin/pip" install -q schemathesis==4.32.5
fi
export REFWATCH_SCHEMATHESIS="$api_venv/bin/schemathesis"
export REFWATCH_API_TESTER_EXAMPLES="${REFWATCH_API_TESTER_EXAMPLES:-50}"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# A bounded coverage-guided fuzz run (tools/fuzz.sh; a longer run is the
# same script with more seconds per target).
bash tools/fuzz.sh 20
