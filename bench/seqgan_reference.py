#!/usr/bin/env python3
"""PyTorch and JAX references for SeqGAN's training steps in Benchmarks/TextGenerationBenchmarks.swift.

SeqGAN (Yu et al. 2017) at its synthetic-data sizes, the same computation on every side:

* generator: embedding 5,000 x 32, one LSTM layer (32 -> 32, PyTorch's layout, gates i, f, g, o, two biases),
  ``Linear(32, 5000)``; batch 64 of 20 tokens, start token 0; Adam (lr 0.01) after a global-norm clip of 5.
* discriminator: SeqGAN's CNN (embedding 5,000 x 64; convolutions of widths 1-10, 15, 20 with 25, 50, 50, 50, 50,
  25, 25, 25, 25, 25, 40, 40 filters -- the published counts x 0.25, the trainer's default; ReLU, max over time;
  one highway layer with ReLU transform and gate bias 1; dropout 0.25 in training; ``Linear(430, 2)``), Adam
  (lr 1e-4), no clip.

Cases (names must match the Swift file):

* ``seqgan-generator-step v5000 e32 h32 b64 t20 reinforce``: sample 64 x 20 tokens token by token from the full
  softmax (no gradients), score them teacher-forced, REINFORCE loss ``-mean(log p(y_t) * Q_t)`` with fixed rewards,
  clip, Adam. tokens/s (1,280 per step).
* ``seqgan-mle-step v5000 e32 h32 b64 t20 adam``: teacher-forced mean cross-entropy of 64 fixed sequences
  (``0 x_1..x_20``), clip, Adam. tokens/s.
* ``seqgan-pg-step v5000 e32 h32 b64 t20 rollout16 d430``: sample 64 x 20; per-token rewards by 16 Monte Carlo
  rollouts of a second LSTM (the rollout network): for every rollout and every prefix length t < 20 the prefix is
  fed and the rest sampled (the prefix advanced incrementally, 191 LSTM steps of batch 64 per rollout, each with the
  full softmax); the 19,456 completions scored by the discriminator (no dropout) in batches of 512, the reward of
  the last token being the discriminator's score of the sample itself; REINFORCE without baseline, clip, Adam.
  steps/s.
* ``seqgan-discriminator-step v5000 e64 f430 b64 t20 adam``: one discriminator update on 64 fixed sequences (32
  real, 32 generated), dropout 0.25, mean cross-entropy, Adam. steps/s.

Implementations: ``pytorch`` (eager; ``nn.LSTM``, ``torch.multinomial``), ``pytorch-compile`` (the MLE and
discriminator steps with the loss and the optimizer's step through ``torch.compile``; the sampling steps are
Python loops over data-dependent draws and are not compiled), ``jax-jit`` (the whole step -- sampling by the
inverse CDF of the softmax with one uniform per row, as Montague does (``jax.random.categorical`` draws a Gumbel
variate per vocabulary entry, 5,000 per token, which dominated the step), rollouts under ``jax.lax.scan``, loss,
gradients, ``optax`` clip + Adam -- under one ``jax.jit``). The arithmetic (LSTM steps, softmaxes, convolutions,
GEMMs) is the same on every side.

Threads: one count per process, ``--threads N``: ``torch.set_num_threads(N)``; for JAX the XLA flags and CPU
affinity of bench/jax_reference.py, set before jax is imported.

    OMP_NUM_THREADS=1 python bench/seqgan_reference.py --threads 1 [--impl pytorch jax-jit] [--filter mle]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable

from bench_harness import Harness, add_clock_argument

GENERATOR_CASE = "seqgan-generator-step v5000 e32 h32 b64 t20 reinforce"
MLE_CASE = "seqgan-mle-step v5000 e32 h32 b64 t20 adam"
PG_CASE = "seqgan-pg-step v5000 e32 h32 b64 t20 rollout16 d430"
DISCRIMINATOR_CASE = "seqgan-discriminator-step v5000 e64 f430 b64 t20 adam"

VOCABULARY, SIZE, BATCH, LENGTH, ROLLOUTS = 5_000, 32, 64, 20, 16
D_EMBEDDING = 64
D_WIDTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20]
D_COUNTS = [25, 50, 50, 50, 50, 25, 25, 25, 25, 25, 40, 40]
D_FEATURES = sum(D_COUNTS)
D_CHUNK = 512

IMPLEMENTATIONS = ("pytorch", "pytorch-compile", "jax-jit")


def emit(case: str, impl: str, threads: int, metric: str, value: float) -> None:
    print(json.dumps({"case": case, "impl": impl, "threads": threads, "metric": metric, "value": round(value, 3)}),
          flush=True)


def progress(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def limit_jax_threads(threads: int) -> None:
    """XLA's thread flags and CPU affinity for `threads` (as bench/jax_reference.py); before jax is imported."""
    flags = os.environ.get("XLA_FLAGS", "")
    if threads == 1:
        flags += " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    os.environ["XLA_FLAGS"] = flags.strip()
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:threads])


