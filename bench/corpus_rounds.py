"""Alternating corpus benchmark rounds: xmllint --stream --noout, then one Montague case, then xmllint again, the
next case, ..., N rounds. Each case's ratio is its CPU MB/s over the CPU MB/s of the xmllint run just before it
(both saw the same load); the median over the rounds is printed with every round's ratio.

Usage: python3 bench/corpus_rounds.py FILE ROUNDS [BENCHMARK]   (BENCHMARK: .build/release/MontagueBenchmarks)
CORPUS_BENCH_CASES="TEI units,TEI borrowed units" limits the cases (default: every case the benchmark has).
"""
import os
import re
import resource
import statistics
import subprocess
import sys

CASES = [
    "stream (reader only)", "TEI units", "TEI units + token ranges", "TEI units + token strings",
    "TEI borrowed units", "TEI borrowed units + token ranges", "TEI borrowed units + token ids",
    "TEI corpus statistics",
]


def child_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main():
    path, rounds = sys.argv[1], int(sys.argv[2])
    benchmark = sys.argv[3] if len(sys.argv) > 3 else ".build/release/MontagueBenchmarks"
    selected = [c for c in os.environ.get("CORPUS_BENCH_CASES", "").split(",") if c] or CASES
    size = os.path.getsize(path) / 1e6
    ratios, rates, xmllint_rates = {}, {}, []
    for round_index in range(rounds):
        line_parts = []
        for case in selected:
            before = child_cpu()
            subprocess.run(["xmllint", "--stream", "--noout", path], check=True)
            xmllint = size / (child_cpu() - before)
            xmllint_rates.append(xmllint)
            # The reader uses no BLAS: one OpenBLAS thread, so that idle BLAS workers spinning at start-up do not
            # count in the process's CPU time.
            env = dict(os.environ, CORPUS_BENCH_REPETITIONS="1", CORPUS_BENCH_CASES=case, OPENBLAS_NUM_THREADS="1")
            output = subprocess.run([benchmark, "--corpus", path], check=True, capture_output=True, text=True,
                                    env=env).stdout
            match = re.search(r"cpu +[0-9.]+ s +([0-9.]+) MB/s", output)
            if not match:
                continue
            rate = float(match.group(1))
            rates.setdefault(case, []).append(rate)
            ratios.setdefault(case, []).append(rate / xmllint)
            line_parts.append(f"{case} {100 * rate / xmllint:.0f}%")
        print(f"round {round_index + 1}/{rounds}: " + "; ".join(line_parts), flush=True)
    print(f"median     {'xmllint --stream --noout':34s} {statistics.median(xmllint_rates):8.1f} CPU MB/s "
          f"({len(xmllint_rates)} runs)")
    for case, values in ratios.items():
        ratio = statistics.median(values)
        verdict = "" if "reader only" in case else (
            "  (target 80%: met)" if ratio >= 0.8 else "  (target 80%: not met)")
        print(f"median     {case:34s} {statistics.median(rates[case]):8.1f} CPU MB/s {100 * ratio:6.1f}% of xmllint "
              f"(runs: {', '.join(f'{100 * v:.0f}%' for v in values)}){verdict}", flush=True)


if __name__ == "__main__":
    main()
