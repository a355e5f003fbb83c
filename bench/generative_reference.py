#!/usr/bin/env python3
"""PyTorch and JAX (CPU) references for Benchmarks/GenerativeBenchmarks.swift: the same two training steps.

Prints one JSON line per measurement on stdout, as MontagueBenchmarks does:

    {"case": "vae step 64-128-8 bernoulli b128 adam", "impl": "jax-jit", "threads": 1, "metric": "steps/s", ...}

Cases (names must match Benchmarks/GenerativeBenchmarks.swift):

* ``wgan-gp step g8-256-256-2 d2-256-256-1 b256 adam``: one critic update with the two-sided gradient penalty
  (lambda 10, on interpolates of real and generated points, a gradient of a gradient) and one generator update.
  G: Linear(8, 256) ReLU Linear(256, 256) ReLU Linear(256, 2); D: Linear(2, 256) LeakyReLU(0.2) Linear(256, 256)
  LeakyReLU(0.2) Linear(256, 1); batch 256 drawn from 10,000 fixed points; Adam(lr 1e-4, betas 0.5/0.9) for both.
* ``vae step 64-128-8 bernoulli b128 adam``: encoder Linear(64, 128) ReLU Linear(128, 16) (mean, log-variance of 8
  latents), one reparameterized sample, decoder Linear(8, 128) ReLU Linear(128, 64) with Bernoulli logits (sum of
  binary cross-entropy with logits per example), analytic KL to N(0, I), mean over a batch of 128 drawn from 1,797
  fixed uniform vectors, Adam(lr 1e-3).

impl ``pytorch`` (eager) and ``jax-jit`` (the whole step under ``jax.jit``, optax Adam; ``--impl jax`` selects it). JAX's thread count is fixed
when XLA starts, so each JAX measurement runs in a child process with
``XLA_FLAGS=--xla_cpu_multi_thread_eigen=<threads > 1> intra_op_parallelism_threads=<threads>``.

Usage: ``generative_reference.py [--threads 1 2] [--filter TEXT] [--quick] [--clock wall|cpu] [--impl pytorch jax]
[--cpu-steps N]``; samples are timed as in bench/bench_harness.py (``--clock cpu``: process CPU time);
with ``--cpu-steps N`` each case runs N steps after a warm-up and reports steps per second of process CPU time
(metric ``steps/cpu-s``) instead of the wall-clock median.

``generative_reference.py --digits-collapse DIGITS.csv.gz [--batch-norm] [--seed S]`` is not a benchmark but the
PyTorch replica of ``montague train gan --data digits:... --method nsgan --noise 32 --batch-size 64 --lr 2e-4
--steps 3000`` (MLP G 32-128-128-128-64 with a sigmoid output, optionally batch-normalized hidden layers; LeakyReLU
D 64-128-128-128-1; Adam, betas 0.5/0.999): it prints one JSON line with the classes covered by 2,000 samples (a
class counts at 2% of them), their class histogram and its KL divergence from the uniform one, the classes predicted
by a logistic regression fitted to the digits.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Callable

from bench_harness import Harness, add_clock_argument

WGAN_CASE = "wgan-gp step g8-256-256-2 d2-256-256-1 b256 adam"
VAE_CASE = "vae step 64-128-8 bernoulli b128 adam"


def cpu_rate(body: Callable[[], None], steps: int) -> float:
    """Steps per second of process CPU time (every thread of the process), after a warm-up of 20 steps.

    On a machine shared with other jobs the wall clock measures the scheduler more than the code; process CPU
    time is what MontagueBenchmarks' untimed ``--iterations N`` runs give under ``/usr/bin/time`` (docs/benchmarks.md
    describes the differencing)."""
    for _ in range(20):
        body()
    start = time.process_time()
    for _ in range(steps):
        body()
    return steps / (time.process_time() - start)


def emit(case: str, impl: str, threads: int, value: float, metric: str = "steps/s") -> None:
    print(json.dumps({"case": case, "impl": impl, "threads": threads, "metric": metric,
                      "value": round(value, 3)}), flush=True)


def measure(case: str, impl: str, threads: int, body: Callable[[], None], arguments) -> None:
    if arguments.cpu_steps:
        emit(case, impl, threads, cpu_rate(body, arguments.cpu_steps), "steps/cpu-s")
    else:
        emit(case, impl, threads, Harness.for_arguments(arguments).rate(body, 1))


def ring8(count: int, generator) -> "list":
    import math
    import numpy as np
    modes = np.array([[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)])
    return (modes[generator.integers(0, 8, count)] + 0.01 * generator.standard_normal((count, 2))).astype("float32")


# MARK: - PyTorch

def torch_bodies() -> dict[str, Callable[[], Callable[[], None]]]:
    import numpy as np
    import torch
    import torch.nn as nn

    def wgan() -> Callable[[], None]:
        torch.manual_seed(0)
        data = torch.from_numpy(ring8(10_000, np.random.default_rng(0)))
        g = nn.Sequential(nn.Linear(8, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 2))
        d = nn.Sequential(nn.Linear(2, 256), nn.LeakyReLU(0.2), nn.Linear(256, 256), nn.LeakyReLU(0.2),
                          nn.Linear(256, 1))
        g_opt = torch.optim.Adam(g.parameters(), lr=1e-4, betas=(0.5, 0.9))
        d_opt = torch.optim.Adam(d.parameters(), lr=1e-4, betas=(0.5, 0.9))

        def step() -> None:
            real = data[torch.randint(0, data.shape[0], (256,))]
            with torch.no_grad():
                fake = g(torch.randn(256, 8))
            mix = torch.rand(256, 1)
            points = (mix * real + (1 - mix) * fake).requires_grad_(True)
            slopes, = torch.autograd.grad(d(points).sum(), points, create_graph=True)
            penalty = 10 * ((slopes.square().sum(1) + 1e-12).sqrt() - 1).square().mean()
            d_loss = d(fake).mean() - d(real).mean() + penalty
            d_opt.zero_grad(set_to_none=True)
            d_loss.backward()
            d_opt.step()
            g_loss = -d(g(torch.randn(256, 8))).mean()
            g_opt.zero_grad(set_to_none=True)
            g_loss.backward()
            g_opt.step()
        return step

    def vae() -> Callable[[], None]:
        torch.manual_seed(0)
        data = torch.rand(1797, 64)
        encoder = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 16))
        decoder = nn.Sequential(nn.Linear(8, 128), nn.ReLU(), nn.Linear(128, 64))
        optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3)

        def step() -> None:
            x = data[torch.randint(0, data.shape[0], (128,))]
            mean, log_variance = encoder(x).chunk(2, dim=1)
            z = mean + (0.5 * log_variance).exp() * torch.randn_like(mean)
            reconstruction = nn.functional.binary_cross_entropy_with_logits(decoder(z), x, reduction="none").sum(1)
            kl = -0.5 * (1 + log_variance - mean.square() - log_variance.exp()).sum(1)
            loss = (reconstruction + kl).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        return step

    return {WGAN_CASE: wgan, VAE_CASE: vae}


# MARK: - JAX

def jax_bodies() -> dict[str, Callable[[], Callable[[], None]]]:
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    def linear(key, fan_in: int, fan_out: int):
        bound = 1 / fan_in ** 0.5
        k1, k2 = jax.random.split(key)
        return (jax.random.uniform(k1, (fan_in, fan_out), minval=-bound, maxval=bound),
                jax.random.uniform(k2, (fan_out,), minval=-bound, maxval=bound))

    def mlp(params, x, activation):
        for index, (w, b) in enumerate(params):
            x = x @ w + b
            if index < len(params) - 1:
                x = activation(x)
        return x

    def wgan() -> Callable[[], None]:
        keys = jax.random.split(jax.random.PRNGKey(0), 7)
        data = jnp.asarray(ring8(10_000, np.random.default_rng(0)))
        g = [linear(keys[0], 8, 256), linear(keys[1], 256, 256), linear(keys[2], 256, 2)]
        d = [linear(keys[3], 2, 256), linear(keys[4], 256, 256), linear(keys[5], 256, 1)]
        optimizer = optax.adam(1e-4, b1=0.5, b2=0.9)
        leaky = lambda x: jax.nn.leaky_relu(x, 0.2)
        critic = lambda p, x: mlp(p, x, leaky)
        generate = lambda p, z: mlp(p, z, jax.nn.relu)

        def d_loss(dp, gp, real, z, mix):
            fake = jax.lax.stop_gradient(generate(gp, z))
            points = mix * real + (1 - mix) * fake
            slopes = jax.grad(lambda x: critic(dp, x).sum())(points)
            penalty = 10 * jnp.mean((jnp.sqrt(jnp.sum(slopes ** 2, axis=1) + 1e-12) - 1) ** 2)
            return critic(dp, fake).mean() - critic(dp, real).mean() + penalty

        def g_loss(gp, dp, z):
            return -critic(dp, generate(gp, z)).mean()

        @jax.jit
        def step(state, key):
            dp, gp, d_state, g_state = state
            k1, k2, k3, k4 = jax.random.split(key, 4)
            real = data[jax.random.randint(k1, (256,), 0, data.shape[0])]
            grads = jax.grad(d_loss)(dp, gp, real, jax.random.normal(k2, (256, 8)), jax.random.uniform(k3, (256, 1)))
            updates, d_state = optimizer.update(grads, d_state)
            dp = optax.apply_updates(dp, updates)
            grads = jax.grad(g_loss)(gp, dp, jax.random.normal(k4, (256, 8)))
            updates, g_state = optimizer.update(grads, g_state)
            gp = optax.apply_updates(gp, updates)
            return (dp, gp, d_state, g_state)

        holder = {"state": (d, g, optimizer.init(d), optimizer.init(g)), "key": keys[6]}

        def body() -> None:
            holder["key"], key = jax.random.split(holder["key"])
            holder["state"] = step(holder["state"], key)
            jax.block_until_ready(holder["state"])
        return body

    def vae() -> Callable[[], None]:
        keys = jax.random.split(jax.random.PRNGKey(0), 6)
        data = jax.random.uniform(keys[0], (1797, 64))
        params = ([linear(keys[1], 64, 128), linear(keys[2], 128, 16)],
                  [linear(keys[3], 8, 128), linear(keys[4], 128, 64)])
        optimizer = optax.adam(1e-3)

        def loss(params, x, noise):
            encoder, decoder = params
            out = mlp(encoder, x, jax.nn.relu)
            mean, log_variance = out[:, :8], out[:, 8:]
            z = mean + jnp.exp(0.5 * log_variance) * noise
            logits = mlp(decoder, z, jax.nn.relu)
            reconstruction = jnp.sum(optax.sigmoid_binary_cross_entropy(logits, x), axis=1)
            kl = -0.5 * jnp.sum(1 + log_variance - mean ** 2 - jnp.exp(log_variance), axis=1)
            return jnp.mean(reconstruction + kl)

        @jax.jit
        def step(state, key):
            params, opt_state = state
            k1, k2 = jax.random.split(key)
            x = data[jax.random.randint(k1, (128,), 0, data.shape[0])]
            grads = jax.grad(loss)(params, x, jax.random.normal(k2, (128, 8)))
            updates, opt_state = optimizer.update(grads, opt_state)
            return (optax.apply_updates(params, updates), opt_state)

        holder = {"state": (params, optimizer.init(params)), "key": keys[5]}

        def body() -> None:
            holder["key"], key = jax.random.split(holder["key"])
            holder["state"] = step(holder["state"], key)
            jax.block_until_ready(holder["state"])
        return body

    return {WGAN_CASE: wgan, VAE_CASE: vae}


def digits_collapse(path: str, batch_norm: bool, seed: int, steps: int = 3000) -> dict:
    """The non-saturating GAN on the UCI digits with or without batch norm in G; class coverage of its samples."""
    import gzip
    import numpy as np
    import torch
    from torch import nn
    from sklearn.linear_model import LogisticRegression

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    table = np.loadtxt(gzip.open(path), delimiter=",")
    images = torch.tensor(table[:, :64] / 16, dtype=torch.float32)
    classifier = LogisticRegression(max_iter=2000).fit(images.numpy(), table[:, 64].astype(int))

    def network(sizes, activation, normalize):
        layers = []
        for index in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[index], sizes[index + 1]))
            if index < len(sizes) - 2:
                layers += ([nn.BatchNorm1d(sizes[index + 1])] if normalize else []) + [activation()]
        return nn.Sequential(*layers)

    generator = network([32, 128, 128, 128, 64], nn.ReLU, batch_norm)
    critic = network([64, 128, 128, 128, 1], lambda: nn.LeakyReLU(0.2), False)
    adam = lambda module: torch.optim.Adam(module.parameters(), lr=2e-4, betas=(0.5, 0.999))
    generator_optimizer, critic_optimizer = adam(generator), adam(critic)
    softplus = torch.nn.functional.softplus
    start = time.process_time()
    for _ in range(steps):
        real = images[torch.randint(0, len(images), (64,))]
        fake = torch.sigmoid(generator(torch.randn(64, 32))).detach()
        loss = softplus(-critic(real)).mean() + softplus(critic(fake)).mean()
        critic_optimizer.zero_grad()
        loss.backward()
        critic_optimizer.step()
        loss = softplus(-critic(torch.sigmoid(generator(torch.randn(64, 32))))).mean()
        generator_optimizer.zero_grad()
        loss.backward()
        generator_optimizer.step()
    generator.eval()
    with torch.no_grad():
        samples = torch.sigmoid(generator(torch.randn(2000, 32))).numpy()
    counts = np.bincount(classifier.predict(samples), minlength=10)
    share = counts / counts.sum()
    return {
        "batch_norm": batch_norm, "seed": seed, "classes_covered": int((counts >= 0.02 * counts.sum()).sum()),
        "class_kl": float(sum(q * np.log(10 * q) for q in share if q > 0)), "counts": counts.tolist(),
        "cpu_seconds": round(time.process_time() - start, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--filter", default=None)
    parser.add_argument("--quick", action="store_true")
    add_clock_argument(parser)
    parser.add_argument("--impl", nargs="+", default=["pytorch", "jax"], choices=["pytorch", "jax"])
    parser.add_argument("--cpu-steps", type=int, default=0, help="report steps per CPU second over N steps")
    parser.add_argument("--jax-child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--digits-collapse", metavar="DIGITS_CSV", default=None, help="the digits GAN replica")
    parser.add_argument("--batch-norm", action="store_true", help="with --digits-collapse: batch norm in G")
    parser.add_argument("--seed", type=int, default=0, help="with --digits-collapse")
    arguments = parser.parse_args()
    if arguments.digits_collapse:
        print(json.dumps(digits_collapse(arguments.digits_collapse, arguments.batch_norm, arguments.seed)))
        return 0
    selected = lambda case: arguments.filter is None or arguments.filter in case

    if arguments.jax_child is not None:
        for case, make in jax_bodies().items():
            if selected(case):
                measure(case, "jax-jit", arguments.jax_child, make(), arguments)
        return 0

    for threads in arguments.threads:
        if "pytorch" in arguments.impl:
            import torch
            torch.set_num_threads(threads)
            for case, make in torch_bodies().items():
                if selected(case):
                    measure(case, "pytorch", threads, make(), arguments)
        if "jax" in arguments.impl:
            environment = dict(os.environ)
            environment["XLA_FLAGS"] = (f"--xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'} "
                                        f"intra_op_parallelism_threads={threads}")
            command = [sys.executable, __file__, "--jax-child", str(threads)]
            command += ["--quick"] if arguments.quick else []
            command += ["--clock", arguments.clock]
            command += ["--filter", arguments.filter] if arguments.filter else []
            command += ["--cpu-steps", str(arguments.cpu_steps)] if arguments.cpu_steps else []
            subprocess.run(command, env=environment, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
