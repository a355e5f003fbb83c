#!/usr/bin/env python3
"""PyTorch (CPU) reference for Montague's benchmarks: the same workloads as Benchmarks/*.swift.

Prints one JSON line per measurement on stdout, with the fields MontagueBenchmarks prints:

    {"case": "sgemm n=256", "impl": "pytorch", "threads": 1, "metric": "GFLOP/s", "value": 95.1}

Cases (names must match Benchmarks/MatmulBenchmarks.swift and Benchmarks/TrainingBenchmarks.swift):

* ``sgemm n=N`` for N in 256, 512, 1024, 2048: ``torch.mm`` of two N x N float32 matrices, 2 N^3 operations.
* ``mlp 784-256-256-10 relu b128 adam``: one training step (zero_grad, forward, softmax cross-entropy, backward,
  Adam) of a 784-256-256-10 ReLU MLP on a fixed synthetic batch of 128. Metric: steps/s.
* ``lstm-lm v10000 e128 h256 b32 t35 adam``: one training step of an LSTM language model, the same computation
  as the Swift one built from NeuralNet layers (``Embedding``, ``LSTM``, ``Linear``): an embedding lookup
  (N(0, 1) table), one LSTM layer written with matmul / sigmoid / tanh in PyTorch's layout (``W_ih [4H, I]``,
  ``W_hh [4H, H]``, two biases, gates in the order i, f, g, o, zero initial state; the input projections of all
  35 steps in one GEMM, as Montague's ``RecurrentNetwork`` and ``nn.LSTM`` do), a full-softmax ``nn.Linear``
  output layer over the 10,000-word vocabulary, mean cross-entropy over 32 x 35 tokens, Adam. Metric: tokens/s
  (32 x 35 tokens per step). impl ``pytorch``; the same model with ``torch.nn.LSTM`` is reported as impl
  ``pytorch-nn.LSTM`` (informational, no target).
* ``gru-seq2seq-dot v5000 e256 h256 b32 t20 adam``: one training step of a GRU encoder-decoder with Luong "dot"
  attention, the same computation as Benchmarks/Seq2SeqBenchmark.swift: source and target embeddings (5,000 x 256),
  a one-layer GRU encoder (256) over 20 source steps (input projections in one GEMM), a teacher-forced decoder run
  one step at a time (GRU cell from the encoder's final state, unscaled dot attention of the new hidden vector over
  the 20 encoder outputs, ``h~ = tanh(W_c [context; h])`` without bias, no input feeding), ``Linear(256, 5000)``
  on the 32 x 20 attentional vectors, mean cross-entropy, Adam. Metric: target tokens/s (640 per step). impl
  ``pytorch`` writes the GRU cell with matmul / sigmoid / tanh (PyTorch's gate order r, z, n and
  ``n = tanh(x_n + r * (h W_hn^T + b_hn))``); impl ``pytorch-nn.GRU`` (informational) uses ``torch.nn.GRU`` for
  the encoder and ``torch.nn.GRUCell`` for the decoder.

Each training case is also measured with impl ``pytorch-compile``: the same code with the loss function and the
optimizer's step through ``torch.compile`` (TorchInductor, C++ code for the CPU; ``--no-compile`` skips these rows,
and a case whose compilation fails is left out with a message on stderr). Compilation happens in the warm-up.

On CPU there is no cuDNN; in training ``nn.LSTM`` runs oneDNN's fused LSTM layer (``aten::mkldnn_rnn_layer``),
``nn.GRU`` ATen's C++ time loop (``aten::gru``: one GEMM for all input projections, then per step a GEMM and ATen's
gate ops) and ``nn.GRUCell`` ``aten::gru_cell`` (checked with torch.profiler, PyTorch 2.13.0+cpu).

Timing: warm-up, then each sample runs enough iterations to last a minimum time; the median rate over the
samples is reported (the same scheme as Benchmarks/BenchmarkHarness.swift).

Usage: ``pytorch_reference.py [--threads 1 2] [--filter TEXT] [--quick]``; run by ``make bench``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable

from bench_harness import Harness, add_clock_argument

import torch
import torch.nn.functional as F

SGEMM_SIZES = (256, 512, 1024, 2048)
MLP_CASE = "mlp 784-256-256-10 relu b128 adam"
LSTM_CASE = "lstm-lm v10000 e128 h256 b32 t35 adam"
SEQ2SEQ_CASE = "gru-seq2seq-dot v5000 e256 h256 b32 t20 adam"

# LSTM language model dimensions.
VOCABULARY, EMBEDDING, HIDDEN, BATCH, STEPS = 10_000, 128, 256, 32, 35
# GRU seq2seq dimensions (source and target length are both S2S_STEPS).
S2S_VOCABULARY, S2S_EMBEDDING, S2S_HIDDEN, S2S_BATCH, S2S_STEPS = 5_000, 256, 256, 32, 20


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

def compiled(function: Callable[..., torch.Tensor], enabled: bool) -> Callable[..., torch.Tensor]:
    """`function` through ``torch.compile`` (TorchInductor's C++ CPU backend) when `enabled`."""
    return torch.compile(function, dynamic=False) if enabled else function


def compiled_step(optimizer: torch.optim.Optimizer, enabled: bool) -> Callable[[], None]:
    """The optimizer's step, compiled as PyTorch's "compiling the optimizer" recipe does when `enabled`."""
    if not enabled:
        return optimizer.step

    @torch.compile(fullgraph=False)
    def step() -> None:
        optimizer.step()

    return step


def mlp_step_body(compile_model: bool = False) -> Callable[[], None]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    inputs = torch.randn(128, 784)
    labels = torch.randint(0, 10, (128,))
    loss_of = compiled(lambda x, y: F.cross_entropy(model(x), y), compile_model)
    step = compiled_step(optimizer, compile_model)

    def body() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of(inputs, labels)
        loss.backward()
        step()

    return body


# MARK: - LSTM language-model training step

def lstm_data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    tokens = torch.randint(0, VOCABULARY, (STEPS + 1, BATCH), generator=generator)
    return tokens[:-1], tokens[1:]  # inputs and next-token targets, [time, batch]


def uniform_parameter(*shape: int, bound: float) -> torch.nn.Parameter:
    return torch.nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))


