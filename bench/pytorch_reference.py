#!/usr/bin/env python3
"""PyTorch (CPU) reference for Montague's benchmarks: the same workloads as Benchmarks/*.swift.

Prints one JSON line per measurement on stdout, with the fields MontagueBenchmarks prints:

    {"case": "sgemm n=256", "impl": "pytorch", "threads": 1, "metric": "GFLOP/s", "value": 95.1}

Cases (names must match Benchmarks/MatmulBenchmarks.swift and Benchmarks/TrainingBenchmarks.swift):

* ``sgemm n=N`` for N in 256, 512, 1024, 2048: ``torch.mm`` of two N x N float32 matrices, 2 N^3 operations.
* ``mlp 784-256-256-10 relu b128 adam``: one training step (zero_grad, forward, softmax cross-entropy, backward,
  Adam) of a 784-256-256-10 ReLU MLP on a fixed synthetic batch of 128. Metric: steps/s.
* ``lstm-lm v10000 e128 h256 b32 t35 adam``: one training step of an LSTM language model built from core ops
  like the Swift one: embedding lookup, an LSTM cell written with matmul / sigmoid / tanh (gates
  ``x W_ih + h W_hh + b`` in the order i, f, g, o, zero initial state) unrolled over 35 steps, a full-softmax
  output layer over the 10,000-word vocabulary, mean cross-entropy over 32 x 35 tokens, Adam. Metric: tokens/s
  (32 x 35 tokens per step). impl ``pytorch``; the same model with ``torch.nn.LSTM`` is reported as impl
  ``pytorch-nn.LSTM`` for comparison (informational, no target).

Timing: warm-up, then each sample runs enough iterations to last a minimum time; the median rate over the
samples is reported (the same scheme as Benchmarks/BenchmarkHarness.swift).

Usage: ``pytorch_reference.py [--threads 1 2] [--filter TEXT] [--quick]``; run by ``make bench``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Callable

import torch
import torch.nn.functional as F

SGEMM_SIZES = (256, 512, 1024, 2048)
MLP_CASE = "mlp 784-256-256-10 relu b128 adam"
LSTM_CASE = "lstm-lm v10000 e128 h256 b32 t35 adam"

# LSTM language model dimensions.
VOCABULARY, EMBEDDING, HIDDEN, BATCH, STEPS = 10_000, 128, 256, 32, 35


class Harness:
    """Warm-up, calibrated samples, median rate."""

    def __init__(self, warm_up_seconds: float, minimum_sample_seconds: float, samples: int) -> None:
        self.warm_up_seconds = warm_up_seconds
        self.minimum_sample_seconds = minimum_sample_seconds
        self.samples = samples

    def rate(self, body: Callable[[], None], units_per_iteration: float) -> float:
        """Median of `units_per_iteration * iterations / seconds` over the samples."""
        calls, elapsed = 0, 0.0
        while calls < 2 or elapsed < self.warm_up_seconds:
            start = time.perf_counter()
            body()
            elapsed += time.perf_counter() - start
            calls += 1
        iterations = max(1, int(-(-self.minimum_sample_seconds // max(elapsed / calls, 1e-9))))
        rates = []
        for _ in range(self.samples):
            start = time.perf_counter()
            for _ in range(iterations):
                body()
            rates.append(units_per_iteration * iterations / (time.perf_counter() - start))
        return statistics.median(rates)


def emit(case: str, impl: str, threads: int, metric: str, value: float) -> None:
    print(json.dumps({"case": case, "impl": impl, "threads": threads, "metric": metric,
                      "value": round(value, 3)}), flush=True)


def progress(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


# MARK: - sgemm

def sgemm_body(n: int) -> Callable[[], None]:
    generator = torch.Generator().manual_seed(n)
    a = torch.randn(n, n, generator=generator, dtype=torch.float32)
    b = torch.randn(n, n, generator=generator, dtype=torch.float32)

    def body() -> None:
        torch.mm(a, b)

    return body


# MARK: - MLP training step

def mlp_step_body() -> Callable[[], None]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    inputs = torch.randn(128, 784)
    labels = torch.randint(0, 10, (128,))

    def body() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()

    return body


# MARK: - LSTM language-model training step

def lstm_data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    tokens = torch.randint(0, VOCABULARY, (STEPS + 1, BATCH), generator=generator)
    return tokens[:-1], tokens[1:]  # inputs and next-token targets, [time, batch]


def uniform_parameter(*shape: int, bound: float) -> torch.nn.Parameter:
    return torch.nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))


def lstm_core_ops_body() -> Callable[[], None]:
    """The LSTM cell written with matmul / sigmoid / tanh, unrolled over the 35 steps."""
    torch.manual_seed(0)
    bound = HIDDEN ** -0.5
    embedding = torch.nn.Parameter(torch.randn(VOCABULARY, EMBEDDING) * 0.1)
    weight_ih = uniform_parameter(EMBEDDING, 4 * HIDDEN, bound=bound)
    weight_hh = uniform_parameter(HIDDEN, 4 * HIDDEN, bound=bound)
    bias = torch.nn.Parameter(torch.zeros(4 * HIDDEN))
    weight_out = uniform_parameter(HIDDEN, VOCABULARY, bound=bound)
    bias_out = torch.nn.Parameter(torch.zeros(VOCABULARY))
    parameters = [embedding, weight_ih, weight_hh, bias, weight_out, bias_out]
    optimizer = torch.optim.Adam(parameters, lr=1e-3)
    inputs, targets = lstm_data()

    def body() -> None:
        optimizer.zero_grad(set_to_none=True)
        embedded = F.embedding(inputs, embedding)  # [time, batch, embedding]
        h = torch.zeros(BATCH, HIDDEN)
        c = torch.zeros(BATCH, HIDDEN)
        outputs = []
        for t in range(STEPS):
            gates = embedded[t] @ weight_ih + h @ weight_hh + bias
            i, f, g, o = gates.chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outputs.append(h)
        hidden = torch.stack(outputs).reshape(STEPS * BATCH, HIDDEN)
        logits = hidden @ weight_out + bias_out  # full softmax over the vocabulary
        loss = F.cross_entropy(logits, targets.reshape(-1))
        loss.backward()
        optimizer.step()

    return body


def lstm_nn_module_body() -> Callable[[], None]:
    """The same model with torch.nn.Embedding / nn.LSTM / nn.Linear, for comparison."""
    torch.manual_seed(0)
    embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING)
    lstm = torch.nn.LSTM(EMBEDDING, HIDDEN)
    projection = torch.nn.Linear(HIDDEN, VOCABULARY)
    modules = torch.nn.ModuleList([embedding, lstm, projection])
    optimizer = torch.optim.Adam(modules.parameters(), lr=1e-3)
    inputs, targets = lstm_data()

    def body() -> None:
        optimizer.zero_grad(set_to_none=True)
        hidden, _ = lstm(embedding(inputs))
        logits = projection(hidden.reshape(STEPS * BATCH, HIDDEN))
        loss = F.cross_entropy(logits, targets.reshape(-1))
        loss.backward()
        optimizer.step()

    return body


# MARK: - Runner

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="torch.set_num_threads values to measure (default: 1 2)")
    parser.add_argument("--filter", default=None, help="run only cases whose name contains this text")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples (development only)")
    arguments = parser.parse_args()

    harness = Harness(0.1, 0.05, 3) if arguments.quick else Harness(0.5, 0.25, 7)
    tokens = BATCH * STEPS
    cases: list[tuple[str, str, str, float, Callable[[], Callable[[], None]]]] = [
        (f"sgemm n={n}", "pytorch", "GFLOP/s", 2.0 * n ** 3, lambda n=n: sgemm_body(n)) for n in SGEMM_SIZES
    ]
    cases += [
        (MLP_CASE, "pytorch", "steps/s", 1.0, mlp_step_body),
        (LSTM_CASE, "pytorch", "tokens/s", float(tokens), lstm_core_ops_body),
        (LSTM_CASE, "pytorch-nn.LSTM", "tokens/s", float(tokens), lstm_nn_module_body),
    ]

    progress(f"pytorch {torch.__version__}, {torch.get_num_interop_threads()} inter-op thread(s)")
    for threads in arguments.threads:
        torch.set_num_threads(threads)
        for case, impl, metric, units, make in cases:
            if arguments.filter and arguments.filter not in case:
                continue
            progress(f"measuring {case} ({impl}, {threads} thread(s))")
            body = make()
            with torch.no_grad() if metric == "GFLOP/s" else torch.enable_grad():
                value = harness.rate(body, units)
            emit(case, impl, threads, metric, value / (1e9 if metric == "GFLOP/s" else 1.0))
            del body
    return 0


if __name__ == "__main__":
    sys.exit(main())