Case = tuple[str, str, float, Callable[[], Callable[[], None]]]


def run(description: str, names: list[str], torch_cases: Callable[[bool], list[Case]],
        jax_cases: Callable[[], list[Case]]) -> int:
    """The command line shared by the text-generation references: measures the selected cases (of `names`) and
    prints JSON lines; imports neither torch nor jax when ``--filter`` selects none of them."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", type=int, default=1, help="threads on every side (default: 1)")
    parser.add_argument("--filter", default=None, help="run only cases whose name contains this text")
    parser.add_argument("--impl", nargs="+", choices=IMPLEMENTATIONS, default=list(IMPLEMENTATIONS))
    parser.add_argument("--no-compile", action="store_true", help="skip the pytorch-compile rows")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples (development only)")
    parser.add_argument("--once", action="store_true",
                        help="two warm-up calls and one timed call (for steps of many seconds on a loaded machine)")
    add_clock_argument(parser)
    arguments = parser.parse_args()
    if arguments.threads < 1:
        parser.error("--threads needs a positive integer")
    implementations = [impl for impl in arguments.impl if not (arguments.no_compile and impl == "pytorch-compile")]
    if arguments.filter is not None and not any(arguments.filter in name for name in names):
        return 0
    if "jax-jit" in implementations:
        limit_jax_threads(arguments.threads)
    harness = Harness.for_arguments(arguments)
    if arguments.once:
        harness = Harness(0.0, 0.0, 1, arguments.clock)
    selected = lambda case: arguments.filter is None or arguments.filter in case  # noqa: E731
    if any(impl.startswith("pytorch") for impl in implementations):
        import torch
        torch.set_num_threads(arguments.threads)
        for impl in ("pytorch", "pytorch-compile"):
            if impl not in implementations:
                continue
            for case, metric, units, make in torch_cases(impl == "pytorch-compile"):
                if not selected(case):
                    continue
                progress(f"measuring {case} ({impl}, {arguments.threads} thread(s))")
                try:
                    emit(case, impl, arguments.threads, metric, harness.rate(make(), units))
                except Exception as error:  # a compile failure must not hide the other rows
                    progress(f"{impl} failed on {case}: {type(error).__name__}: {error}")
    if "jax-jit" in implementations:
        for case, metric, units, make in jax_cases():
            if not selected(case):
                continue
            progress(f"measuring {case} (jax-jit, {arguments.threads} thread(s))")
            emit(case, "jax-jit", arguments.threads, metric, harness.rate(make(), units))
    return 0


# MARK: - PyTorch

def torch_cases(compile_model: bool) -> list[Case]:
    import torch
    import torch.nn.functional as F

    def compiled(function: Callable[..., Any]) -> Callable[..., Any]:
        return torch.compile(function, dynamic=False) if compile_model else function

    def compiled_step(optimizer: torch.optim.Optimizer) -> Callable[[], None]:
        if not compile_model:
            return optimizer.step

        @torch.compile(fullgraph=False)
        def step() -> None:
            optimizer.step()

        return step

    class Generator(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = torch.nn.Embedding(VOCABULARY, SIZE)
            self.lstm = torch.nn.LSTM(SIZE, SIZE)
            self.output = torch.nn.Linear(SIZE, VOCABULARY)

        def forward(self, tokens: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
            hidden, state = self.lstm(self.embedding(tokens), state)
            return self.output(hidden), state

    class Discriminator(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = torch.nn.Embedding(VOCABULARY, D_EMBEDDING)
            self.convolutions = torch.nn.ModuleList(
                torch.nn.Conv1d(D_EMBEDDING, count, width) for width, count in zip(D_WIDTHS, D_COUNTS))
            self.gate = torch.nn.Linear(D_FEATURES, D_FEATURES)
            torch.nn.init.constant_(self.gate.bias, 1.0)
            self.transform = torch.nn.Linear(D_FEATURES, D_FEATURES)
            self.output = torch.nn.Linear(D_FEATURES, 2)

        def forward(self, tokens: torch.Tensor) -> torch.Tensor:  # [N, L] -> [N, 2]
            x = self.embedding(tokens).transpose(1, 2)
            features = torch.cat([F.relu(conv(x)).amax(dim=2) for conv in self.convolutions], dim=1)
            gate = torch.sigmoid(self.gate(features))
            features = gate * features + (1 - gate) * F.relu(self.transform(features))
            return self.output(F.dropout(features, 0.25, self.training))

    def sample(model: Generator, count: int) -> torch.Tensor:
        """[LENGTH, count] tokens drawn from `model`, started by feeding token 0."""
        with torch.no_grad():
            logits, state = model(torch.zeros(1, count, dtype=torch.long))
            tokens = []
            for step in range(LENGTH):
                token = torch.multinomial(torch.softmax(logits[0], dim=-1), 1).T
                tokens.append(token)
                if step + 1 < LENGTH:
                    logits, state = model(token, state)
            return torch.cat(tokens, dim=0)

    def reinforce_loss(model: Generator, sequences: torch.Tensor, rewards: torch.Tensor) -> torch.Tensor:
        inputs = torch.cat([torch.zeros(1, sequences.shape[1], dtype=torch.long), sequences[:-1]], dim=0)
        logits, _ = model(inputs)
        log_probabilities = torch.log_softmax(logits, dim=-1).gather(2, sequences.unsqueeze(2)).squeeze(2)
        return -(log_probabilities * rewards).mean()

    def update(optimizer: torch.optim.Optimizer, model: torch.nn.Module, loss: torch.Tensor, clip: float,
               step: Callable[[], None]) -> None:
        optimizer.zero_grad()
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        step()

    def generator_step() -> Callable[[], None]:
        torch.manual_seed(0)
        model = Generator()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        rewards = torch.rand(LENGTH, BATCH)

        def body() -> None:
            update(optimizer, model, reinforce_loss(model, sample(model, BATCH), rewards), 5.0, optimizer.step)

        return body

    def mle_step() -> Callable[[], None]:
        torch.manual_seed(0)
        model = Generator()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        data = torch.cat([torch.zeros(1, BATCH, dtype=torch.long),
                          torch.randint(1, VOCABULARY, (LENGTH, BATCH))], dim=0)
        inputs, targets = data[:-1], data[1:]
        loss_of = compiled(lambda x, y: F.cross_entropy(model(x)[0].reshape(-1, VOCABULARY), y.reshape(-1)))
        step = compiled_step(optimizer)

        def body() -> None:
            update(optimizer, model, loss_of(inputs, targets), 5.0, step)

        return body

    def pg_step() -> Callable[[], None]:
        torch.manual_seed(0)
        model, rollout, critic = Generator(), Generator(), Discriminator()
        critic.eval()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

        def scores(sequences: torch.Tensor) -> torch.Tensor:  # [N, LENGTH] -> D(real) [N]
            return torch.cat([torch.softmax(critic(chunk), dim=-1)[:, 1] for chunk in sequences.split(D_CHUNK)])

        def token_rewards(samples: torch.Tensor) -> torch.Tensor:  # [LENGTH, B] -> [LENGTH, B]
            with torch.no_grad():
                completions = []
                for _ in range(ROLLOUTS):
                    logits, state = rollout(torch.zeros(1, BATCH, dtype=torch.long))
                    for t in range(LENGTH - 1):
                        logits, state = rollout(samples[t:t + 1], state)
                        tail_logits, tail_state, tail = logits, state, []
                        for k in range(LENGTH - 1 - t):
                            token = torch.multinomial(torch.softmax(tail_logits[0], dim=-1), 1).T
                            tail.append(token)
                            if k + 1 < LENGTH - 1 - t:
                                tail_logits, tail_state = rollout(token, tail_state)
                        completions.append(torch.cat([samples[:t + 1]] + tail, dim=0))
                rewards = scores(torch.cat(completions, dim=1).T).reshape(ROLLOUTS, LENGTH - 1, BATCH).mean(dim=0)
                return torch.cat([rewards, scores(samples.T).unsqueeze(0)], dim=0)

        def body() -> None:
            samples = sample(model, BATCH)
            update(optimizer, model, reinforce_loss(model, samples, token_rewards(samples)), 5.0, optimizer.step)

        return body

    def discriminator_step() -> Callable[[], None]:
        torch.manual_seed(0)
        model, critic = Generator(), Discriminator()
        optimizer = torch.optim.Adam(critic.parameters(), lr=1e-4)
        real = torch.randint(1, VOCABULARY, (BATCH // 2, LENGTH))
        tokens = torch.cat([real, sample(model, BATCH // 2).T], dim=0)
        labels = torch.cat([torch.ones(BATCH // 2, dtype=torch.long), torch.zeros(BATCH // 2, dtype=torch.long)])
        loss_of = compiled(lambda x, y: F.cross_entropy(critic(x), y))
        step = compiled_step(optimizer)

        def body() -> None:
            update(optimizer, critic, loss_of(tokens, labels), 0.0, step)

        return body

    cases: list[Case] = [
        (MLE_CASE, "tokens/s", float(BATCH * LENGTH), mle_step),
        (DISCRIMINATOR_CASE, "steps/s", 1.0, discriminator_step),
    ]
    if not compile_model:
        cases = [(GENERATOR_CASE, "tokens/s", float(BATCH * LENGTH), generator_step)] + cases[:1] + [
            (PG_CASE, "steps/s", 1.0, pg_step)] + cases[1:]
    return cases


# MARK: - JAX

def jax_common() -> dict[str, Any]:
    """Layers shared by the JAX references (PyTorch's initializations, LSTM in PyTorch's layout, jitted steps)."""
    import jax
    import jax.numpy as jnp
    import optax

    def uniform(key: Any, shape: tuple[int, ...], bound: float) -> Any:
        return jax.random.uniform(key, shape, jnp.float32, -bound, bound)

    def linear(key: Any, fan_in: int, fan_out: int) -> dict[str, Any]:
        weight_key, bias_key = jax.random.split(key)
        bound = fan_in ** -0.5
        return {"weight": uniform(weight_key, (fan_out, fan_in), bound), "bias": uniform(bias_key, (fan_out,), bound)}

    def apply_linear(layer: dict[str, Any], x: Any) -> Any:
        return x @ layer["weight"].T + layer["bias"]

    def lstm(key: Any, inputs: int, hidden: int) -> dict[str, Any]:
        keys = jax.random.split(key, 4)
        bound = hidden ** -0.5
        return {"weight_ih": uniform(keys[0], (4 * hidden, inputs), bound),
                "weight_hh": uniform(keys[1], (4 * hidden, hidden), bound),
                "bias_ih": uniform(keys[2], (4 * hidden,), bound), "bias_hh": uniform(keys[3], (4 * hidden,), bound)}

    def lstm_cell(layer: dict[str, Any], projected: Any, state: tuple[Any, Any]) -> tuple[Any, Any]:
        """One step from the projected input `x W_ih^T + b_ih`; gates i, f, g, o."""
        h, c = state
        gates = projected + h @ layer["weight_hh"].T + layer["bias_hh"]
        i, f, g, o = jnp.split(gates, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        return jax.nn.sigmoid(o) * jnp.tanh(c), c

    def lstm_sequence(layer: dict[str, Any], inputs: Any, state: tuple[Any, Any]) -> tuple[Any, tuple[Any, Any]]:
        """Outputs [T, B, H] of time-major inputs [T, B, E], the input projections in one GEMM."""
        projected = inputs @ layer["weight_ih"].T + layer["bias_ih"]

        def step(state: tuple[Any, Any], x: Any) -> tuple[tuple[Any, Any], Any]:
            state = lstm_cell(layer, x, state)
            return state, state[0]

        state, outputs = jax.lax.scan(step, state, projected)
        return outputs, state

    def cross_entropy(logits: Any, labels: Any) -> Any:
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    def jitted_step(loss: Callable[..., Any], params: Any, optimizer: Any, *data: Any,
                    with_key: bool = False) -> Callable[[], None]:
        """One jitted step (value_and_grad, optimizer, parameters and state donated); with `with_key` the loss
        takes a fresh PRNG key as its last argument each call."""

        def step(params: Any, state: Any, key: Any, *data: Any) -> tuple[Any, Any, Any, Any]:
            key, subkey = jax.random.split(key)
            arguments = (*data, subkey) if with_key else data
            value, grads = jax.value_and_grad(loss)(params, *arguments)
            updates, state = optimizer.update(grads, state, params)
            return optax.apply_updates(params, updates), state, key, value

        step = jax.jit(step, donate_argnums=(0, 1))
        holder = {"params": params, "state": optimizer.init(params), "key": jax.random.PRNGKey(1)}

        def body() -> None:
            holder["params"], holder["state"], holder["key"], value = step(
                holder["params"], holder["state"], holder["key"], *data)
            value.block_until_ready()

        return body

    return {"jax": jax, "jnp": jnp, "optax": optax, "uniform": uniform, "linear": linear,
            "apply_linear": apply_linear, "lstm": lstm, "lstm_cell": lstm_cell, "lstm_sequence": lstm_sequence,
            "cross_entropy": cross_entropy, "jitted_step": jitted_step}


def jax_cases() -> list[Case]:
    common = jax_common()
    jax, jnp, optax = common["jax"], common["jnp"], common["optax"]
    linear, apply_linear, lstm_cell = common["linear"], common["apply_linear"], common["lstm_cell"]

    def generator_params(key: Any) -> dict[str, Any]:
        keys = jax.random.split(key, 3)
        return {"embedding": jax.random.normal(keys[0], (VOCABULARY, SIZE), jnp.float32),
                "lstm": common["lstm"](keys[1], SIZE, SIZE), "output": linear(keys[2], SIZE, VOCABULARY)}

    def discriminator_params(key: Any) -> dict[str, Any]:
        keys = jax.random.split(key, len(D_WIDTHS) + 4)
        convolutions = []
        for index, (width, count) in enumerate(zip(D_WIDTHS, D_COUNTS)):
            weight_key, bias_key = jax.random.split(keys[index])
            bound = (D_EMBEDDING * width) ** -0.5
            convolutions.append({"weight": common["uniform"](weight_key, (count, D_EMBEDDING, width), bound),
                                 "bias": common["uniform"](bias_key, (count,), bound)})
        gate = linear(keys[-4], D_FEATURES, D_FEATURES)
        gate["bias"] = jnp.ones((D_FEATURES,), jnp.float32)
        return {"embedding": jax.random.normal(keys[-3], (VOCABULARY, D_EMBEDDING), jnp.float32),
                "convolutions": convolutions, "gate": gate, "transform": linear(keys[-2], D_FEATURES, D_FEATURES),
                "output": linear(keys[-1], D_FEATURES, 2)}

    def discriminate(params: dict[str, Any], tokens: Any, key: Any = None) -> Any:
        """Logits [N, 2] of token ids [N, L]; dropout 0.25 when `key` is given."""
        x = params["embedding"][tokens].transpose(0, 2, 1)  # [N, E, L]
        pooled = []
        for layer in params["convolutions"]:
            y = jax.lax.conv_general_dilated(x, layer["weight"], (1,), "VALID",
                                             dimension_numbers=("NCH", "OIH", "NCH"))
            pooled.append(jax.nn.relu(y + layer["bias"][None, :, None]).max(axis=2))
        features = jnp.concatenate(pooled, axis=1)
        gate = jax.nn.sigmoid(apply_linear(params["gate"], features))
        features = gate * features + (1 - gate) * jax.nn.relu(apply_linear(params["transform"], features))
        if key is not None:
            keep = jax.random.bernoulli(key, 0.75, features.shape)
            features = jnp.where(keep, features / 0.75, 0.0)
        return apply_linear(params["output"], features)

    def advance(params: dict[str, Any], tokens: Any, state: tuple[Any, Any]) -> tuple[Any, tuple[Any, Any]]:
        """Feeds tokens [B]; the next logits [B, V] and the state."""
        layer = params["lstm"]
        projected = params["embedding"][tokens] @ layer["weight_ih"].T + layer["bias_ih"]
        state = lstm_cell(layer, projected, state)
        return apply_linear(params["output"], state[0]), state

    def zero_state(count: int) -> tuple[Any, Any]:
        return jnp.zeros((count, SIZE), jnp.float32), jnp.zeros((count, SIZE), jnp.float32)

    def draw(key: Any, logits: Any) -> Any:
        """One token per row by the inverse CDF of the softmax, one uniform draw per row (as Montague's sampler)."""
        uniform = jax.random.uniform(key, logits.shape[:1])
        below = jnp.cumsum(jax.nn.softmax(logits, axis=-1), axis=-1) <= uniform[:, None]
        return jnp.minimum(below.sum(axis=-1), VOCABULARY - 1)

    def complete(params: dict[str, Any], logits: Any, state: tuple[Any, Any], count: int, key: Any) -> Any:
        """`count` tokens [count, B]: the first drawn from `logits`, each later one after feeding the previous."""
        keys = jax.random.split(key, count)

        def step(carry: tuple[Any, Any], key: Any) -> tuple[tuple[Any, Any], Any]:
            logits, state = carry
            token = draw(key, logits)
            return advance(params, token, state), token

        if count == 1:
            return draw(keys[0], logits)[None]
        (logits, _), tokens = jax.lax.scan(step, (logits, state), keys[:-1])
        return jnp.concatenate([tokens, draw(keys[-1], logits)[None]], axis=0)

    def sample(params: dict[str, Any], count: int, key: Any) -> Any:
        params = jax.lax.stop_gradient(params)  # the draws are actions, not differentiated
        logits, state = advance(params, jnp.zeros((count,), jnp.int32), zero_state(count))
        return complete(params, logits, state, LENGTH, key)  # [LENGTH, count]

    def reinforce_loss(params: dict[str, Any], sequences: Any, rewards: Any) -> Any:
        inputs = jnp.concatenate([jnp.zeros((1, sequences.shape[1]), jnp.int32), sequences[:-1]], axis=0)
        outputs, _ = common["lstm_sequence"](params["lstm"], params["embedding"][inputs],
                                            zero_state(sequences.shape[1]))
        log_probabilities = jax.nn.log_softmax(apply_linear(params["output"], outputs), axis=-1)
        chosen = jnp.take_along_axis(log_probabilities, sequences[..., None], axis=2)[..., 0]
        return -(chosen * rewards).mean()

    def generator_optimizer() -> Any:
        return optax.chain(optax.clip_by_global_norm(5.0), optax.adam(0.01))

    def generator_step() -> Callable[[], None]:
        rewards = jax.random.uniform(jax.random.PRNGKey(2), (LENGTH, BATCH), jnp.float32)

        def loss(params: dict[str, Any], rewards: Any, key: Any) -> Any:
            return reinforce_loss(params, sample(params, BATCH, key), rewards)

        return common["jitted_step"](loss, generator_params(jax.random.PRNGKey(0)), generator_optimizer(), rewards,
                                     with_key=True)

    def mle_step() -> Callable[[], None]:
        data = jnp.concatenate([jnp.zeros((1, BATCH), jnp.int32),
                                jax.random.randint(jax.random.PRNGKey(2), (LENGTH, BATCH), 1, VOCABULARY)], axis=0)

        def loss(params: dict[str, Any], inputs: Any, targets: Any) -> Any:
            outputs, _ = common["lstm_sequence"](params["lstm"], params["embedding"][inputs], zero_state(BATCH))
            logits = apply_linear(params["output"], outputs).reshape(-1, VOCABULARY)
            return common["cross_entropy"](logits, targets.reshape(-1))

        return common["jitted_step"](loss, generator_params(jax.random.PRNGKey(0)), generator_optimizer(),
                                     data[:-1], data[1:])

    def pg_step() -> Callable[[], None]:
        keys = jax.random.split(jax.random.PRNGKey(0), 3)
        rollout, critic = generator_params(keys[1]), discriminator_params(keys[2])

        def scores(tokens: Any) -> Any:  # [N, LENGTH] (N a multiple of D_CHUNK) -> D(real) [N]
            chunks = tokens.reshape(-1, D_CHUNK, LENGTH)
            return jax.lax.map(lambda chunk: jax.nn.softmax(discriminate(critic, chunk), axis=-1)[:, 1],
                               chunks).reshape(-1)

        def token_rewards(samples: Any, key: Any) -> Any:  # [LENGTH, B] -> [LENGTH, B]
            def one_rollout(_: Any, key: Any) -> tuple[Any, Any]:
                logits, state = advance(rollout, jnp.zeros((BATCH,), jnp.int32), zero_state(BATCH))
                completions = []
                for t, subkey in enumerate(jax.random.split(key, LENGTH - 1)):
                    logits, state = advance(rollout, samples[t], state)
                    tail = complete(rollout, logits, state, LENGTH - 1 - t, subkey)
                    completions.append(jnp.concatenate([samples[:t + 1], tail], axis=0))
                return None, jnp.stack(completions)  # [LENGTH - 1, LENGTH, B]

            _, completions = jax.lax.scan(one_rollout, None, jax.random.split(key, ROLLOUTS))
            flat = completions.transpose(0, 1, 3, 2).reshape(-1, LENGTH)  # rollout, t, b order
            rewards = scores(flat).reshape(ROLLOUTS, LENGTH - 1, BATCH).mean(axis=0)
            final = jax.nn.softmax(discriminate(critic, samples.T), axis=-1)[:, 1]
            return jnp.concatenate([rewards, final[None]], axis=0)

        def loss(params: dict[str, Any], key: Any) -> Any:
            sample_key, rollout_key = jax.random.split(key)
            samples = sample(params, BATCH, sample_key)
            rewards = jax.lax.stop_gradient(token_rewards(samples, rollout_key))
            return reinforce_loss(params, samples, rewards)

        return common["jitted_step"](loss, generator_params(keys[0]), generator_optimizer(), with_key=True)

    def discriminator_step() -> Callable[[], None]:
        keys = jax.random.split(jax.random.PRNGKey(0), 4)
        fake = sample(generator_params(keys[0]), BATCH // 2, keys[1]).T
        real = jax.random.randint(keys[2], (BATCH // 2, LENGTH), 1, VOCABULARY)
        tokens = jnp.concatenate([real, fake], axis=0)
        labels = jnp.concatenate([jnp.ones((BATCH // 2,), jnp.int32), jnp.zeros((BATCH // 2,), jnp.int32)])

        def loss(params: dict[str, Any], tokens: Any, labels: Any, key: Any) -> Any:
            return common["cross_entropy"](discriminate(params, tokens, key), labels)

        return common["jitted_step"](loss, discriminator_params(keys[3]), optax.adam(1e-4), tokens, labels,
                                     with_key=True)

    return [
        (GENERATOR_CASE, "tokens/s", float(BATCH * LENGTH), generator_step),
        (MLE_CASE, "tokens/s", float(BATCH * LENGTH), mle_step),
        (PG_CASE, "steps/s", 1.0, pg_step),
        (DISCRIMINATOR_CASE, "steps/s", 1.0, discriminator_step),
    ]


if __name__ == "__main__":
    sys.exit(run(__doc__.splitlines()[0], [GENERATOR_CASE, MLE_CASE, PG_CASE, DISCRIMINATOR_CASE], torch_cases,
                 jax_cases))