def lstm_core_ops_body(compile_model: bool = False) -> Callable[[], None]:
    """The LSTM cell written with matmul / sigmoid / tanh, unrolled over the 35 steps."""
    torch.manual_seed(0)
    bound = HIDDEN ** -0.5
    embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING)
    weight_ih = uniform_parameter(4 * HIDDEN, EMBEDDING, bound=bound)
    weight_hh = uniform_parameter(4 * HIDDEN, HIDDEN, bound=bound)
    bias_ih = uniform_parameter(4 * HIDDEN, bound=bound)
    bias_hh = uniform_parameter(4 * HIDDEN, bound=bound)
    projection = torch.nn.Linear(HIDDEN, VOCABULARY)
    parameters = [*embedding.parameters(), weight_ih, weight_hh, bias_ih, bias_hh, *projection.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=1e-3)
    inputs, targets = lstm_data()

    def forward(inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        projected = F.linear(embedding(inputs), weight_ih, bias_ih)  # [time, batch, 4 hidden], one GEMM
        h = torch.zeros(BATCH, HIDDEN)
        c = torch.zeros(BATCH, HIDDEN)
        outputs = []
        for t in range(STEPS):
            gates = projected[t] + F.linear(h, weight_hh, bias_hh)
            i, f, g, o = gates.chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outputs.append(h)
        hidden = torch.stack(outputs).reshape(STEPS * BATCH, HIDDEN)
        return F.cross_entropy(projection(hidden), targets.reshape(-1))  # full softmax over the vocabulary

    loss_of = compiled(forward, compile_model)
    step = compiled_step(optimizer, compile_model)

    def body() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss_of(inputs, targets).backward()
        step()

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


# MARK: - GRU seq2seq with dot attention training step

def seq2seq_data() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Source [time, batch], decoder inputs [time, batch] (the first standing for <bos>) and next-token labels."""
    generator = torch.Generator().manual_seed(2)
    source = torch.randint(0, S2S_VOCABULARY, (S2S_STEPS, S2S_BATCH), generator=generator)
    target = torch.randint(0, S2S_VOCABULARY, (S2S_STEPS + 1, S2S_BATCH), generator=generator)
    return source, target[:-1], target[1:]


class GRUWeights(torch.nn.Module):
    """A GRU cell's weights in PyTorch's layout (W_ih [3H, I], W_hh [3H, H], two biases), U(-1/sqrt(H), 1/sqrt(H))."""

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        bound = hidden_size ** -0.5
        self.weight_ih = uniform_parameter(3 * hidden_size, input_size, bound=bound)
        self.weight_hh = uniform_parameter(3 * hidden_size, hidden_size, bound=bound)
        self.bias_ih = uniform_parameter(3 * hidden_size, bound=bound)
        self.bias_hh = uniform_parameter(3 * hidden_size, bound=bound)

    def project(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight_ih, self.bias_ih)

    def step(self, projected: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """One GRU step from the input projection x W_ih^T + b_ih (PyTorch's gate order r, z, n)."""
        x_r, x_z, x_n = projected.chunk(3, dim=1)
        h_r, h_z, h_n = F.linear(h, self.weight_hh, self.bias_hh).chunk(3, dim=1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        return (1 - z) * n + z * h


def seq2seq_body(idiomatic: bool, compile_model: bool = False) -> Callable[[], None]:
    """The GRU seq2seq step: core-ops GRU cells (``idiomatic=False``) or nn.GRU + nn.GRUCell; ``compile_model``
    runs the forward pass and the optimizer step through ``torch.compile``."""
    torch.manual_seed(0)
    size_e, size_h, batch, steps = S2S_EMBEDDING, S2S_HIDDEN, S2S_BATCH, S2S_STEPS
    source_embedding = torch.nn.Embedding(S2S_VOCABULARY, size_e)
    target_embedding = torch.nn.Embedding(S2S_VOCABULARY, size_e)
    if idiomatic:
        encoder: torch.nn.Module = torch.nn.GRU(size_e, size_h)
        decoder: torch.nn.Module = torch.nn.GRUCell(size_e, size_h)
    else:
        encoder = GRUWeights(size_e, size_h)
        decoder = GRUWeights(size_e, size_h)
    combine = torch.nn.Linear(2 * size_h, size_h, bias=False)
    projection = torch.nn.Linear(size_h, S2S_VOCABULARY)
    modules = torch.nn.ModuleList([source_embedding, encoder, target_embedding, decoder, combine, projection])
    optimizer = torch.optim.Adam(modules.parameters(), lr=1e-3)
    source, decoder_inputs, labels = seq2seq_data()

    def forward(source: torch.Tensor, decoder_inputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if idiomatic:
            outputs, final = encoder(source_embedding(source))
            h = final[0]
        else:
            projected = encoder.project(source_embedding(source))  # one GEMM for the 20 steps
            h = torch.zeros(batch, size_h)
            states = []
            for t in range(steps):
                h = encoder.step(projected[t], h)
                states.append(h)
            outputs = torch.stack(states)
        memory = outputs.transpose(0, 1)  # [batch, source steps, hidden]
        embedded = target_embedding(decoder_inputs)
        attentional = []
        for t in range(steps):
            h = decoder(embedded[t], h) if idiomatic else decoder.step(decoder.project(embedded[t]), h)
            weights = torch.softmax(torch.bmm(h.unsqueeze(1), memory.transpose(1, 2)), dim=-1)
            context = torch.bmm(weights, memory).squeeze(1)
            attentional.append(torch.tanh(combine(torch.cat([context, h], dim=1))))
        logits = projection(torch.stack(attentional).reshape(steps * batch, size_h))
        return F.cross_entropy(logits, labels.reshape(-1))

    loss_of = compiled(forward, compile_model)
    step = compiled_step(optimizer, compile_model)

    def body() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss_of(source, decoder_inputs, labels).backward()
        step()

    return body


# MARK: - Runner

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="torch.set_num_threads values to measure (default: 1 2)")
    parser.add_argument("--filter", default=None, help="run only cases whose name contains this text")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples (development only)")
    add_clock_argument(parser)
    parser.add_argument("--no-compile", action="store_true",
                        help="skip the torch.compile rows (impl pytorch-compile)")
    arguments = parser.parse_args()

    harness = Harness.for_arguments(arguments)
    tokens = BATCH * STEPS
    cases: list[tuple[str, str, str, float, Callable[[], Callable[[], None]]]] = [
        (f"sgemm n={n}", "pytorch", "GFLOP/s", 2.0 * n ** 3, lambda n=n: sgemm_body(n)) for n in SGEMM_SIZES
    ]
    cases += [
        (MLP_CASE, "pytorch", "steps/s", 1.0, mlp_step_body),
        (LSTM_CASE, "pytorch", "tokens/s", float(tokens), lstm_core_ops_body),
        (LSTM_CASE, "pytorch-nn.LSTM", "tokens/s", float(tokens), lstm_nn_module_body),
        (SEQ2SEQ_CASE, "pytorch", "tokens/s", float(S2S_BATCH * S2S_STEPS), lambda: seq2seq_body(False)),
        (SEQ2SEQ_CASE, "pytorch-nn.GRU", "tokens/s", float(S2S_BATCH * S2S_STEPS), lambda: seq2seq_body(True)),
    ]
    if not arguments.no_compile:
        cases += [
            (MLP_CASE, "pytorch-compile", "steps/s", 1.0, lambda: mlp_step_body(True)),
            (LSTM_CASE, "pytorch-compile", "tokens/s", float(tokens), lambda: lstm_core_ops_body(True)),
            (SEQ2SEQ_CASE, "pytorch-compile", "tokens/s", float(S2S_BATCH * S2S_STEPS),
             lambda: seq2seq_body(False, True)),
        ]

    progress(f"pytorch {torch.__version__}, {torch.get_num_interop_threads()} inter-op thread(s)")
    for threads in arguments.threads:
        torch.set_num_threads(threads)
        for case, impl, metric, units, make in cases:
            if arguments.filter and arguments.filter not in case:
                continue
            progress(f"measuring {case} ({impl}, {threads} thread(s))")
            try:
                body = make()
                with torch.no_grad() if metric == "GFLOP/s" else torch.enable_grad():
                    value = harness.rate(body, units)
            except Exception as error:  # torch.compile needs a working C++ toolchain; its absence is not fatal
                if impl != "pytorch-compile":
                    raise
                progress(f"torch.compile failed for {case}: {type(error).__name__}: {error}")
                continue
            emit(case, impl, threads, metric, value / (1e9 if metric == "GFLOP/s" else 1.0))
            del body
    return 0


if __name__ == "__main__":
    sys.exit(main())
