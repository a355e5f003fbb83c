#!/usr/bin/env python3
"""PyTorch and JAX references for the sentence-VAE step of Benchmarks/TextGenerationBenchmarks.swift.

``sentence-vae-step v10000 e64 h128 z16 b32 t21 adam``: one training step of Bowman et al. 2016's sentence VAE
(Sources/TextGeneration/VAE): 32 fixed sentences ``<s> w_1..w_20 </s>`` over a vocabulary of 10,000 (ids 0-3 are
``<pad> <unk> <s> </s>``); a shared embedding 10,000 x 64; an LSTM encoder (64 -> 128) reads ``w_1..w_20 </s>``,
its last hidden state gives the mean and log-variance of 16 latents (two ``Linear(128, 16)``); z by the
reparameterization trick; the decoder LSTM (80 -> 128) starts from ``h = tanh(Linear(16, 128)(z))``, ``c = 0``,
reads ``<s> w_1..w_20`` with word dropout 0.25 (each input after ``<s>`` replaced by ``<unk>``) and z concatenated to
every input; ``Linear(128, 10000)``; loss = mean over sentences of the summed token cross-entropy + 0.5 x (the
batch-mean KL to N(0, I) summed over latents); global-norm clip 5, Adam (lr 1e-3). Metric: tokens/s (672 predicted
tokens per step).

Implementations: ``pytorch`` (eager, ``nn.LSTM``), ``pytorch-compile`` (the loss and the optimizer's step through
``torch.compile``), ``jax-jit`` (the whole step under one ``jax.jit``, LSTMs under ``jax.lax.scan`` with the input
projections of a sequence in one GEMM, ``optax`` clip + Adam). Threads as in bench/seqgan_reference.py.

    OMP_NUM_THREADS=1 python bench/sentence_vae_reference.py --threads 1 [--impl pytorch jax-jit] [--clock cpu]
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from seqgan_reference import Case, jax_common, run

CASE = "sentence-vae-step v10000 e64 h128 z16 b32 t21 adam"
VOCABULARY, EMBEDDING, HIDDEN, LATENT, BATCH, WORDS = 10_000, 64, 128, 16, 32, 20
STEPS = WORDS + 1  # encoder tokens and decoder predictions per sentence
UNKNOWN, BEGIN, END = 1, 2, 3
WORD_DROPOUT, BETA, CLIP, LEARNING_RATE = 0.25, 0.5, 5.0, 1e-3


def torch_cases(compile_model: bool) -> list[Case]:
    import torch
    import torch.nn.functional as F

    class SentenceVAE(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING)
            self.encoder = torch.nn.LSTM(EMBEDDING, HIDDEN)
            self.mean = torch.nn.Linear(HIDDEN, LATENT)
            self.log_variance = torch.nn.Linear(HIDDEN, LATENT)
            self.latent_to_hidden = torch.nn.Linear(LATENT, HIDDEN)
            self.decoder = torch.nn.LSTM(EMBEDDING + LATENT, HIDDEN)
            self.output = torch.nn.Linear(HIDDEN, VOCABULARY)

        def forward(self, encoder_tokens: torch.Tensor, inputs: torch.Tensor, targets: torch.Tensor,
                    noise: torch.Tensor) -> torch.Tensor:
            _, (hidden, _) = self.encoder(self.embedding(encoder_tokens))
            mean, log_variance = self.mean(hidden[0]), self.log_variance(hidden[0])
            z = mean + torch.exp(0.5 * log_variance) * noise
            h0 = torch.tanh(self.latent_to_hidden(z)).unsqueeze(0)
            decoder_input = torch.cat([self.embedding(inputs), z.unsqueeze(0).expand(inputs.shape[0], -1, -1)], 2)
            outputs, _ = self.decoder(decoder_input, (h0, torch.zeros_like(h0)))
            nll = F.cross_entropy(self.output(outputs).reshape(-1, VOCABULARY), targets.reshape(-1),
                                  reduction="sum") / inputs.shape[1]
            kl = (-0.5 * (1 + log_variance - mean.square() - log_variance.exp())).mean(dim=0).sum()
            return nll + BETA * kl

    def step_body() -> Callable[[], None]:
        torch.manual_seed(0)
        model = SentenceVAE()
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        words = torch.randint(4, VOCABULARY, (WORDS, BATCH))
        encoder_tokens = torch.cat([words, torch.full((1, BATCH), END)], dim=0)
        inputs = torch.cat([torch.full((1, BATCH), BEGIN), words], dim=0)
        targets = encoder_tokens
        loss_of = torch.compile(model, dynamic=False) if compile_model else model
        step = optimizer.step
        if compile_model:
            step = torch.compile(optimizer.step, fullgraph=False)

        def body() -> None:
            noise = torch.randn(BATCH, LATENT)
            dropped = torch.rand(STEPS, BATCH) < WORD_DROPOUT
            dropped[0] = False
            loss = loss_of(encoder_tokens, torch.where(dropped, UNKNOWN, inputs), targets, noise)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            step()

        return body

    return [(CASE, "tokens/s", float(BATCH * STEPS), step_body)]


def jax_cases() -> list[Case]:
    common = jax_common()
    jax, jnp, optax = common["jax"], common["jnp"], common["optax"]
    linear, apply_linear = common["linear"], common["apply_linear"]

    def step_body() -> Callable[[], None]:
        keys = jax.random.split(jax.random.PRNGKey(0), 9)
        params = {"embedding": jax.random.normal(keys[0], (VOCABULARY, EMBEDDING), jnp.float32),
                  "encoder": common["lstm"](keys[1], EMBEDDING, HIDDEN), "mean": linear(keys[2], HIDDEN, LATENT),
                  "log_variance": linear(keys[3], HIDDEN, LATENT),
                  "latent_to_hidden": linear(keys[4], LATENT, HIDDEN),
                  "decoder": common["lstm"](keys[5], EMBEDDING + LATENT, HIDDEN),
                  "output": linear(keys[6], HIDDEN, VOCABULARY)}
        words = jax.random.randint(keys[7], (WORDS, BATCH), 4, VOCABULARY)
        encoder_tokens = jnp.concatenate([words, jnp.full((1, BATCH), END, jnp.int32)], axis=0)
        inputs = jnp.concatenate([jnp.full((1, BATCH), BEGIN, jnp.int32), words], axis=0)
        zeros = jnp.zeros((BATCH, HIDDEN), jnp.float32)

        def loss(params: dict[str, Any], encoder_tokens: Any, inputs: Any, key: Any) -> Any:
            noise_key, dropout_key = jax.random.split(key)
            _, (hidden, _) = common["lstm_sequence"](params["encoder"], params["embedding"][encoder_tokens],
                                                     (zeros, zeros))
            mean = apply_linear(params["mean"], hidden)
            log_variance = apply_linear(params["log_variance"], hidden)
            z = mean + jnp.exp(0.5 * log_variance) * jax.random.normal(noise_key, mean.shape, jnp.float32)
            h0 = jnp.tanh(apply_linear(params["latent_to_hidden"], z))
            dropped = jax.random.uniform(dropout_key, inputs.shape) < WORD_DROPOUT
            dropped = dropped.at[0].set(False)
            fed = jnp.where(dropped, UNKNOWN, inputs)
            decoder_input = jnp.concatenate(
                [params["embedding"][fed], jnp.broadcast_to(z, (STEPS, BATCH, LATENT))], axis=2)
            outputs, _ = common["lstm_sequence"](params["decoder"], decoder_input, (h0, zeros))
            logits = apply_linear(params["output"], outputs).reshape(-1, VOCABULARY)
            nll = optax.softmax_cross_entropy_with_integer_labels(logits, encoder_tokens.reshape(-1)).sum() / BATCH
            kl = (-0.5 * (1 + log_variance - mean ** 2 - jnp.exp(log_variance))).mean(axis=0).sum()
            return nll + BETA * kl

        optimizer = optax.chain(optax.clip_by_global_norm(CLIP), optax.adam(LEARNING_RATE))
        return common["jitted_step"](loss, params, optimizer, encoder_tokens, inputs, with_key=True)

    return [(CASE, "tokens/s", float(BATCH * STEPS), step_body)]


if __name__ == "__main__":
    sys.exit(run(__doc__.splitlines()[0], [CASE], torch_cases, jax_cases))
