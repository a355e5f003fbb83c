/// Corpus: loading XML and plain-text corpora (see the module README).
