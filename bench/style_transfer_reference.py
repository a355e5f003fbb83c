#!/usr/bin/env python3
"""PyTorch and JAX references for two style-transfer steps of Benchmarks/StyleTransferBenchmarks.swift.

The same computation as Sources/TextGeneration/StyleTransfer at Shen et al. 2017's Yelp sizes: vocabulary 9,357
(ids 0-3 ``<pad> <unk> <s> </s>``), a batch of 64 fixed 12-word sentences (row b of style b mod 2; target style
1 - source), embedding 100 (N(0, 0.1^2), shared by encoder, decoder and soft decoding), style part 200 and content
500 of a 700-wide GRU state (PyTorch's GRU layout and gates), dropout 0.5 in training; encoder and decoder
``GRUCell(100, 700)``, ``Linear(700, 9357)``; one-hot style -> ``Linear(2, 200)`` for the encoder's and the decoder's
initial style parts. Per step: gradients of the discriminators' loss w.r.t. the discriminators and of the
generator's loss w.r.t. encoder-decoder, a global-norm clip of 30 on the latter, Adam (lr 5e-4, betas 0.5 / 0.999)
on both. Metric: steps/s.

* ``style-transfer-step cross-aligned v9357 b64 t12``: the cross-aligned autoencoder (Shen et al. 2017). The
  encoder reads each sentence reversed from ``[W_s y_src; 0]`` (dropout on the embeddings); z = the last state's
  content part. Teacher-forced decoding of ``<s> x`` from ``[W_y y_src; z]`` (dropout on inputs and on the outputs
  before ``Linear``): reconstruction = summed token cross-entropy of ``x </s>`` / 64. Soft decoding for 13 steps from
  ``[W_y y_tgt; z]``: each next input is ``softmax(Linear(dropout(h)) / 0.1) . E``. Per style s a CNN over hidden-
  state sequences [B, 700, 14] (widths 1-5 x 128 filters, leaky ReLU 0.01, max over time, ``Linear(640, 1)``) tells
  the teacher-forced states of real sentences of s from the soft-decoded states of sentences transferred to s (BCE
  with logits). Generator loss = reconstruction + sum of the adversarial BCE terms.
* ``style-transfer-step cycle v9357 b64 t12``: the cycle method with straight-through Gumbel-softmax (tau 0.5):
  reconstruction as above; 13 Gumbel-softmax steps from ``[W_y y_tgt; z]``, each one-hot sample fed back as
  ``y . E``; per style a TextCNN (Kim 2014: embedding 100 with padding row 0, widths 1-5 x 128, ReLU, max over time,
  ``Linear(640, 2)``, no dropout) on the real ``x </s>`` ids and on the samples embedded as ``p . E``: D loss = CE
  (real, 1) + CE(fake, 0), adversarial = CE(fake, 1); cycle = the samples, reversed and embedded, read by the
  encoder from ``[W_s y_tgt; 0]``, then teacher-forced reconstruction of x from ``[W_y y_src; z_back]`` (no
  dropout). Generator loss = reconstruction + adversarial + cycle.

Implementations: ``pytorch`` (eager: ``nn.GRU`` for the whole-sequence encoder and teacher-forced decoder, the
fused ``gru_cell`` with the same weights for the step-by-step decoding), ``pytorch-compile`` (the forward pass
through ``torch.compile``), ``jax-jit`` (the whole step under one ``jax.jit``; recurrences under ``jax.lax.scan``).
Threads as in bench/seqgan_reference.py.

    OMP_NUM_THREADS=1 python bench/style_transfer_reference.py --threads 1 [--impl pytorch jax-jit] [--clock cpu]
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from seqgan_reference import Case, jax_common, run

CROSS_ALIGNED_CASE = "style-transfer-step cross-aligned v9357 b64 t12"
CYCLE_CASE = "style-transfer-step cycle v9357 b64 t12"

VOCABULARY, BATCH, WORDS = 9_357, 64, 12
EMBEDDING, STYLE, CONTENT = 100, 200, 500
HIDDEN = STYLE + CONTENT
WIDTHS, FILTERS = [1, 2, 3, 4, 5], 128
DROPOUT, SOFT_TEMPERATURE, GUMBEL_TEMPERATURE = 0.5, 0.1, 0.5
LEARNING_RATE, BETA1, CLIP = 5e-4, 0.5, 30.0
PAD, BEGIN, END = 0, 2, 3
STEPS = WORDS + 1  # decoder steps: <s> x -> x </s>


def torch_cases(compile_model: bool) -> list[Case]:
    import torch
    import torch.nn.functional as F

    class Generator(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING, padding_idx=PAD)
            with torch.no_grad():
                self.embedding.weight.normal_(0, 0.1)
                self.embedding.weight[PAD].zero_()
            self.encoder_style = torch.nn.Linear(2, STYLE)
            self.decoder_style = torch.nn.Linear(2, STYLE)
            self.encoder = torch.nn.GRU(EMBEDDING, HIDDEN)
            self.decoder = torch.nn.GRU(EMBEDDING, HIDDEN)
            self.output = torch.nn.Linear(HIDDEN, VOCABULARY)

        def cell(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
            d = self.decoder
            return torch._VF.gru_cell(x, h, d.weight_ih_l0, d.weight_hh_l0, d.bias_ih_l0, d.bias_hh_l0)

        def encode_embedded(self, inputs: torch.Tensor, styles: torch.Tensor) -> torch.Tensor:
            """Content [B, 500] of time-major embedded inputs (already reversed)."""
            initial = torch.cat([self.encoder_style(styles), torch.zeros(styles.shape[0], CONTENT)], dim=1)
            _, final = self.encoder(inputs, initial.unsqueeze(0))
            return final[0, :, STYLE:]

        def encode(self, reversed_ids: torch.Tensor, styles: torch.Tensor, dropout: bool) -> torch.Tensor:
            return self.encode_embedded(F.dropout(self.embedding(reversed_ids), DROPOUT, dropout), styles)

        def teacher(self, inputs: torch.Tensor, initial: torch.Tensor, dropout: bool
                    ) -> tuple[torch.Tensor, torch.Tensor]:
            """Hidden states [B, H, STEPS + 1] (initial first) and logits [STEPS * B, V]."""
            outputs, _ = self.decoder(F.dropout(self.embedding(inputs), DROPOUT, dropout), initial.unsqueeze(0))
            states = torch.cat([initial.unsqueeze(0), outputs], dim=0).permute(1, 2, 0)
            logits = self.output(F.dropout(outputs, DROPOUT, dropout).reshape(-1, HIDDEN))
            return states, logits

    class StateDiscriminator(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.convolutions = torch.nn.ModuleList(torch.nn.Conv1d(HIDDEN, FILTERS, w) for w in WIDTHS)
            self.output = torch.nn.Linear(FILTERS * len(WIDTHS), 1)

        def forward(self, states: torch.Tensor) -> torch.Tensor:
            pooled = [F.leaky_relu(conv(states), 0.01).amax(dim=2) for conv in self.convolutions]
            return self.output(torch.cat(pooled, dim=1)).reshape(-1)

    class TextCNN(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = torch.nn.Embedding(VOCABULARY, EMBEDDING, padding_idx=PAD)
            self.convolutions = torch.nn.ModuleList(torch.nn.Conv1d(EMBEDDING, FILTERS, w) for w in WIDTHS)
            self.output = torch.nn.Linear(FILTERS * len(WIDTHS), 2)

        def classify(self, embedded: torch.Tensor) -> torch.Tensor:  # [B, L, E]
            x = embedded.transpose(1, 2)
            return self.output(torch.cat([F.relu(conv(x)).amax(dim=2) for conv in self.convolutions], dim=1))

        def forward(self, tokens: torch.Tensor) -> torch.Tensor:
            return self.classify(self.embedding(tokens))

        def soft(self, distributions: torch.Tensor) -> torch.Tensor:  # [B, L, V]
            return self.classify(distributions @ self.embedding.weight)

    def data() -> dict[str, torch.Tensor]:
        words = torch.randint(4, VOCABULARY, (WORDS, BATCH))
        sources = torch.arange(BATCH) % 2
        return {
            "reversed": words.flip(0),
            "inputs": torch.cat([torch.full((1, BATCH), BEGIN), words], dim=0),
            "targets": torch.cat([words, torch.full((1, BATCH), END)], dim=0).reshape(-1),
            "real": torch.cat([words, torch.full((1, BATCH), END)], dim=0).T,
            "sources": F.one_hot(sources, 2).float(), "targets_onehot": F.one_hot(1 - sources, 2).float(),
            "rows": torch.stack([torch.nonzero(sources == s)[:, 0] for s in (0, 1)]),
            "fake_rows": torch.stack([torch.nonzero(1 - sources == s)[:, 0] for s in (0, 1)]),
        }

    def cross_aligned_forward(g: Generator, ds: torch.nn.ModuleList, batch: dict[str, torch.Tensor]
                              ) -> tuple[torch.Tensor, torch.Tensor]:
        content = g.encode(batch["reversed"], batch["sources"], True)
        original = torch.cat([g.decoder_style(batch["sources"]), content], dim=1)
        transferred = torch.cat([g.decoder_style(batch["targets_onehot"]), content], dim=1)
        states, logits = g.teacher(batch["inputs"], original, True)
        reconstruction = F.cross_entropy(logits, batch["targets"], reduction="sum") / BATCH
        h = transferred
        x = g.embedding(torch.full((BATCH,), BEGIN))
        soft = [h]
        for t in range(STEPS):
            h = g.cell(x, h)
            soft.append(h)
            if t + 1 < STEPS:
                distribution = torch.softmax(g.output(F.dropout(h, DROPOUT, True)) / SOFT_TEMPERATURE, dim=-1)
                x = distribution @ g.embedding.weight
        soft_states = torch.stack(soft, dim=2)
        d_loss, adversarial = 0.0, 0.0
        for style, d in enumerate(ds):
            real = d(states[batch["rows"][style]])
            fake = d(soft_states[batch["fake_rows"][style]])
            d_loss = d_loss + F.binary_cross_entropy_with_logits(real, torch.ones_like(real)) \
                + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))
            adversarial = adversarial + F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))
        return reconstruction + adversarial, d_loss

    def cycle_forward(g: Generator, ds: torch.nn.ModuleList, batch: dict[str, torch.Tensor]
                      ) -> tuple[torch.Tensor, torch.Tensor]:
        content = g.encode(batch["reversed"], batch["sources"], True)
        original = torch.cat([g.decoder_style(batch["sources"]), content], dim=1)
        _, logits = g.teacher(batch["inputs"], original, True)
        reconstruction = F.cross_entropy(logits, batch["targets"], reduction="sum") / BATCH
        h = torch.cat([g.decoder_style(batch["targets_onehot"]), content], dim=1)
        x = g.embedding(torch.full((BATCH,), BEGIN))
        samples = []
        for _ in range(STEPS):
            h = g.cell(x, h)
            sample = F.gumbel_softmax(g.output(h), tau=GUMBEL_TEMPERATURE, hard=True)
            samples.append(sample)
            x = sample @ g.embedding.weight
        fake = torch.stack(samples, dim=1)  # [B, STEPS, V]
        d_loss, adversarial = 0.0, 0.0
        for style, d in enumerate(ds):
            real_logits = d(batch["real"][batch["rows"][style]])
            fake_logits = d.soft(fake[batch["fake_rows"][style]])
            ones = torch.ones(real_logits.shape[0], dtype=torch.long)
            d_loss = d_loss + F.cross_entropy(real_logits, ones) + F.cross_entropy(fake_logits, torch.zeros_like(ones))
            adversarial = adversarial + F.cross_entropy(fake_logits, ones)
        back = g.encode_embedded(fake.flip(1).transpose(0, 1) @ g.embedding.weight, batch["targets_onehot"])
        _, back_logits = g.teacher(batch["inputs"], torch.cat([g.decoder_style(batch["sources"]), back], dim=1),
                                   False)
        cycle = F.cross_entropy(back_logits, batch["targets"], reduction="sum") / BATCH
        return reconstruction + adversarial + cycle, d_loss

    def make(forward: Callable[..., tuple[torch.Tensor, torch.Tensor]], discriminator: type
             ) -> Callable[[], Callable[[], None]]:
        def body_maker() -> Callable[[], None]:
            torch.manual_seed(0)
            g = Generator()
            ds = torch.nn.ModuleList([discriminator(), discriminator()])
            g_parameters, d_parameters = list(g.parameters()), list(ds.parameters())
            g_optimizer = torch.optim.Adam(g_parameters, lr=LEARNING_RATE, betas=(BETA1, 0.999))
            d_optimizer = torch.optim.Adam(d_parameters, lr=LEARNING_RATE, betas=(BETA1, 0.999))
            batch = data()
            losses = torch.compile(forward, dynamic=False) if compile_model else forward

            def body() -> None:
                g_loss, d_loss = losses(g, ds, batch)
                d_grads = torch.autograd.grad(d_loss, d_parameters, retain_graph=True)
                g_grads = torch.autograd.grad(g_loss, g_parameters)
                for parameter, grad in zip(d_parameters, d_grads):
                    parameter.grad = grad
                for parameter, grad in zip(g_parameters, g_grads):
                    parameter.grad = grad
                d_optimizer.step()
                torch.nn.utils.clip_grad_norm_(g_parameters, CLIP)
                g_optimizer.step()

            return body

        return body_maker

    return [(CROSS_ALIGNED_CASE, "steps/s", 1.0, make(cross_aligned_forward, StateDiscriminator)),
            (CYCLE_CASE, "steps/s", 1.0, make(cycle_forward, TextCNN))]


def jax_cases() -> list[Case]:
    common = jax_common()
    jax, jnp, optax = common["jax"], common["jnp"], common["optax"]
    linear, apply_linear, uniform = common["linear"], common["apply_linear"], common["uniform"]
    sg = jax.lax.stop_gradient

    def gru(key: Any) -> dict[str, Any]:
        keys = jax.random.split(key, 4)
        bound = HIDDEN ** -0.5
        return {"weight_ih": uniform(keys[0], (3 * HIDDEN, EMBEDDING), bound),
                "weight_hh": uniform(keys[1], (3 * HIDDEN, HIDDEN), bound),
                "bias_ih": uniform(keys[2], (3 * HIDDEN,), bound), "bias_hh": uniform(keys[3], (3 * HIDDEN,), bound)}

    def project(layer: dict[str, Any], x: Any) -> Any:
        return x @ layer["weight_ih"].T + layer["bias_ih"]

    def gru_cell(layer: dict[str, Any], projected: Any, h: Any) -> Any:
        gh = h @ layer["weight_hh"].T + layer["bias_hh"]
        xr, xz, xn = jnp.split(projected, 3, axis=-1)
        hr, hz, hn = jnp.split(gh, 3, axis=-1)
        r, z = jax.nn.sigmoid(xr + hr), jax.nn.sigmoid(xz + hz)
        n = jnp.tanh(xn + r * hn)
        return (1 - z) * n + z * h

    def gru_sequence(layer: dict[str, Any], inputs: Any, h: Any) -> tuple[Any, Any]:
        """Outputs [T, B, H] and the final state; input projections in one GEMM."""
        def step(h: Any, x: Any) -> tuple[Any, Any]:
            h = gru_cell(layer, x, h)
            return h, h

        final, outputs = jax.lax.scan(step, h, project(layer, inputs))
        return outputs, final

    def dropout(x: Any, key: Any) -> Any:
        if key is None:
            return x
        return jnp.where(jax.random.bernoulli(key, 1 - DROPOUT, x.shape), x / (1 - DROPOUT), 0.0)

    def conv(layer: dict[str, Any], x: Any) -> Any:  # [B, C, L] -> [B, O, L - w + 1]
        y = jax.lax.conv_general_dilated(x, layer["weight"], (1,), "VALID", dimension_numbers=("NCH", "OIH", "NCH"))
        return y + layer["bias"][None, :, None]

    def conv_params(key: Any, channels: int) -> list[dict[str, Any]]:
        layers = []
        for key, width in zip(jax.random.split(key, len(WIDTHS)), WIDTHS):
            weight_key, bias_key = jax.random.split(key)
            bound = (channels * width) ** -0.5
            layers.append({"weight": uniform(weight_key, (FILTERS, channels, width), bound),
                           "bias": uniform(bias_key, (FILTERS,), bound)})
        return layers

    def generator_params(key: Any) -> dict[str, Any]:
        keys = jax.random.split(key, 6)
        embedding = 0.1 * jax.random.normal(keys[0], (VOCABULARY, EMBEDDING), jnp.float32)
        return {"embedding": embedding.at[PAD].set(0.0), "encoder_style": linear(keys[1], 2, STYLE),
                "decoder_style": linear(keys[2], 2, STYLE), "encoder": gru(keys[3]), "decoder": gru(keys[4]),
                "output": linear(keys[5], HIDDEN, VOCABULARY)}

    def data() -> dict[str, Any]:
        words = jax.random.randint(jax.random.PRNGKey(5), (WORDS, BATCH), 4, VOCABULARY)
        sources = jnp.arange(BATCH) % 2
        end = jnp.full((1, BATCH), END, jnp.int32)
        return {"reversed": words[::-1], "inputs": jnp.concatenate([jnp.full((1, BATCH), BEGIN, jnp.int32), words]),
                "targets": jnp.concatenate([words, end]).reshape(-1), "real": jnp.concatenate([words, end]).T,
                "sources": jax.nn.one_hot(sources, 2), "targets_onehot": jax.nn.one_hot(1 - sources, 2)}

    # Rows of each style (sources alternate 0, 1): real rows of style s are s, s + 2, ...; transferred to s: 1 - s, ...
    real_rows = [jnp.arange(s, BATCH, 2) for s in (0, 1)]
    fake_rows = [jnp.arange(1 - s, BATCH, 2) for s in (0, 1)]

    def encode_embedded(g: dict[str, Any], inputs: Any, styles: Any) -> Any:
        initial = jnp.concatenate([apply_linear(g["encoder_style"], styles), jnp.zeros((BATCH, CONTENT))], axis=1)
        _, final = gru_sequence(g["encoder"], inputs, initial)
        return final[:, STYLE:]

    def teacher(g: dict[str, Any], inputs: Any, initial: Any, keys: Any) -> tuple[Any, Any]:
        embedded = dropout(g["embedding"][inputs], None if keys is None else keys[0])
        outputs, _ = gru_sequence(g["decoder"], embedded, initial)
        states = jnp.concatenate([initial[None], outputs], axis=0).transpose(1, 2, 0)
        features = dropout(outputs, None if keys is None else keys[1]).reshape(-1, HIDDEN)
        return states, apply_linear(g["output"], features)

    def summed_cross_entropy(logits: Any, targets: Any) -> Any:
        return optax.softmax_cross_entropy_with_integer_labels(logits, targets).sum() / BATCH

    def reconstruction_part(g: dict[str, Any], batch: dict[str, Any], keys: Any) -> tuple[Any, Any, Any]:
        content = encode_embedded(g, dropout(g["embedding"][batch["reversed"]], keys[0]), batch["sources"])
        original = jnp.concatenate([apply_linear(g["decoder_style"], batch["sources"]), content], axis=1)
        states, logits = teacher(g, batch["inputs"], original, keys[1:3])
        return content, states, summed_cross_entropy(logits, batch["targets"])

    def begin_input(g: dict[str, Any]) -> Any:
        return jnp.broadcast_to(g["embedding"][BEGIN], (BATCH, EMBEDDING))

    def cross_aligned_losses(g: dict[str, Any], d: list[Any], batch: dict[str, Any], key: Any) -> Any:
        keys = jax.random.split(key, 4)
        content, states, reconstruction = reconstruction_part(g, batch, keys)
        transferred = jnp.concatenate([apply_linear(g["decoder_style"], batch["targets_onehot"]), content], axis=1)

        def soft_step(carry: tuple[Any, Any], key: Any) -> tuple[tuple[Any, Any], Any]:
            x, h = carry
            h = gru_cell(g["decoder"], project(g["decoder"], x), h)
            distribution = jax.nn.softmax(apply_linear(g["output"], dropout(h, key)) / SOFT_TEMPERATURE, axis=-1)
            return (distribution @ g["embedding"], h), h

        (x, h), hs = jax.lax.scan(soft_step, (begin_input(g), transferred), jax.random.split(keys[3], STEPS - 1))
        last = gru_cell(g["decoder"], project(g["decoder"], x), h)
        soft = jnp.concatenate([transferred[None], hs, last[None]], axis=0).transpose(1, 2, 0)

        def discriminate(layers: dict[str, Any], x: Any) -> Any:
            pooled = [jax.nn.leaky_relu(conv(layer, x), 0.01).max(axis=2) for layer in layers["convolutions"]]
            return apply_linear(layers["output"], jnp.concatenate(pooled, axis=1))[:, 0]

        def bce(logits: Any, label: float) -> Any:
            return optax.sigmoid_binary_cross_entropy(logits, jnp.full(logits.shape, label)).mean()

        d_loss, adversarial = 0.0, 0.0
        for style in (0, 1):
            real = discriminate(d[style], sg(states[real_rows[style]]))
            fake_inputs = soft[fake_rows[style]]
            d_loss = d_loss + bce(real, 1.0) + bce(discriminate(d[style], sg(fake_inputs)), 0.0)
            adversarial = adversarial + bce(discriminate(sg(d[style]), fake_inputs), 1.0)
        # One scalar whose gradient is (d L_G / d generator, d L_D / d discriminators).
        return reconstruction + adversarial + d_loss

    def cycle_losses(g: dict[str, Any], d: list[Any], batch: dict[str, Any], key: Any) -> Any:
        keys = jax.random.split(key, 4)
        content, _, reconstruction = reconstruction_part(g, batch, keys)
        transferred = jnp.concatenate([apply_linear(g["decoder_style"], batch["targets_onehot"]), content], axis=1)

        def gumbel_step(carry: tuple[Any, Any], key: Any) -> tuple[tuple[Any, Any], Any]:
            x, h = carry
            h = gru_cell(g["decoder"], project(g["decoder"], x), h)
            logits = apply_linear(g["output"], h)
            soft = jax.nn.softmax((logits + jax.random.gumbel(key, logits.shape)) / GUMBEL_TEMPERATURE, axis=-1)
            sample = jax.nn.one_hot(jnp.argmax(soft, axis=-1), VOCABULARY) + soft - sg(soft)
            return (sample @ g["embedding"], h), sample

        _, samples = jax.lax.scan(gumbel_step, (begin_input(g), transferred), jax.random.split(keys[3], STEPS))
        fake = samples.transpose(1, 0, 2)  # [B, STEPS, V]

        def classify(layers: dict[str, Any], embedded: Any) -> Any:  # [N, L, E]
            x = embedded.transpose(0, 2, 1)
            pooled = [jax.nn.relu(conv(layer, x)).max(axis=2) for layer in layers["convolutions"]]
            return apply_linear(layers["output"], jnp.concatenate(pooled, axis=1))

        def cross_entropy(logits: Any, label: int) -> Any:
            return optax.softmax_cross_entropy_with_integer_labels(
                logits, jnp.full((logits.shape[0],), label)).mean()

        d_loss, adversarial = 0.0, 0.0
        for style in (0, 1):
            layers = d[style]
            real = classify(layers, layers["embedding"][batch["real"][real_rows[style]]])
            fake_rows_p = fake[fake_rows[style]]
            d_loss = d_loss + cross_entropy(real, 1) + cross_entropy(classify(layers, sg(fake_rows_p)
                                                                              @ layers["embedding"]), 0)
            frozen = sg(layers)
            adversarial = adversarial + cross_entropy(classify(frozen, fake_rows_p @ frozen["embedding"]), 1)
        back = encode_embedded(g, samples[::-1] @ g["embedding"], batch["targets_onehot"])
        initial = jnp.concatenate([apply_linear(g["decoder_style"], batch["sources"]), back], axis=1)
        _, back_logits = teacher(g, batch["inputs"], initial, None)
        cycle = summed_cross_entropy(back_logits, batch["targets"])
        return reconstruction + adversarial + cycle + d_loss

    def make(losses: Callable[..., Any], discriminator: Callable[[Any], Any]) -> Callable[[], Callable[[], None]]:
        def body_maker() -> Callable[[], None]:
            keys = jax.random.split(jax.random.PRNGKey(0), 3)
            params = {"g": generator_params(keys[0]), "d": [discriminator(keys[1]), discriminator(keys[2])]}
            adam = optax.adam(LEARNING_RATE, b1=BETA1, b2=0.999)
            optimizer = optax.multi_transform(
                {"g": optax.chain(optax.clip_by_global_norm(CLIP), adam), "d": adam}, {"g": "g", "d": "d"})
            batch = data()

            def loss(params: dict[str, Any], batch: dict[str, Any], key: Any) -> Any:
                return losses(params["g"], params["d"], batch, key)

            return common["jitted_step"](loss, params, optimizer, batch, with_key=True)

        return body_maker

    def state_discriminator(key: Any) -> dict[str, Any]:
        conv_key, output_key = jax.random.split(key)
        return {"convolutions": conv_params(conv_key, HIDDEN),
                "output": linear(output_key, FILTERS * len(WIDTHS), 1)}

    def text_cnn(key: Any) -> dict[str, Any]:
        keys = jax.random.split(key, 3)
        embedding = jax.random.normal(keys[0], (VOCABULARY, EMBEDDING), jnp.float32).at[PAD].set(0.0)
        return {"embedding": embedding, "convolutions": conv_params(keys[1], EMBEDDING),
                "output": linear(keys[2], FILTERS * len(WIDTHS), 2)}

    return [(CROSS_ALIGNED_CASE, "steps/s", 1.0, make(cross_aligned_losses, state_discriminator)),
            (CYCLE_CASE, "steps/s", 1.0, make(cycle_losses, text_cnn))]


if __name__ == "__main__":
    sys.exit(run(__doc__.splitlines()[0], [CROSS_ALIGNED_CASE, CYCLE_CASE], torch_cases, jax_cases))
