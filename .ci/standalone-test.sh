#!/usr/bin/env bash
# Runs the test suite in a copy of the repository with no external data beside it — as a user's fresh clone is —
# and lists the tests skipped for want of data. Fails when any test fails.
#   bash .ci/standalone-test.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/montague-standalone.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# The working tree without build products (tracked and untracked files alike, so uncommitted work is tested too).
tar -C "$repo" --exclude='./.build' --exclude='./.build-*' --exclude='./.build_*' --exclude='./.venv*' \
    --exclude='./runs' -cf - . | tar -C "$work" -xf -
cd "$work"
if [ -e "$work/../shared" ] || [ -e /shared/data ]; then
    echo "standalone-test: a shared/ folder is visible from $work; cannot test without external data" >&2
    exit 1
fi

echo "standalone-test: swift test in $work (MONTAGUE_TEST_DATA points nowhere)"
status=0
coretype="$(bash bench/openblas_coretype.sh)"
env ${coretype:+OPENBLAS_CORETYPE=$coretype} OPENBLAS_NUM_THREADS=1 MONTAGUE_TEST_DATA=/nonexistent swift test 2>&1 | tee "$work/test.log" || status=$?
skipped="$(grep -E '(➜|􀙟) Test .* skipped' "$work/test.log" || true)"
count="$(printf '%s' "$skipped" | grep -c . || true)"
echo "standalone-test: $count test(s) skipped (external data absent, or gated to release builds):"
printf '%s\n' "$skipped" | sed -E 's/^[^T]*Test /  /'
exit $status
