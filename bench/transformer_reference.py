"""Transformer encoder-decoder training step in PyTorch and JAX, and BPE training/encoding in Hugging Face
`tokenizers`, for comparison with Benchmarks/TransformerBenchmarks.swift and `MontagueBenchmarks`.

Model (same as the Swift case): d_model 256, 4 heads, feed-forward 1024, 3 encoder + 3 decoder post-norm ReLU
layers, dropout 0.1, sinusoidal positions, untied embeddings and output layer over 8,000 tokens, batch 32,
source/target length 32, mean cross-entropy, Adam (lr 1e-4). PyTorch uses nn.Transformer (which adds a final
LayerNorm after each stack); JAX is the same computation written with jax.numpy, jit-compiled, with optax.adam.
Prints one JSON line per (case, impl, threads) like bench/pytorch_reference.py. A second case is a decoder-only
language model (4 pre-norm GELU layers, learned positions, tied output; TransformerBenchmarks.languageModelStep),
in PyTorch only.

    OMP_NUM_THREADS=1 python3 bench/transformer_reference.py --threads 1 [--quick] [--clock wall|cpu] [--filter TEXT]
        [--skip-jax]

Samples are timed by bench/bench_harness.py (warm-up, calibrated samples, median; ``--clock cpu``: process CPU
time); the JAX step is impl ``jax-jit``.
    python3 bench/transformer_reference.py --bpe corpora/shakespeare/*.xml --vocabulary 8000
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Callable

from bench_harness import Harness, add_clock_argument

CASE = "transformer-seq2seq d256 h4 l3+3 ff1024 v8000 b32 t32 adam"
LM_CASE = "transformer-lm d256 h4 l4 ff1024 v8000 b32 t32 pre-norm gelu tied adam"
LM_LAYERS = 4
D, HEADS, FF, LAYERS, VOCABULARY, BATCH, LENGTH, DROPOUT = 256, 4, 1024, 3, 8000, 32, 32, 0.1


def emit(case: str, impl: str, threads: int, metric: str, value: float) -> None:
    print(json.dumps({"case": case, "impl": impl, "threads": threads, "metric": metric,
                      "value": round(value, 3)}), flush=True)


def sinusoidal(length: int, dimension: int):
    import numpy as np
    table = np.zeros((length, dimension), dtype=np.float32)
    for p in range(length):
        for i in range(0, dimension, 2):
            angle = p / 10000 ** (i / dimension)
            table[p, i] = math.sin(angle)
            table[p, i + 1] = math.cos(angle)
    return table


# MARK: - PyTorch

def torch_step():
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.manual_seed(0)
    source_embedding = nn.Embedding(VOCABULARY, D, padding_idx=0)
    target_embedding = nn.Embedding(VOCABULARY, D, padding_idx=0)
    transformer = nn.Transformer(D, HEADS, LAYERS, LAYERS, FF, DROPOUT, batch_first=True)
    output = nn.Linear(D, VOCABULARY)
    modules = nn.ModuleList([source_embedding, target_embedding, transformer, output])
    modules.train()
    optimizer = torch.optim.Adam(modules.parameters(), lr=1e-4)
    positions = torch.from_numpy(sinusoidal(LENGTH, D))
    sources = torch.randint(3, VOCABULARY, (BATCH, LENGTH))
    targets = torch.randint(3, VOCABULARY, (BATCH, LENGTH))
    inputs = torch.cat([torch.ones(BATCH, 1, dtype=torch.long), targets[:, :-1]], dim=1)
    causal = nn.Transformer.generate_square_subsequent_mask(LENGTH)
    scale = math.sqrt(D)

    def body() -> None:
        optimizer.zero_grad(set_to_none=True)
        src = F.dropout(source_embedding(sources) * scale + positions, DROPOUT, True)
        tgt = F.dropout(target_embedding(inputs) * scale + positions, DROPOUT, True)
        hidden = transformer(src, tgt, tgt_mask=causal)
        loss = F.cross_entropy(output(hidden).reshape(-1, VOCABULARY), targets.reshape(-1))
        loss.backward()
        optimizer.step()

    return body


def torch_lm_step():
    """The decoder-only language model of TransformerBenchmarks.languageModelStep: pre-norm GELU layers
    (nn.TransformerEncoderLayer, norm_first) under a causal mask, a final LayerNorm, learned positions, the output
    tied to the token embedding plus a bias."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.manual_seed(0)
    embedding = nn.Embedding(VOCABULARY, D, padding_idx=0)
    positions = nn.Embedding(512, D)
    layer = nn.TransformerEncoderLayer(D, HEADS, FF, DROPOUT, activation="gelu", batch_first=True, norm_first=True)
    stack = nn.TransformerEncoder(layer, LM_LAYERS, norm=nn.LayerNorm(D), enable_nested_tensor=False)
    bias = nn.Parameter(torch.zeros(VOCABULARY))
    modules = nn.ModuleList([embedding, positions, stack])
    modules.train()
    optimizer = torch.optim.Adam(list(modules.parameters()) + [bias], lr=1e-4)
    tokens = torch.randint(3, VOCABULARY, (BATCH, LENGTH + 1))
    inputs, targets = tokens[:, :-1], tokens[:, 1:]
    causal = nn.Transformer.generate_square_subsequent_mask(LENGTH)
    scale = math.sqrt(D)

    def body() -> None:
        optimizer.zero_grad(set_to_none=True)
        x = F.dropout(embedding(inputs) * scale + positions.weight[:LENGTH], DROPOUT, True)
        hidden = stack(x, mask=causal, is_causal=True)
        logits = hidden @ embedding.weight.T + bias
        loss = F.cross_entropy(logits.reshape(-1, VOCABULARY), targets.reshape(-1))
        loss.backward()
        optimizer.step()

    return body


