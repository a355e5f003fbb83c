#!/usr/bin/env python3
"""Writes Tests/TextGenerationTests/Fixtures/text_metrics.json: BLEU, chrF and diversity self-BLEU computed by
sacreBLEU and NLTK on seeded synthetic sentences (ASCII punctuation, digits, HTML entities, Unicode letters and
whitespace), for Montague's text-metric tests.

    python3 -m venv venv && venv/bin/pip install sacrebleu nltk
    venv/bin/python bench/text_metrics_fixture.py
"""
import json
import random
import sys
from pathlib import Path

import nltk
import sacrebleu
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from sacrebleu.metrics import BLEU, CHRF

WORDS = ["the", "food", "was", "great", "terrible", "service", "is", "not", "good", "bad", "I", "loved", "it",
         "hated", "staff", "café", "naïve", "über", "日本", "prix", "3.5", "1,000", "well-done", "it's", "don't",
         "&amp;", "&quot;", "<b>", "e-mail", "U.S.", "$20", "100%", "(great)", "again!", "why?", "ok...", "x-1"]
PUNCT = [".", ",", "!", "?", ";", ":", "-", "'", '"', "(", ")", "/", "..."]
SPACES = [" ", " ", " ", " ", "  ", "\t", "\u00a0", "\u3000"]


def sentence(rng, length):
    parts = []
    for _ in range(length):
        token = rng.choice(WORDS) if rng.random() < 0.85 else rng.choice(PUNCT)
        parts.append(token)
        parts.append(rng.choice(SPACES))
    return "".join(parts).strip() if rng.random() < 0.8 else "".join(parts)


def perturb(rng, text):
    tokens = text.split()
    out = []
    for token in tokens:
        r = rng.random()
        if r < 0.15:
            continue
        if r < 0.3:
            out.append(rng.choice(WORDS))
        out.append(token)
    return " ".join(out)


def main():
    rng = random.Random(2026)
    cases = []
    for case in range(6):
        n = rng.randint(3, 12)
        refs_count = 1 + case % 3
        base = [sentence(rng, rng.randint(0, 14)) for _ in range(n)]
        refs = [[perturb(rng, s) if k else s for s in base] for k in range(refs_count)]
        hyps = [perturb(rng, s) for s in base]
        if case == 0:
            hyps[0] = ""  # an empty hypothesis
        entry = {"hypotheses": hyps, "references": refs, "bleu": {}, "chrf": {}, "sentence_bleu": [], "sentence_chrf": []}
        for tokenize in ["13a", "none"]:
            for smooth in ["exp", "none", "floor", "add-k"]:
                for lowercase in [False, True]:
                    metric = BLEU(tokenize=tokenize, smooth_method=smooth, lowercase=lowercase)
                    score = metric.corpus_score(hyps, refs)
                    key = f"{tokenize}/{smooth}/{'lc' if lowercase else 'mixed'}"
                    entry["bleu"][key] = {"score": score.score, "precisions": score.precisions,
                                          "bp": score.bp, "sys_len": score.sys_len, "ref_len": score.ref_len}
        for word_order in [0, 2]:
            for eps in [False, True]:
                for lowercase in [False, True]:
                    metric = CHRF(word_order=word_order, eps_smoothing=eps, lowercase=lowercase)
                    key = f"w{word_order}/{'eps' if eps else 'eff'}/{'lc' if lowercase else 'mixed'}"
                    entry["chrf"][key] = metric.corpus_score(hyps, refs).score
        for index, hyp in enumerate(hyps):
            sent_refs = [stream[index] for stream in refs]
            entry["sentence_bleu"].append(sacrebleu.sentence_bleu(hyp, sent_refs).score)
            entry["sentence_chrf"].append(sacrebleu.sentence_chrf(hyp, sent_refs).score)
        entry["tokens_13a"] = [sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()(h.rstrip()) for h in hyps]
        cases.append(entry)

    # Diversity self-BLEU (Texygen: NLTK sentence_bleu, uniform weights, method1) on tokenized samples.
    samples = [" ".join(sentence(rng, rng.randint(1, 9)).split()) for _ in range(40)]
    samples += samples[:3]  # duplicates
    smoothing = SmoothingFunction().method1
    self_bleu = {}
    for order in [2, 3, 4]:
        weights = tuple(1.0 / order for _ in range(order))
        total = 0.0
        for i, hyp in enumerate(samples):
            refs = [s.split() for j, s in enumerate(samples) if j != i]
            total += sentence_bleu(refs, hyp.split(), weights, smoothing_function=smoothing)
        self_bleu[str(order)] = total / len(samples)

    out = {"generator": "bench/text_metrics_fixture.py", "sacrebleu": sacrebleu.__version__, "nltk": nltk.__version__,
           "cases": cases, "self_bleu": {"samples": samples, "scores": self_bleu}}
    path = Path(__file__).resolve().parent.parent / "Tests/TextGenerationTests/Fixtures/text_metrics.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
