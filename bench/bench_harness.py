"""The timing harness the Python reference benchmarks share (PyTorch, JAX, SeqGAN): warm-up, samples calibrated to
a minimum length, median rate — the same procedure as Benchmarks/BenchmarkHarness.swift — on the wall clock or on
the process's CPU time (``--clock cpu``: every thread of the process, robust to a loaded machine)."""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable


def add_clock_argument(parser: argparse.ArgumentParser) -> None:
    """Adds ``--clock wall|cpu`` to a reference script's options."""
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="time samples on elapsed time (default) or on the process's CPU time (every thread)")


def timer(clock: str) -> Callable[[], float]:
    """The clock function for ``--clock``: ``time.perf_counter`` or ``time.process_time``."""
    return time.process_time if clock == "cpu" else time.perf_counter


class Harness:
    """Warm-up, calibrated samples, median rate."""

    def __init__(self, warm_up_seconds: float, minimum_sample_seconds: float, samples: int,
                 clock: str = "wall") -> None:
        self.warm_up_seconds = warm_up_seconds
        self.minimum_sample_seconds = minimum_sample_seconds
        self.samples = samples
        self.timer = timer(clock)

    @staticmethod
    def for_arguments(arguments: argparse.Namespace) -> "Harness":
        """The default or ``--quick`` harness on the clock ``--clock`` chose (wall if the script has no option)."""
        clock = getattr(arguments, "clock", "wall")
        return Harness(0.1, 0.05, 3, clock) if arguments.quick else Harness(0.5, 0.25, 7, clock)

    def rate(self, body: Callable[[], None], units_per_iteration: float) -> float:
        """Median of `units_per_iteration * iterations / seconds` over the samples."""
        calls, elapsed = 0, 0.0
        while calls < 2 or elapsed < self.warm_up_seconds:
            start = self.timer()
            body()
            elapsed += self.timer() - start
            calls += 1
        iterations = max(1, int(-(-self.minimum_sample_seconds // max(elapsed / calls, 1e-9))))
        rates = []
        for _ in range(self.samples):
            start = self.timer()
            for _ in range(iterations):
                body()
            rates.append(units_per_iteration * iterations / (self.timer() - start))
        return statistics.median(rates)
