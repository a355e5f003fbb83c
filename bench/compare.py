#!/usr/bin/env python3
"""Merge benchmark JSON lines and print one comparison table (standard library only).

Input: files of JSON lines as printed by MontagueBenchmarks, bench/pytorch_reference.py and bench/jax_reference.py,

    {"case": "sgemm n=256", "impl": "montague", "threads": 1, "metric": "GFLOP/s", "value": 97.2}

(other lines, e.g. log messages, are ignored). Output: one table with a row per (case, threads, reference):
Montague's value, the reference value, their ratio, the target ratio and pass/fail. Targets:

    sgemm     Montague >= 0.95 x direct cblas_sgemm (same data)          GFLOP/s
    mlp       Montague >= 1.00 x the fastest reference                    steps/s
    lstm-lm   Montague >= 0.80 x the fastest reference                    tokens/s
    gru-seq2seq  Montague >= 0.80 x the fastest reference                 tokens/s
    seqgan-…, sentence-vae-…, style-transfer-step cross-aligned / cycle, wgan-gp, vae (digits), maml2,
    transformer-seq2seq, transformer-lm
              Montague >= 1.00 x the fastest reference                    steps/s or tokens/s
    sample    Montague >= 1.00 x numpy's Generator (draws/s)             steps/s (one step = one draw)
    gmm em    Montague >= 1.00 x scikit-learn GaussianMixture            iterations/s

For the training steps the references are PyTorch eager (impl "pytorch", cells from core ops), PyTorch through
torch.compile ("pytorch-compile"), PyTorch's torch.func.vmap ("pytorch-vmap", MAML) and JAX jit ("jax-jit"): each is
shown with Montague's ratio to it, then a judged row "fastest: NAME" against the fastest of them at that thread
count. The row "gemm-bound" is the step's matrix products alone through cblas_sgemm (MontagueBenchmarks, recorded
from one call of the step, Benchmarks/GemmBound.swift); its ratio is the fraction of that bound Montague reaches
(judged for the MLP: >= 0.90; shown for every other training row). Other references (PyTorch's torch.mm for sgemm,
nn.LSTM, nn.GRU) are shown for information, without a target.
A missing side reads "pending" (Montague case not implemented yet) or "reference unavailable".

With --wide, one Markdown row per (case, threads) instead: Montague, every training reference in its own column,
the fastest (or the judged reference), the ratio with pass/fail, and the GEMM-only bound with Montague's fraction.

Usage: compare.py [--strict] [--markdown | --wide] [--only-measured] FILE...   (--strict: exit 1 when a target is
missed)
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass

MONTAGUE = "montague"


@dataclass(frozen=True)
class Target:
    """The reference a case is judged against and the minimum Montague / reference ratio."""

    case_prefix: str
    reference: str
    minimum_ratio: float
    informational: tuple[str, ...]
    # When set, the judged reference is the fastest of these (`reference` is then only the label's fallback).
    fastest_of: tuple[str, ...] = ()
    # Minimum fraction of the GEMM-only bound (impl "gemm-bound"); None shows the fraction for information.
    bound_ratio: float | None = None


TRAINING_REFERENCES = ("pytorch", "pytorch-compile", "pytorch-vmap", "jax-jit")
GEMM_BOUND = "gemm-bound"


TARGETS = (
    Target("sgemm", "cblas", 0.95, ("pytorch",)),
    Target("mlp", "fastest", 1.00, (), TRAINING_REFERENCES, 0.90),
    Target("lstm-lm", "fastest", 0.80, ("pytorch-nn.LSTM",), TRAINING_REFERENCES),
    Target("gru-seq2seq", "fastest", 0.80, ("pytorch-nn.GRU",), TRAINING_REFERENCES),
    Target("seqgan", "fastest", 1.00, (), TRAINING_REFERENCES),
    Target("sentence-vae", "fastest", 1.00, (), TRAINING_REFERENCES),
    Target("style-transfer-step cross-aligned v", "fastest", 1.00, (), TRAINING_REFERENCES),
    Target("style-transfer-step cycle v", "fastest", 1.00, (), TRAINING_REFERENCES),
    Target("wgan-gp", "fastest", 1.00, (), TRAINING_REFERENCES),
    Target("vae step", "fastest", 1.00, (), TRAINING_REFERENCES),
    Target("maml2", "fastest", 1.00, (), TRAINING_REFERENCES),
    Target("transformer-seq2seq", "fastest", 1.00, (), TRAINING_REFERENCES),
    Target("transformer-lm", "fastest", 1.00, (), TRAINING_REFERENCES),
    Target("sample", "numpy", 1.00, ()),
    Target("mh", "numpy", 0.0, ()),  # a Python loop: information only (minimum 0 always passes)
    Target("gmm em", "scikit-learn", 1.00, ()),
)


METRICS = {"sgemm": "GFLOP/s", "mlp": "steps/s", "lstm-lm": "tokens/s", "gru-seq2seq": "tokens/s",
           "sample": "steps/s", "mh": "steps/s", "gmm em": "steps/s", "seqgan": "steps/s",
           "sentence-vae": "tokens/s", "style-transfer-step cross-aligned v": "steps/s",
           "style-transfer-step cycle v": "steps/s", "wgan-gp": "steps/s", "vae step": "steps/s",
           "maml2": "steps/s", "transformer-seq2seq": "tokens/s", "transformer-lm": "tokens/s"}

# The training-step cases (names as in Benchmarks/TrainingBenchmarks.swift and bench/pytorch_reference.py): listed
# even when neither side measured them, so the table shows what is still missing.
EXPECTED_CASES = ("mlp 784-256-256-10 relu b128 adam", "lstm-lm v10000 e128 h256 b32 t35 adam",
                  "gru-seq2seq-dot v5000 e256 h256 b32 t20 adam",
                  # bench/seqgan_reference.py, bench/sentence_vae_reference.py, bench/style_transfer_reference.py
                  "seqgan-generator-step v5000 e32 h32 b64 t20 reinforce", "seqgan-mle-step v5000 e32 h32 b64 t20 adam",
                  "seqgan-pg-step v5000 e32 h32 b64 t20 rollout16 d430",
                  "seqgan-discriminator-step v5000 e64 f430 b64 t20 adam",
                  "sentence-vae-step v10000 e64 h128 z16 b32 t21 adam",
                  "style-transfer-step cross-aligned v9357 b64 t12", "style-transfer-step cycle v9357 b64 t12",
                  # bench/generative_reference.py, bench/maml_reference.py, bench/transformer_reference.py
                  "wgan-gp step g8-256-256-2 d2-256-256-1 b256 adam", "vae step 64-128-8 bernoulli b128 adam",
                  "maml2 sinusoid mlp 1-40-40-1 relu tasks25 k10 q10 inner1 adam",
                  "transformer-seq2seq d256 h4 l3+3 ff1024 v8000 b32 t32 adam",
                  "transformer-lm d256 h4 l4 ff1024 v8000 b32 t32 pre-norm gelu tied adam")


def target_for(case: str) -> Target | None:
    return next((target for target in TARGETS if case.startswith(target.case_prefix)), None)


def read_measurements(paths: list[str]) -> tuple[dict[tuple[str, int, str], tuple[float, str]], list[str]]:
    """(case, threads, impl) -> (value, metric), and the cases in first-seen order."""
    values: dict[tuple[str, int, str], tuple[float, str]] = {}
    cases: list[str] = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as file:
                lines = file.readlines()
        except OSError as error:
            print(f"compare.py: skipping {path}: {error.strerror}", file=sys.stderr)
            continue
        for line in lines:
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                record = json.loads(line)
                case, impl = str(record["case"]), str(record["impl"])
                threads, metric, value = int(record["threads"]), str(record["metric"]), float(record["value"])
            except (ValueError, KeyError, TypeError):
                continue
            values[(case, threads, impl)] = (value, metric)
            if case not in cases:
                cases.append(case)
    return values, cases


def references_for(case: str, threads: int, target: Target | None,
                   values: dict[tuple[str, int, str], tuple[float, str]]) -> list[tuple[str, bool, str]]:
    """(impl, judged, label) rows for one case at one thread count, in table order."""
    if target is None:
        return [(impl, False, impl) for impl in sorted({impl for (c, _, impl) in values
                                                        if c == case and impl != MONTAGUE})]
    if not target.fastest_of:
        return [(target.reference, True, target.reference)] + [(name, False, name) for name in target.informational]
    measured = [(values[(case, threads, impl)][0], impl) for impl in target.fastest_of
                if (case, threads, impl) in values]
    rows = [(impl, False, impl) for _, impl in sorted(measured, key=lambda pair: pair[1])]
    rows += [(name, False, name) for name in target.informational]
    if measured:
        fastest = max(measured)[1]
        rows.append((fastest, True, f"fastest: {fastest}"))
    else:
        rows.append((target.fastest_of[0], True, "fastest reference"))
    rows.append((GEMM_BOUND, target.bound_ratio is not None, GEMM_BOUND))
    return rows


def sort_key(case: str, order: list[str]) -> tuple[int, int, str]:
    """Group by target family in table order, sgemm sizes numerically."""
    family = next((index for index, target in enumerate(TARGETS) if case.startswith(target.case_prefix)),
                  len(TARGETS))
    size = int(case.split("n=")[1]) if case.startswith("sgemm n=") and case.split("n=")[1].isdigit() else 0
    return family, size, f"{order.index(case):06d}"


def format_value(value: float | None, missing: str) -> str:
    if value is None:
        return missing
    return f"{value:.1f}" if value >= 100 else f"{value:.2f}"


def build_rows(values: dict[tuple[str, int, str], tuple[float, str]], cases: list[str],
               only_measured: bool) -> tuple[list[list[str]], int]:
    rows: list[list[str]] = []
    failures = 0
    all_threads = sorted({threads for (_, threads, _) in values})
    if not only_measured:
        cases = cases + [case for case in EXPECTED_CASES if case not in cases]
    for case in sorted(cases, key=lambda case: sort_key(case, cases)):
        target = target_for(case)
        for threads in all_threads:
            references = references_for(case, threads, target, values)
            measured_at_all = any(c == case for (c, _, _) in values)
            if measured_at_all and not any((case, threads, impl) in values
                                           for impl in [MONTAGUE] + [r for r, _, _ in references]):
                continue
            montague = values.get((case, threads, MONTAGUE))
            for reference, judged, label in references:
                measured = values.get((case, threads, reference))
                if measured is None and not judged:
                    continue
                metric = (montague or measured or (0.0, METRICS.get(target.case_prefix, "") if target else ""))[1]
                ratio = montague[0] / measured[0] if montague and measured and measured[0] > 0 else None
                minimum = target.minimum_ratio if target else 0.0
                if reference == GEMM_BOUND and target:
                    minimum = target.bound_ratio if target.bound_ratio is not None else 0.0
                if not judged:
                    verdict, target_text = "info", "-"
                elif montague is None and measured is None:
                    verdict, target_text = "pending; reference unavailable", f">= {minimum:.2f}"
                elif montague is None:
                    verdict, target_text = "pending", f">= {minimum:.2f}"
                elif measured is None:
                    verdict, target_text = "reference unavailable", f">= {minimum:.2f}"
                else:
                    passed = ratio is not None and ratio >= minimum
                    failures += 0 if passed else 1
                    verdict, target_text = ("pass" if passed else "FAIL"), f">= {minimum:.2f}"
                rows.append([
                    case, str(threads), metric,
                    format_value(montague[0] if montague else None, "pending"),
                    label,
                    format_value(measured[0] if measured else None, "unavailable"),
                    f"{ratio:.2f}" if ratio is not None else "-",
                    target_text, verdict,
                ])
    return rows, failures


HEADER = ["case", "threads", "metric", "montague", "reference", "ref. value", "ratio", "target", "result"]


def print_text(rows: list[list[str]]) -> None:
    widths = [max(len(row[column]) for row in [HEADER] + rows) for column in range(len(HEADER))]
    numeric = {1, 3, 5, 6}

    def line(cells: list[str]) -> str:
        return "  ".join(cell.rjust(width) if index in numeric else cell.ljust(width)
                         for index, (cell, width) in enumerate(zip(cells, widths))).rstrip()

    print(line(HEADER))
    print(line(["-" * width for width in widths]))
    for row in rows:
        print(line(row))


def print_markdown(rows: list[list[str]]) -> None:
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join("---:" if index in {1, 3, 5, 6} else "---" for index in range(len(HEADER))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


WIDE_REFERENCES = (("pytorch", "PyTorch eager"), ("pytorch-compile", "torch.compile"), ("pytorch-vmap", "torch vmap"),
                   ("jax-jit", "JAX jit"))
WIDE_HEADER = ["case", "threads", "metric", "Montague"] + [label for _, label in WIDE_REFERENCES] + [
    "fastest (judged)", "ratio", "target", "result", "GEMM-only bound", "fraction", "other (information)"]


def build_wide_rows(rows: list[list[str]]) -> list[list[str]]:
    """Folds the long rows of one (case, threads) into one: each reference in its column, the judged one, the bound."""
    wide: dict[tuple[str, str], list[str]] = {}
    order: list[tuple[str, str]] = []
    columns = {impl: 4 + index for index, (impl, _) in enumerate(WIDE_REFERENCES)}
    judged_column = 4 + len(WIDE_REFERENCES)
    for case, threads, metric, montague, label, value, ratio, target_text, verdict in rows:
        key = (case, threads)
        if key not in wide:
            wide[key] = [case, threads, metric, montague] + [""] * (len(WIDE_HEADER) - 4)
            order.append(key)
        row = wide[key]
        if label == GEMM_BOUND:
            row[-3], row[-2] = value, ratio
            if verdict not in ("info", "-"):
                row[-2] = f"{ratio} ({verdict}, {target_text})"
        elif verdict != "info" or label.startswith("fastest"):
            row[judged_column] = f"{label.removeprefix('fastest: ')} {value}" if value != "unavailable" else label
            row[judged_column + 1], row[judged_column + 2], row[judged_column + 3] = ratio, target_text, verdict
        if label in columns:
            row[columns[label]] = value
        elif verdict == "info" and label != GEMM_BOUND:
            row[-1] = "; ".join(filter(None, [row[-1], f"{label} {value}"]))
    return [wide[key] for key in order]


def print_wide(rows: list[list[str]]) -> None:
    wide = build_wide_rows(rows)
    print("| " + " | ".join(WIDE_HEADER) + " |")
    left = {0, 2, 4 + len(WIDE_REFERENCES), len(WIDE_HEADER) - 5, len(WIDE_HEADER) - 4, len(WIDE_HEADER) - 1}
    print("|" + "|".join("---" if index in left else "---:" for index in range(len(WIDE_HEADER))) + "|")
    for row in wide:
        print("| " + " | ".join(cell or " " for cell in row) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description="Merge benchmark JSON lines into one comparison table.")
    parser.add_argument("files", nargs="+", help="JSON-lines files (MontagueBenchmarks, pytorch_reference.py)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a judged target is missed")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--wide", action="store_true",
                        help="print a Markdown table with one row per case and thread count (references as columns)")
    parser.add_argument("--only-measured", action="store_true",
                        help="no rows for expected cases absent from the input (runs restricted with --filter)")
    arguments = parser.parse_args()

    values, cases = read_measurements(arguments.files)
    if not values:
        print("compare.py: no measurements found", file=sys.stderr)
        return 1
    rows, failures = build_rows(values, cases, arguments.only_measured)
    (print_wide if arguments.wide else print_markdown if arguments.markdown else print_text)(rows)
    if not any(impl.startswith("pytorch") for (_, _, impl) in values):
        print("\nPyTorch reference unavailable (no pytorch lines in the input).")
    if not any(impl.startswith("jax") for (_, _, impl) in values):
        print("\nJAX reference unavailable (no jax lines in the input).")
    if failures:
        print(f"\n{failures} target(s) missed")
    return 1 if failures and arguments.strict else 0


if __name__ == "__main__":
    sys.exit(main())
