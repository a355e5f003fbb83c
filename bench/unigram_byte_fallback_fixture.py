"""Reference for the unigram tokenizer's byte fallback: trains SentencePiece (unigram, byte_fallback=True, identity
normalization) on a small fixed corpus and prints a Swift fixture — the model's pieces, scores and types, and the
ids SentencePiece gives a few strings with characters outside the vocabulary — for
Tests/CorpusTests/SubwordByteFallbackTests.swift.

    /work/venv-ref/bin/python bench/unigram_byte_fallback_fixture.py > /tmp/fixture.swift
"""

import json
import os
import tempfile

import sentencepiece as spm

CORPUS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog met on a mat",
    "cats and dogs like mats and logs",
    "the man in the hat saw the cat",
] * 4

CASES = [
    "the cat sat",
    "the zebra ate a quokka",
    "naïve café — déjà vu",
    "日本語 テキスト",
    "emoji 🐈‍⬛ and 👍🏽",
    "tabs\tand\u00a0nbsp",
]


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        corpus = os.path.join(directory, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as handle:
            handle.write("\n".join(CORPUS) + "\n")
        prefix = os.path.join(directory, "model")
        spm.SentencePieceTrainer.train(
            input=corpus, model_prefix=prefix, model_type="unigram", vocab_size=290, byte_fallback=True,
            normalization_rule_name="identity", character_coverage=1.0, hard_vocab_limit=False,
            minloglevel=2, split_digits=False, remove_extra_whitespaces=False)
        processor = spm.SentencePieceProcessor(model_file=prefix + ".model")
        pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
        scores = [processor.get_score(i) for i in range(processor.get_piece_size())]
        kinds = ["unknown" if processor.is_unknown(i) else "control" if processor.is_control(i)
                 else "byte" if processor.is_byte(i) else "normal" for i in range(processor.get_piece_size())]
        cases = [{"text": text, "ids": processor.encode(text), "decoded": processor.decode(processor.encode(text))}
                 for text in CASES]
    fixture = {"pieces": pieces, "scores": scores, "kinds": kinds, "cases": cases}
    print(json.dumps(fixture, ensure_ascii=False))


if __name__ == "__main__":
    main()
