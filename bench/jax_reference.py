#!/usr/bin/env python3
"""JAX (CPU, jit-compiled) reference for Montague's training-step benchmarks.

The same workloads as bench/pytorch_reference.py and Benchmarks/TrainingBenchmarks.swift, written the way a JAX
user writes them: parameters in a pytree, ``jax.value_and_grad`` of the loss, ``optax.adam`` (lr 1e-3, betas
0.9 / 0.999, eps 1e-8), the whole step (forward, backward, Adam update) under one ``jax.jit`` with the parameters
and optimizer state donated. Recurrences run under ``jax.lax.scan``.

* ``mlp 784-256-256-10 relu b128 adam``: 784-256-256-10 ReLU MLP (PyTorch's ``nn.Linear`` initialization), mean
  softmax cross-entropy over a fixed N(0, 1) batch of 128 with uniform labels. Metric: steps/s.
* ``lstm-lm v10000 e128 h256 b32 t35 adam``: embedding (N(0, 1) table), one LSTM layer in PyTorch's layout (gates
  i, f, g, o, two biases, the input projections of all 35 steps in one GEMM, zero initial state), a full-softmax
  output layer over the 10,000-word vocabulary, mean cross-entropy over 32 x 35 tokens. Metric: tokens/s.
* ``gru-seq2seq-dot v5000 e256 h256 b32 t20 adam``: GRU encoder (input projections in one GEMM) and a
  teacher-forced GRU decoder with unscaled dot attention and ``tanh(W_c [context; h])``, ``Linear(256, 5000)`` on
  the 32 x 20 attentional vectors, mean cross-entropy. Metric: target tokens/s (640 per step).

Threads: XLA's CPU client reads its thread settings once, when jax is first imported, so this script measures one
thread count per process. ``--threads 1`` sets ``XLA_FLAGS=--xla_cpu_multi_thread_eigen=false
intra_op_parallelism_threads=1``; any count N also restricts the process to N processors with
``os.sched_setaffinity`` (XLA sizes its thread pools from the processors it may run on), both before ``import jax``.

Timing: the scheme of bench/pytorch_reference.py (warm-up, calibrated samples, median rate); each call blocks until
the step's results are ready. Compilation happens in the warm-up and is not timed.

Usage: ``jax_reference.py --threads N [--filter TEXT] [--quick]``; run by ``make bench``. Prints one JSON line per
case with ``"impl": "jax-jit"``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable

from bench_harness import Harness, add_clock_argument

MLP_CASE = "mlp 784-256-256-10 relu b128 adam"
LSTM_CASE = "lstm-lm v10000 e128 h256 b32 t35 adam"
SEQ2SEQ_CASE = "gru-seq2seq-dot v5000 e256 h256 b32 t20 adam"
IMPL = "jax-jit"

VOCABULARY, EMBEDDING, HIDDEN, BATCH, STEPS = 10_000, 128, 256, 32, 35
S2S_VOCABULARY, S2S_EMBEDDING, S2S_HIDDEN, S2S_BATCH, S2S_STEPS = 5_000, 256, 256, 32, 20


def limit_threads(threads: int) -> None:
    """Restrict XLA to `threads` processors; must run before jax is imported."""
    flags = os.environ.get("XLA_FLAGS", "")
    if threads == 1:
        flags += " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    os.environ["XLA_FLAGS"] = flags.strip()
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    if hasattr(os, "sched_setaffinity"):
        available = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, available[:threads])


def emit(case: str, threads: int, metric: str, value: float) -> None:
    print(json.dumps({"case": case, "impl": IMPL, "threads": threads, "metric": metric, "value": round(value, 3)}),
          flush=True)


def progress(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def make_cases() -> list[tuple[str, str, float, Callable[[], Callable[[], None]]]]:
    import jax
    import jax.numpy as jnp
    import optax

    def uniform(key: Any, shape: tuple[int, ...], bound: float) -> Any:
        return jax.random.uniform(key, shape, jnp.float32, -bound, bound)

    def linear(key: Any, fan_in: int, fan_out: int, bias: bool = True) -> dict[str, Any]:
        """PyTorch's nn.Linear initialization: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias."""
        weight_key, bias_key = jax.random.split(key)
        bound = fan_in ** -0.5
        layer = {"weight": uniform(weight_key, (fan_out, fan_in), bound)}
        if bias:
            layer["bias"] = uniform(bias_key, (fan_out,), bound)
        return layer

    def apply_linear(layer: dict[str, Any], x: Any) -> Any:
        y = x @ layer["weight"].T
        return y + layer["bias"] if "bias" in layer else y

    def cross_entropy(logits: Any, labels: Any) -> Any:
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    def compiled_step(loss: Callable[..., Any], params: Any, *data: Any) -> Callable[[], None]:
        """One jitted step: value_and_grad, Adam, parameters and state donated; `body` blocks on the result."""
        optimizer = optax.adam(1e-3, b1=0.9, b2=0.999, eps=1e-8)

        @jax.jit
        def step(params: Any, state: Any, *data: Any) -> tuple[Any, Any, Any]:
            value, grads = jax.value_and_grad(loss)(params, *data)
            updates, state = optimizer.update(grads, state, params)
            return optax.apply_updates(params, updates), state, value

        step = jax.jit(step.__wrapped__, donate_argnums=(0, 1))
        holder = {"params": params, "state": optimizer.init(params)}

        def body() -> None:
            holder["params"], holder["state"], value = step(holder["params"], holder["state"], *data)
            value.block_until_ready()

        return body

    # MLP
    def mlp_body() -> Callable[[], None]:
        keys = jax.random.split(jax.random.PRNGKey(0), 5)
        params = [linear(keys[0], 784, 256), linear(keys[1], 256, 256), linear(keys[2], 256, 10)]
        inputs = jax.random.normal(keys[3], (128, 784), jnp.float32)
        labels = jax.random.randint(keys[4], (128,), 0, 10)

        def loss(params: Any, x: Any, y: Any) -> Any:
            h = jax.nn.relu(apply_linear(params[0], x))
            h = jax.nn.relu(apply_linear(params[1], h))
            return cross_entropy(apply_linear(params[2], h), y)

        return compiled_step(loss, params, inputs, labels)

    # LSTM language model
    def lstm_body() -> Callable[[], None]:
        keys = jax.random.split(jax.random.PRNGKey(1), 8)
        bound = HIDDEN ** -0.5
        params = {
            "embedding": jax.random.normal(keys[0], (VOCABULARY, EMBEDDING), jnp.float32),
            "weight_ih": uniform(keys[1], (4 * HIDDEN, EMBEDDING), bound),
            "weight_hh": uniform(keys[2], (4 * HIDDEN, HIDDEN), bound),
            "bias_ih": uniform(keys[3], (4 * HIDDEN,), bound),
            "bias_hh": uniform(keys[4], (4 * HIDDEN,), bound),
            "output": linear(keys[5], HIDDEN, VOCABULARY),
        }
        tokens = jax.random.randint(keys[6], (STEPS + 1, BATCH), 0, VOCABULARY)
        inputs, targets = tokens[:-1], tokens[1:]

        def loss(params: Any, inputs: Any, targets: Any) -> Any:
            embedded = params["embedding"][inputs]  # [time, batch, embedding]
            projected = embedded @ params["weight_ih"].T + params["bias_ih"]  # one GEMM for all steps

            def cell(carry: tuple[Any, Any], x: Any) -> tuple[tuple[Any, Any], Any]:
                h, c = carry
                gates = x + h @ params["weight_hh"].T + params["bias_hh"]
                i, f, g, o = jnp.split(gates, 4, axis=1)
                c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
                h = jax.nn.sigmoid(o) * jnp.tanh(c)
                return (h, c), h

            zeros = jnp.zeros((BATCH, HIDDEN), jnp.float32)
            _, hidden = jax.lax.scan(cell, (zeros, zeros), projected)
            logits = apply_linear(params["output"], hidden.reshape(STEPS * BATCH, HIDDEN))
            return cross_entropy(logits, targets.reshape(-1))

        return compiled_step(loss, params, inputs, targets)

    # GRU seq2seq with dot attention
    def gru_weights(key: Any, input_size: int, hidden_size: int) -> dict[str, Any]:
        keys = jax.random.split(key, 4)
        bound = hidden_size ** -0.5
        return {
            "weight_ih": uniform(keys[0], (3 * hidden_size, input_size), bound),
            "weight_hh": uniform(keys[1], (3 * hidden_size, hidden_size), bound),
            "bias_ih": uniform(keys[2], (3 * hidden_size,), bound),
            "bias_hh": uniform(keys[3], (3 * hidden_size,), bound),
        }

    def gru_step(weights: dict[str, Any], projected: Any, h: Any) -> Any:
        """One GRU step from x W_ih^T + b_ih, PyTorch's gate order r, z, n."""
        x_r, x_z, x_n = jnp.split(projected, 3, axis=1)
        h_r, h_z, h_n = jnp.split(h @ weights["weight_hh"].T + weights["bias_hh"], 3, axis=1)
        r = jax.nn.sigmoid(x_r + h_r)
        z = jax.nn.sigmoid(x_z + h_z)
        n = jnp.tanh(x_n + r * h_n)
        return (1 - z) * n + z * h

    def seq2seq_body() -> Callable[[], None]:
        keys = jax.random.split(jax.random.PRNGKey(2), 8)
        e, h_size = S2S_EMBEDDING, S2S_HIDDEN
        params = {
            "source_embedding": jax.random.normal(keys[0], (S2S_VOCABULARY, e), jnp.float32),
            "target_embedding": jax.random.normal(keys[1], (S2S_VOCABULARY, e), jnp.float32),
            "encoder": gru_weights(keys[2], e, h_size),
            "decoder": gru_weights(keys[3], e, h_size),
            "combine": linear(keys[4], 2 * h_size, h_size, bias=False),
            "projection": linear(keys[5], h_size, S2S_VOCABULARY),
        }
        source = jax.random.randint(keys[6], (S2S_STEPS, S2S_BATCH), 0, S2S_VOCABULARY)
        target = jax.random.randint(keys[7], (S2S_STEPS + 1, S2S_BATCH), 0, S2S_VOCABULARY)
        decoder_inputs, labels = target[:-1], target[1:]

        def loss(params: Any, source: Any, decoder_inputs: Any, labels: Any) -> Any:
            encoder, decoder = params["encoder"], params["decoder"]
            projected = params["source_embedding"][source] @ encoder["weight_ih"].T + encoder["bias_ih"]

            def encode(h: Any, x: Any) -> tuple[Any, Any]:
                h = gru_step(encoder, x, h)
                return h, h

            final, outputs = jax.lax.scan(encode, jnp.zeros((S2S_BATCH, h_size), jnp.float32), projected)
            memory = outputs.transpose(1, 0, 2)  # [batch, source steps, hidden]
            embedded = params["target_embedding"][decoder_inputs]

            def decode(h: Any, x: Any) -> tuple[Any, Any]:
                h = gru_step(decoder, x @ decoder["weight_ih"].T + decoder["bias_ih"], h)
                weights = jax.nn.softmax(jnp.einsum("bh,bsh->bs", h, memory), axis=-1)
                context = jnp.einsum("bs,bsh->bh", weights, memory)
                attentional = jnp.tanh(apply_linear(params["combine"], jnp.concatenate([context, h], axis=1)))
                return h, attentional

            _, attentional = jax.lax.scan(decode, final, embedded)
            logits = apply_linear(params["projection"], attentional.reshape(S2S_STEPS * S2S_BATCH, h_size))
            return cross_entropy(logits, labels.reshape(-1))

        return compiled_step(loss, params, source, decoder_inputs, labels)

    return [
        (MLP_CASE, "steps/s", 1.0, mlp_body),
        (LSTM_CASE, "tokens/s", float(BATCH * STEPS), lstm_body),
        (SEQ2SEQ_CASE, "tokens/s", float(S2S_BATCH * S2S_STEPS), seq2seq_body),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="processors XLA may use (default: 1)")
    parser.add_argument("--filter", default=None, help="run only cases whose name contains this text")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples (development only)")
    add_clock_argument(parser)
    arguments = parser.parse_args()
    if arguments.threads < 1:
        parser.error("--threads needs a positive integer")

    limit_threads(arguments.threads)
    import jax

    harness = Harness.for_arguments(arguments)
    progress(f"jax {jax.__version__} on {jax.devices()[0].platform}, XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}, "
             f"{len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'} processor(s)")
    for case, metric, units, make in make_cases():
        if arguments.filter and arguments.filter not in case:
            continue
        progress(f"measuring {case} ({IMPL}, {arguments.threads} thread(s))")
        emit(case, arguments.threads, metric, harness.rate(make(), units))
    return 0


if __name__ == "__main__":
    sys.exit(main())
