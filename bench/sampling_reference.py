#!/usr/bin/env python3
"""numpy / scikit-learn reference for Benchmarks/SamplingBenchmarks.swift: the same workloads on the same data.

Prints one JSON line per case, like MontagueBenchmarks:

    {"case": "sample normal 1e6", "impl": "numpy", "threads": 1, "metric": "steps/s", "value": 4.1e7}

Cases (names must match SamplingBenchmarks.swift; sampler values are draws per second):

* ``sample normal 1e6``: ``rng.standard_normal(out=buffer)`` into a float64 buffer of 10^6.
* ``sample gamma(2.5) 1e6``: ``rng.standard_gamma(2.5, out=buffer)``.
* ``sample categorical k=100 1e6``: ``rng.choice(100, size=10**6, p=p)`` with p proportional to 1..100.
* ``mh random-walk 10-d gaussian``: a plain-Python/numpy random-walk Metropolis loop (informational).
* ``gmm em n=100000 d=10 k=8 full`` and ``… diag``: scikit-learn GaussianMixture EM iterations per second on the LCG data set
  (``em_data``, identical doubles to the Swift ``SamplingBenchmarks.emData``), measured as
  (fit time with max_iter=11 − fit time with max_iter=1) / 10 with tol=0, from the same start as the Swift case
  (means = first 8 points, identity covariances, equal weights).

Usage: ``sampling_reference.py [--threads N] [--filter TEXT] [--quick]``. Needs numpy and scikit-learn
(``python3 -m venv /tmp/venv-sampling && /tmp/venv-sampling/bin/pip install numpy scikit-learn``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
import warnings

from bench_harness import add_clock_argument, timer


TIMER = time.perf_counter


def rate(body, units: float, samples: int, minimum_seconds: float) -> float:
    body()
    rates = []
    for _ in range(samples):
        iterations = 0
        start = TIMER()
        while True:
            body()
            iterations += 1
            elapsed = TIMER() - start
            if elapsed >= minimum_seconds:
                break
        rates.append(units * iterations / elapsed)
    return statistics.median(rates)


def em_data(count: int = 100_000, dimension: int = 10, components: int = 8):
    import numpy as np

    state = 12345
    mask = (1 << 64) - 1
    out = np.empty((count, dimension))
    for i in range(count):
        c = i % components
        for j in range(dimension):
            state = (state * 6364136223846793005 + 1442695040888963407) & mask
            u1 = ((state >> 11) + 0.5) * 2.0**-53
            state = (state * 6364136223846793005 + 1442695040888963407) & mask
            u2 = ((state >> 11) + 0.5) * 2.0**-53
            out[i, j] = 3 * math.sin(1.7 * c + 0.9 * j) + math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--filter", default=None)
    parser.add_argument("--quick", action="store_true")
    add_clock_argument(parser)
    args = parser.parse_args()
    global TIMER
    TIMER = timer(args.clock)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import numpy as np

    samples, seconds = (3, 0.2) if args.quick else (7, 1.0)
    rng = np.random.default_rng(0)
    buffer = np.empty(10**6)
    p = np.arange(1, 101, dtype=float)
    p /= p.sum()

    def mh_body():
        x = np.zeros(10)
        log_p = -0.5 * x @ x
        noise = rng.standard_normal((10_000, 10)) * 0.75
        uniforms = np.log(rng.random(10_000))
        for step in range(10_000):
            candidate = x + noise[step]
            candidate_log_p = -0.5 * candidate @ candidate
            if uniforms[step] < candidate_log_p - log_p:
                x, log_p = candidate, candidate_log_p

    cases = [
        ("sample normal 1e6", lambda: rng.standard_normal(out=buffer), 1e6),
        ("sample gamma(2.5) 1e6", lambda: rng.standard_gamma(2.5, out=buffer), 1e6),
        ("sample categorical k=100 1e6", lambda: rng.choice(100, size=10**6, p=p), 1e6),
        ("mh random-walk 10-d gaussian", mh_body, 1e4),
    ]
    for name, body, units in cases:
        if args.filter and args.filter not in name:
            continue
        value = rate(body, units, samples, seconds)
        print(json.dumps({"case": name, "impl": "numpy", "threads": args.threads, "metric": "steps/s", "value": value}))
        sys.stdout.flush()

    for covariance_type in ("full", "diag"):
        name = "gmm em n=100000 d=10 k=8 " + covariance_type
        if args.filter and args.filter not in name:
            continue
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.mixture import GaussianMixture

        data = em_data()
        precisions = np.array([np.eye(10)] * 8) if covariance_type == "full" else np.ones((8, 10))

        def fit_time(iterations: int) -> float:
            model = GaussianMixture(8, covariance_type=covariance_type, tol=0.0, max_iter=iterations,
                                    init_params="random_from_data", random_state=0,
                                    weights_init=np.full(8, 1 / 8), means_init=data[:8],
                                    precisions_init=precisions)
            start = TIMER()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(data)
            return TIMER() - start

        times = [(fit_time(11) - fit_time(1)) / 10 for _ in range(1 if args.quick else 3)]
        print(json.dumps({"case": name, "impl": "scikit-learn", "threads": args.threads, "metric": "steps/s",
                          "value": 1 / statistics.median(times)}))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
