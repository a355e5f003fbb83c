"""Gymnasium reference for Benchmarks/RLBenchmarks.swift: environment steps per second with random actions.

Same workloads and case names as the Swift side: CartPole-v1 stepped alone (reset at episode ends, through
gymnasium.make's wrappers as users run it), 16 copies in a SyncVectorEnv (auto-reset), and Acrobot-v1 alone.
Prints one JSON line per case, the format of MontagueBenchmarks, so bench/compare.py can merge both outputs.

    python3 bench/rl_reference.py [--steps 100000] [--repeats 3]
"""
import argparse
import json
import time

import gymnasium as gym
import numpy as np


def single(name, steps, rng):
    env = gym.make(name)
    env.reset(seed=1)
    n = env.action_space.n
    actions = rng.integers(0, n, size=steps)
    start = time.perf_counter()
    for a in actions:
        _, _, terminated, truncated, _ = env.step(int(a))
        if terminated or truncated:
            env.reset()
    return steps / (time.perf_counter() - start)


def vector(steps, copies, rng):
    env = gym.vector.SyncVectorEnv([lambda: gym.make("CartPole-v1") for _ in range(copies)])
    env.reset(seed=1)
    batches = steps // copies
    actions = rng.integers(0, 2, size=(batches, copies))
    start = time.perf_counter()
    for row in actions:
        env.step(row)
    return batches * copies / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    cases = [
        ("cartpole-v1 step x1", lambda: single("CartPole-v1", args.steps, rng)),
        ("cartpole-v1 step x16 vector", lambda: vector(args.steps, 16, rng)),
        ("acrobot-v1 step x1", lambda: single("Acrobot-v1", args.steps, rng)),
    ]
    for name, run in cases:
        best = max(run() for _ in range(args.repeats))
        print(json.dumps({"case": name, "impl": "gymnasium " + gym.__version__, "threads": 1,
                          "metric": "steps/s", "value": round(best, 3)}))


if __name__ == "__main__":
    main()
