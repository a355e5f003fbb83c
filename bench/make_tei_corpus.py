#!/usr/bin/env python3
"""Generate a large TEI-like drama corpus for the corpus-reading benchmark (deterministic for a seed).

Usage: python3 bench/make_tei_corpus.py [OUTPUT] [--megabytes 200] [--seed 1]
Default output: .build-bench-data/tei-200mb.xml (git-ignored).
Structure: one TEI document with a header, acts and scenes as <div type n>, speeches <sp who><speaker>, verse lines
<l n>, prose <p> with <lb/>, stage directions, a few <w lemma pos> tokens, entities and non-ASCII text.
"""
import os
import random
import sys

WORDS = ("the and to of I you my a that in is not it with me be his your this but for he have as thou so will "
         "what him her thy all do no by shall if are we our on or now more thee lord good come king sir love "
         "let well how from here they man one would was them then there such which their heaven night death "
         "upon speak o’er ’tis e’en fair sweet true noble blood hand eyes heart soul world time day life "
         "Denmark Hamlet Horatio Ophelia Polonius ghost grave madness crown poison sword café naïve "
         "3 27.5 1,000").split()
SPEAKERS = ["HAMLET", "HORATIO", "OPHELIA", "POLONIUS", "GERTRUDE", "CLAUDIUS", "LAERTES", "GHOST"]


def sentence(rng, low=4, high=12):
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([",", ".", ";", "?", "!", ":"])


def main():
    if "-h" in sys.argv or "--help" in sys.argv:
        print(__doc__)
        return
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    output = args[0] if args else ".build-bench-data/tei-200mb.xml"
    megabytes = 200
    seed = 1
    if "--megabytes" in sys.argv:
        megabytes = float(sys.argv[sys.argv.index("--megabytes") + 1])
    if "--seed" in sys.argv:
        seed = int(sys.argv[sys.argv.index("--seed") + 1])
    target = int(megabytes * 1_000_000)
    rng = random.Random(seed)
    os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
    with open(output, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE TEI [ <!ENTITY amp2 "&#38;#38;"> ]>\n')
        out.write('<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<teiHeader><fileDesc><titleStmt>'
                  '<title>Benchmark Play</title></titleStmt></fileDesc></teiHeader>\n<text><body>\n')
        size = out.tell()
        act = scene = speech = line = 0
        while size < target:
            act += 1
            out.write(f'<div type="act" n="{act}">\n<head>ACT {act}</head>\n')
            for scene in range(1, 6):
                chunk = [f'<div type="scene" n="{scene}">\n<stage type="entrance">Enter {rng.choice(SPEAKERS)}.</stage>\n']
                for _ in range(200):
                    speech += 1
                    who = rng.choice(SPEAKERS)
                    chunk.append(f'<sp who="#{who}" xml:id="sp-{speech}"><speaker>{who}</speaker>\n')
                    if rng.random() < 0.7:
                        for _ in range(rng.randint(1, 8)):
                            line += 1
                            text = sentence(rng)
                            if rng.random() < 0.05:
                                text += ' <w lemma="be" pos="vvi">be</w> &amp; more'
                            chunk.append(f'<l n="{act}.{scene}.{line}" xml:id="l-{line}">{text}</l>\n')
                    else:
                        parts = []
                        for _ in range(rng.randint(1, 6)):
                            line += 1
                            parts.append(f'<lb n="{act}.{scene}.{line}"/>{sentence(rng, 8, 16)}')
                        chunk.append("<p>" + "\n".join(parts) + "</p>\n")
                    chunk.append("</sp>\n")
                chunk.append("</div>\n")
                out.write("".join(chunk))
            out.write("</div>\n")
            size = out.tell()
        out.write("</body></text>\n</TEI>\n")
    print(f"wrote {output}: {os.path.getsize(output) / 1e6:.1f} MB, {speech} speeches, {line} lines")


if __name__ == "__main__":
    main()
