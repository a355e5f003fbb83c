"""PyTorch reference for the SeqGAN generator step of Benchmarks/TextGenerationBenchmarks.swift.

One step: sample 64 sequences of 20 tokens from an LSTM generator (vocabulary 5,000, embedding and hidden 32)
token by token (torch.multinomial on the full softmax, no gradients), score them teacher-forced with nn.LSTM,
REINFORCE loss -mean(log p(y_t) * Q_t) with fixed rewards, backward, clip_grad_norm_(5), Adam(lr=0.01).
Prints one JSON line per thread count (same format as pytorch_reference.py); unit: tokens/s.

    OMP_NUM_THREADS=1 python bench/seqgan_reference.py --threads 1 2
"""

import argparse
import sys

import torch

from bench_harness import Harness
from pytorch_reference import emit, progress

CASE = "seqgan-generator-step v5000 e32 h32 b64 t20 reinforce"
VOCABULARY, SIZE, BATCH, LENGTH = 5_000, 32, 64, 20


class Generator(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embedding = torch.nn.Embedding(VOCABULARY, SIZE)
        self.lstm = torch.nn.LSTM(SIZE, SIZE)
        self.output = torch.nn.Linear(SIZE, VOCABULARY)

    def forward(self, tokens: torch.Tensor, state=None):
        hidden, state = self.lstm(self.embedding(tokens), state)
        return self.output(hidden), state


def step_body():
    torch.manual_seed(0)
    model = Generator()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    rewards = torch.rand(LENGTH, BATCH)

    def body() -> None:
        with torch.no_grad():
            token = torch.zeros(1, BATCH, dtype=torch.long)
            state = None
            sampled = []
            for _ in range(LENGTH):
                logits, state = model(token, state)
                token = torch.multinomial(torch.softmax(logits[0], dim=-1), 1).T
                sampled.append(token)
            sequences = torch.cat(sampled, dim=0)  # [LENGTH, BATCH]
        inputs = torch.cat([torch.zeros(1, BATCH, dtype=torch.long), sequences[:-1]], dim=0)
        logits, _ = model(inputs)
        log_probabilities = torch.log_softmax(logits, dim=-1).gather(2, sequences.unsqueeze(2)).squeeze(2)
        loss = -(log_probabilities * rewards).mean()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()

    return body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter samples (development only)")
    arguments = parser.parse_args()
    harness = Harness.for_arguments(arguments)
    for threads in arguments.threads:
        torch.set_num_threads(threads)
        progress(f"measuring {CASE} (pytorch, {threads} thread(s))")
        emit(CASE, "pytorch", threads, "tokens/s", harness.rate(step_body(), float(BATCH * LENGTH)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
