#!/usr/bin/env bash
# Reference runs for the corpus benchmark, on the same file as Benchmarks/CorpusBenchmark.swift:
#   xmllint --stream --noout (Debian package libxml2-utils) and lxml iterparse (pip install lxml).
# Usage: bench/corpus_reference.sh [FILE]   (default .build-bench-data/tei-200mb.xml, generated if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
file="${1:-.build-bench-data/tei-200mb.xml}"
if [ ! -f "$file" ]; then python3 bench/make_tei_corpus.py "$file"; fi
size_mb=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$file")

if command -v xmllint >/dev/null; then
    # Best of 3; peak memory from GNU time when available, else from Python's resource module on a child.
    best=$(for _ in 1 2 3; do
        python3 - "$file" <<'PY'
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(["xmllint", "--stream", "--noout", sys.argv[1]], check=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{seconds:.3f} {peak:.1f}")
PY
    done | sort -n | head -1)
    read -r seconds peak <<<"$best"
    python3 -c "import sys; s,p,m=map(float,sys.argv[1:]); print(f'reference  {\"xmllint --stream --noout\":34s} {m:8.1f} MB {s:7.2f} s {m/s:8.1f} MB/s  peak RSS {p:.1f} MB')" "$seconds" "$peak" "$size_mb"
else
    echo "xmllint not found: apt-get install libxml2-utils" >&2
fi

if python3 -c "import lxml" 2>/dev/null; then
    python3 bench/corpus_lxml_iterparse.py "$file"
    python3 bench/corpus_lxml_iterparse.py "$file" --tokens
else
    echo "lxml not found: pip install lxml" >&2
fi
