#!/usr/bin/env bash
# Reports public-API breaks of the library products since the last release tag, with
# `swift package diagnose-api-breaking-changes` (it builds the tagged baseline and the working tree, then compares
# their module interfaces; it needs a toolchain with swift-api-digester, which the Linux toolchains ship).
#
#   bench/api_breaking_changes.sh [BASELINE]     (default: the newest tag reachable from HEAD)
#
# Exit 0: no break, or no tag yet (then nothing is compared and the script says so); 1: breaks were found (listed
# by SwiftPM); 2: the comparison could not run. Record intended breaks in CHANGELOG.md under "Breaking".
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
baseline="${1:-$(git describe --tags --abbrev=0 2>/dev/null || true)}"
if [ -z "$baseline" ]; then
    echo "api-breaking-changes: no release tag yet: nothing to compare against (active from the first tag on)"
    exit 0
fi
products=(Autodiff NeuralNet Corpus Grammar Sampling Plotting)
echo "api-breaking-changes: comparing ${products[*]} with $baseline"
output="$(swift package diagnose-api-breaking-changes "$baseline" --products "${products[@]}" 2>&1)"
status=$?
printf '%s\n' "$output" | grep -v '^\[' | tail -n 60
if [ $status -eq 0 ]; then
    echo "api-breaking-changes: no public-API break since $baseline"
    exit 0
fi
if printf '%s\n' "$output" | grep -q "API breakage"; then
    echo "api-breaking-changes: public-API breaks since $baseline (above)" >&2
    exit 1
fi
echo "api-breaking-changes: the comparison failed (above)" >&2
exit 2
