#!/usr/bin/env python3
"""Alternates the Montague sampling benchmarks with their numpy / scikit-learn references, case by case, so both see
the same machine load, and prints per-case medians and the median of the per-round ratios (Markdown rows).

Usage (after ``swift build -c release --product MontagueBenchmarks``):

    bench/sampling_rounds.py --python /tmp/venv-sampling/bin/python [--rounds 5] [--em-rounds 3]

The reference interpreter needs numpy and scikit-learn (see bench/sampling_reference.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

SAMPLER_CASES = ["sample normal 1e6", "sample gamma(2.5) 1e6", "sample categorical k=100 1e6",
                 "mh random-walk 10-d gaussian"]
EM_CASES = ["gmm em n=100000 d=10 k=8 full", "gmm em n=100000 d=10 k=8 diag"]


def measure(command: list[str]) -> float:
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout
    values = [json.loads(line)["value"] for line in output.splitlines() if line.startswith("{")]
    return values[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--binary", default=".build/release/MontagueBenchmarks")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--em-rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {}
    for cases, rounds in [(SAMPLER_CASES, args.rounds), (EM_CASES, args.em_rounds)]:
        for _ in range(rounds):
            for case in cases:
                ours = measure([args.binary, "--threads", "1", "--filter", case])
                theirs = measure([args.python, "bench/sampling_reference.py", "--threads", "1", "--filter", case])
                results.setdefault(case, []).append((ours, theirs))
                print(f"# {case}: montague {ours:.4g}, reference {theirs:.4g}", file=sys.stderr)
    print("| case | montague (median) | reference (median) | ratio (median of rounds) | ratio range | rounds |")
    print("|---|---:|---:|---:|---|---:|")
    for case, pairs in results.items():
        ratios = [ours / theirs for ours, theirs in pairs]
        print(f"| {case} | {statistics.median(p[0] for p in pairs):.4g} | {statistics.median(p[1] for p in pairs):.4g}"
              f" | {statistics.median(ratios):.2f} | {min(ratios):.2f}–{max(ratios):.2f} | {len(pairs)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
