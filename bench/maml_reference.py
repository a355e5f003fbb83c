#!/usr/bin/env python3
"""Reference for Benchmarks/MetaLearningBenchmarks.swift: one second-order MAML meta-step on the sinusoid tasks.

Case ``maml2 sinusoid mlp 1-40-40-1 relu tasks25 k10 q10 inner1 adam`` (Finn et al. 2017's sinusoid setting): a
meta-batch of 25 tasks, each with K = 10 support and 10 query points; an MLP 1-40-40-1 with ReLU; one inner SGD
step with alpha = 0.01 taken with create_graph (the exact second-order meta-gradient); mean query MSE over the
tasks; Adam with learning rate 1e-3 on the initialization. Metric: meta-steps/s.

Implementations: ``pytorch`` (eager: a Python loop over the tasks, torch.autograd.grad with create_graph=True),
``pytorch-vmap`` (torch.func.grad inside torch.func.vmap over the tasks, then torch.func.grad of the mean query
loss), ``jax-jit`` (jax.grad of the vmapped MAML objective, jit-compiled; optax-free Adam written out).

Prints one JSON line per implementation: {"case": ..., "impl": ..., "threads": N, "metric": "steps/s", "value": ...}.
Usage: maml_reference.py [--threads N] [--filter TEXT] [--quick] [--clock wall|cpu] (timing: bench/bench_harness.py)
"""
import argparse
import json
import math
import os
import sys

from bench_harness import Harness, add_clock_argument

CASE = "maml2 sinusoid mlp 1-40-40-1 relu tasks25 k10 q10 inner1 adam"
TASKS, K, Q, ALPHA, LR = 25, 10, 10, 0.01, 1e-3


def tasks_numpy(rng):
    import numpy as np
    amplitude = rng.uniform(0.1, 5.0, size=(TASKS, 1, 1))
    phase = rng.uniform(0.0, math.pi, size=(TASKS, 1, 1))
    xs = rng.uniform(-5.0, 5.0, size=(TASKS, K + Q, 1))
    ys = amplitude * np.sin(xs - phase)
    return (xs[:, :K].astype("float32"), ys[:, :K].astype("float32"), xs[:, K:].astype("float32"),
            ys[:, K:].astype("float32"))


def measure(step, harness):
    """Median meta-steps per second (bench/bench_harness.py: warm-up, calibrated samples, wall or CPU clock)."""
    return harness.rate(step, 1)


def torch_cases(threads, harness, batch):
    import torch
    from torch.func import functional_call, grad, vmap
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(1, 40), torch.nn.ReLU(), torch.nn.Linear(40, 40), torch.nn.ReLU(),
                              torch.nn.Linear(40, 1))
    params = dict(net.named_parameters())
    xs, ys, xq, yq = (torch.from_numpy(a) for a in batch)
    optimizer = torch.optim.Adam(net.parameters(), lr=LR)

    def loss(p, x, y):
        return torch.mean((functional_call(net, p, (x,)) - y) ** 2)

    def loop_step():
        optimizer.zero_grad()
        total = 0.0
        for t in range(TASKS):
            names = list(params)
            grads = torch.autograd.grad(loss(params, xs[t], ys[t]), [params[n] for n in names], create_graph=True)
            adapted = {n: params[n] - ALPHA * g for n, g in zip(names, grads)}
            total = total + loss(adapted, xq[t], yq[t])
        (total / TASKS).backward()
        optimizer.step()

    def task_loss(p, x_s, y_s, x_q, y_q):
        g = grad(loss)(p, x_s, y_s)
        return loss({n: p[n] - ALPHA * g[n] for n in p}, x_q, y_q)

    def meta_loss(p):
        return vmap(task_loss, in_dims=(None, 0, 0, 0, 0))(p, xs, ys, xq, yq).mean()

    def vmap_step():
        detached = {n: v.detach() for n, v in params.items()}
        g = grad(meta_loss)(detached)
        for n, v in params.items():
            v.grad = g[n]
        optimizer.step()

    yield "pytorch", measure(loop_step, harness)
    yield "pytorch-vmap", measure(vmap_step, harness)


def jax_case(threads, harness, batch):
    os.environ.setdefault("XLA_FLAGS", f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'}")
    import jax
    import jax.numpy as jnp
    key = jax.random.PRNGKey(0)
    sizes = [1, 40, 40, 1]
    params = []
    for i in range(3):
        key, k1, k2 = jax.random.split(key, 3)
        bound = 1 / math.sqrt(sizes[i])
        params.append((jax.random.uniform(k1, (sizes[i], sizes[i + 1]), minval=-bound, maxval=bound),
                       jax.random.uniform(k2, (sizes[i + 1],), minval=-bound, maxval=bound)))

    def forward(p, x):
        for i, (w, b) in enumerate(p):
            x = x @ w + b
            if i < len(p) - 1:
                x = jax.nn.relu(x)
        return x

    def loss(p, x, y):
        return jnp.mean((forward(p, x) - y) ** 2)

    def task_loss(p, x_s, y_s, x_q, y_q):
        g = jax.grad(loss)(p, x_s, y_s)
        return loss(jax.tree_util.tree_map(lambda a, b: a - ALPHA * b, p, g), x_q, y_q)

    def meta_loss(p, xs, ys, xq, yq):
        return jnp.mean(jax.vmap(task_loss, in_axes=(None, 0, 0, 0, 0))(p, xs, ys, xq, yq))

    @jax.jit
    def step(p, m, v, t, xs, ys, xq, yq):
        g = jax.grad(meta_loss)(p, xs, ys, xq, yq)
        m = jax.tree_util.tree_map(lambda a, b: 0.9 * a + 0.1 * b, m, g)
        v = jax.tree_util.tree_map(lambda a, b: 0.999 * a + 0.001 * b * b, v, g)
        scale = LR * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        p = jax.tree_util.tree_map(lambda a, b, c: a - scale * b / (jnp.sqrt(c) + 1e-8), p, m, v)
        return p, m, v

    state = {"p": params, "m": jax.tree_util.tree_map(jnp.zeros_like, params),
             "v": jax.tree_util.tree_map(jnp.zeros_like, params), "t": 0}
    arrays = [jnp.asarray(a) for a in batch]

    def run():
        state["t"] += 1
        state["p"], state["m"], state["v"] = step(state["p"], state["m"], state["v"], state["t"], *arrays)
        jax.block_until_ready(state["p"])

    yield "jax-jit", measure(run, harness)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--filter", default=None, help="measure only if the case name contains TEXT")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples")
    add_clock_argument(parser)
    args = parser.parse_args()
    if args.filter is not None and args.filter not in CASE:
        return
    harness = Harness.for_arguments(args)
    import numpy as np
    batch = tasks_numpy(np.random.default_rng(0))
    for impl, value in list(torch_cases(args.threads, harness, batch)) + list(
            jax_case(args.threads, harness, batch)):
        print(json.dumps({"case": CASE, "impl": impl, "threads": args.threads, "metric": "steps/s",
                          "value": round(value, 2)}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
