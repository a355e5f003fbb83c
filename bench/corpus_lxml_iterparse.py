#!/usr/bin/env python3
"""Reference for the corpus benchmark: lxml iterparse over a TEI file, collecting the text of every <l>/<p>
(clearing elements as it goes, the documented constant-memory idiom), and optionally splitting it into tokens.

Usage: python3 bench/corpus_lxml_iterparse.py FILE [--tokens]
Prints: seconds and MB/s (wall clock and CPU user+sys), units, tokens, peak RSS (MB).
"""
import os
import re
import resource
import sys
import time

from lxml import etree

TEI = "{http://www.tei-c.org/ns/1.0}"
TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


def main():
    path = sys.argv[1]
    with_tokens = "--tokens" in sys.argv
    size = os.path.getsize(path) / 1e6
    start = time.perf_counter()
    start_cpu = time.process_time()
    units = tokens = 0
    for _, element in etree.iterparse(path, events=("end",), tag=(TEI + "l", TEI + "p", TEI + "sp"),
                                      resolve_entities=False, no_network=True, huge_tree=False):
        if element.tag != TEI + "sp":
            text = " ".join("".join(element.itertext()).split())
            units += 1
            if with_tokens:
                tokens += len(TOKEN.findall(text))
        else:
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    seconds = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    name = "lxml iterparse units" + (" + tokens" if with_tokens else "")
    print(f"reference  {name:34s} {size:8.1f} MB {seconds:7.2f} s {size / seconds:8.1f} MB/s  cpu {cpu:6.2f} s "
          f"{size / cpu:8.1f} MB/s {units:10d} units {tokens:11d} tokens  peak RSS {peak:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