# MARK: - JAX

def jax_step():
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    rng = np.random.default_rng(0)

    def linear(n_in, n_out):
        bound = 1 / math.sqrt(n_in)
        return {"w": jnp.asarray(rng.uniform(-bound, bound, (n_in, n_out)), jnp.float32),
                "b": jnp.zeros((n_out,), jnp.float32)}

    def norm():
        return {"g": jnp.ones((D,), jnp.float32), "b": jnp.zeros((D,), jnp.float32)}

    def attention():
        return {"q": linear(D, D), "k": linear(D, D), "v": linear(D, D), "o": linear(D, D)}

    def encoder_layer():
        return {"self": attention(), "ff1": linear(D, FF), "ff2": linear(FF, D), "n1": norm(), "n2": norm()}

    def decoder_layer():
        return {"self": attention(), "cross": attention(), "ff1": linear(D, FF), "ff2": linear(FF, D),
                "n1": norm(), "n2": norm(), "n3": norm()}

    params = {
        "src": jnp.asarray(rng.normal(size=(VOCABULARY, D)), jnp.float32),
        "tgt": jnp.asarray(rng.normal(size=(VOCABULARY, D)), jnp.float32),
        "enc": [encoder_layer() for _ in range(LAYERS)], "dec": [decoder_layer() for _ in range(LAYERS)],
        "enc_norm": norm(), "dec_norm": norm(), "out": linear(D, VOCABULARY),
    }
    positions = jnp.asarray(sinusoidal(LENGTH, D))
    causal = jnp.triu(jnp.ones((LENGTH, LENGTH), bool), k=1)

    def dense(p, x):
        return x @ p["w"] + p["b"]

    def layer_norm(p, x):
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / jnp.sqrt(variance + 1e-5) * p["g"] + p["b"]

    def dropout(key, x):
        keep = jax.random.bernoulli(key, 1 - DROPOUT, x.shape)
        return jnp.where(keep, x / (1 - DROPOUT), 0)

    def mha(p, key, x, memory, mask):
        b, tq, _ = x.shape
        tk = memory.shape[1]
        split = lambda y, t: y.reshape(b, t, HEADS, D // HEADS).transpose(0, 2, 1, 3)
        q, k, v = split(dense(p["q"], x), tq), split(dense(p["k"], memory), tk), split(dense(p["v"], memory), tk)
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(D // HEADS)
        if mask is not None:
            scores = jnp.where(mask, -jnp.inf, scores)
        weights = dropout(key, jax.nn.softmax(scores, -1))
        return dense(p["o"], (weights @ v).transpose(0, 2, 1, 3).reshape(b, tq, D))

    def feed_forward(p, key, x):
        return dense(p["ff2"], dropout(key, jax.nn.relu(dense(p["ff1"], x))))

    def loss_fn(params, key, sources, inputs, targets):
        keys = iter(jax.random.split(key, 64))
        x = dropout(next(keys), params["src"][sources] * math.sqrt(D) + positions)
        for p in params["enc"]:
            x = layer_norm(p["n1"], x + dropout(next(keys), mha(p["self"], next(keys), x, x, None)))
            x = layer_norm(p["n2"], x + dropout(next(keys), feed_forward(p, next(keys), x)))
        memory = layer_norm(params["enc_norm"], x)
        y = dropout(next(keys), params["tgt"][inputs] * math.sqrt(D) + positions)
        for p in params["dec"]:
            y = layer_norm(p["n1"], y + dropout(next(keys), mha(p["self"], next(keys), y, y, causal)))
            y = layer_norm(p["n2"], y + dropout(next(keys), mha(p["cross"], next(keys), y, memory, None)))
            y = layer_norm(p["n3"], y + dropout(next(keys), feed_forward(p, next(keys), y)))
        logits = dense(params["out"], layer_norm(params["dec_norm"], y))
        return optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()

    optimizer = optax.adam(1e-4)
    state = {"params": params, "opt": optimizer.init(params), "key": jax.random.PRNGKey(0)}

    @jax.jit
    def update(params, opt_state, key, sources, inputs, targets):
        key, sub = jax.random.split(key)
        loss, grads = jax.value_and_grad(loss_fn)(params, sub, sources, inputs, targets)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, key, loss

    sources = jnp.asarray(rng.integers(3, VOCABULARY, (BATCH, LENGTH)))
    targets = jnp.asarray(rng.integers(3, VOCABULARY, (BATCH, LENGTH)))
    inputs = jnp.concatenate([jnp.ones((BATCH, 1), targets.dtype), targets[:, :-1]], axis=1)

    def body() -> None:
        state["params"], state["opt"], state["key"], loss = update(
            state["params"], state["opt"], state["key"], sources, inputs, targets)
        loss.block_until_ready()

    return body


# MARK: - BPE

def bpe_reference(paths: list[str], vocabulary: int) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers

    lines = []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as f:  # keep CR, as the Swift side does
            lines += [line for line in f.read().split("\n") if line]
    size = sum(len(line.encode("utf-8")) for line in lines)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocabulary, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    start = time.perf_counter()
    tokenizer.train_from_iterator(lines, trainer)
    training = time.perf_counter() - start
    start = time.perf_counter()
    encoded = tokenizer.encode_batch(lines)
    encoding = time.perf_counter() - start
    tokens = sum(len(e.ids) for e in encoded)
    print(json.dumps({"impl": "tokenizers", "bytes": size, "train_seconds": round(training, 3),
                      "encode_seconds": round(encoding, 3), "tokens": tokens,
                      "tokens_per_second": round(tokens / encoding), "vocabulary": tokenizer.get_vocab_size()}))
    try:
        with open("/tmp/montague-bpe-benchmark.json", encoding="utf-8") as f:
            ours = set(json.load(f)["model"]["vocab"])
        theirs = set(tokenizer.get_vocab())
        print(json.dumps({"vocabulary_overlap": len(ours & theirs), "montague": len(ours), "tokenizers": len(theirs)}))
    except FileNotFoundError:
        print("# run MontagueBenchmarks --filter bpe first for the vocabulary overlap", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1])
    parser.add_argument("--quick", action="store_true")
    add_clock_argument(parser)
    parser.add_argument("--filter", default=None, help="only the cases whose name contains TEXT")
    parser.add_argument("--skip-jax", action="store_true")
    parser.add_argument("--bpe", metavar="FILE", nargs="+", help="BPE training/encoding on text files instead")
    parser.add_argument("--vocabulary", type=int, default=8000)
    arguments = parser.parse_args()
    if arguments.bpe:
        bpe_reference(arguments.bpe, arguments.vocabulary)
        return 0
    selected = [case for case in (CASE, LM_CASE) if arguments.filter is None or arguments.filter in case]
    if not selected:
        return 0
    harness = Harness.for_arguments(arguments)
    import torch
    for threads in arguments.threads:
        torch.set_num_threads(threads)
        if CASE in selected:
            print(f"# measuring {CASE} (pytorch, {threads} thread(s))", file=sys.stderr, flush=True)
            emit(CASE, "pytorch", threads, "tokens/s", harness.rate(torch_step(), BATCH * LENGTH))
            if not arguments.skip_jax:
                print(f"# measuring {CASE} (jax-jit, {threads} thread(s); XLA threads follow the process)",
                      file=sys.stderr, flush=True)
                emit(CASE, "jax-jit", threads, "tokens/s", harness.rate(jax_step(), BATCH * LENGTH))
        if LM_CASE in selected:
            print(f"# measuring {LM_CASE} (pytorch, {threads} thread(s))", file=sys.stderr, flush=True)
            emit(LM_CASE, "pytorch", threads, "tokens/s", harness.rate(torch_lm_step(), BATCH * LENGTH))
    return 0


if __name__ == "__main__":
    sys.exit(main())
