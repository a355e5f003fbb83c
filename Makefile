# Montague: build, test, run and benchmark.
#
#   make run     install missing system packages, release build, run montague (--help, --version, the XOR demo, a grammar check)
#   make test    install missing system packages, run the test suite (debug)
#   make bench   install missing system packages, release benchmarks vs cblas, PyTorch and JAX, one table; corpus vs xmllint/lxml
#   make build   release build          make lint    swift format lint --strict
#   make setup   system packages only   make clean   remove build products (make distclean: also the venv)
#   make install PREFIX=DIR   release build, montague copied to DIR/bin (default /usr/local)

SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
PYTHON ?= python3

# Debian packages the system-library targets need (Sources/CBLAS, Sources/CLibXML2), and Open MPI (mpirun and the
# libmpi that Sources/Distributed opens at run time; builds without it run single-process).
APT_PACKAGES := libopenblas-dev libxml2-dev libbz2-dev pkg-config openmpi-bin libopenmpi-dev

RELEASE_BIN := .build/release
LINT_PATHS := Sources Tests Benchmarks

# Benchmarks: thread counts (OPENBLAS_NUM_THREADS / torch.set_num_threads), where results go, extra flags for both
# runners (e.g. BENCH_FLAGS="--quick --filter sgemm"), and the PyTorch / JAX reference environment (git-ignored).
BENCH_THREADS ?= 1 2
BENCH_DIR ?= runs/bench
BENCH_FLAGS ?=
BENCH_REFERENCE ?= 1
BENCH_VENV := .venv-bench
# The corpus benchmark's input (generated once) and whether `make bench` runs it.
CORPUS_BENCH_FILE ?= .build-bench-data/tei-200mb.xml
CORPUS_BENCH ?= 1
TORCH_REQUIREMENT ?= torch==2.13.0+cpu

.PHONY: help setup build install run test test-standalone test-release bench bench-grammar bench-corpus \
	bench-reference-env bench-versioned-dependency api-breaking-changes lint clean distclean

help:
	@sed -n '3,8p' Makefile | sed 's/^# \{0,1\}//'

## setup: install the missing Debian packages (as root, else through sudo); silent when all are present.
setup:
	@command -v $(SWIFT) >/dev/null 2>&1 || { \
		echo "setup: '$(SWIFT)' not found: install a Swift 6.1+ toolchain (https://www.swift.org/install)" >&2; \
		exit 1; }
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
		echo "setup: not a Debian-based system; install OpenBLAS, libxml2 (development files) and pkg-config" \
			"with your package manager" >&2; \
		exit 0; \
	fi; \
	missing=""; \
	for package in $(APT_PACKAGES); do \
		status="$$(dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null || true)"; \
		[ "$$status" = "install ok installed" ] || missing="$$missing $$package"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	else echo "setup: missing packages:$$missing; run as root or install them yourself" >&2; exit 1; fi; \
	echo "setup: installing$$missing"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

## build: release build of every product.
build: setup
	$(SWIFT) build -c release

## install: the release montague in $(PREFIX)/bin ($(DESTDIR) prefixes it for packaging).
PREFIX ?= /usr/local
install: setup
	$(SWIFT) build -c release --product montague
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 $(RELEASE_BIN)/montague "$(DESTDIR)$(PREFIX)/bin/montague"
	@echo "install: $(DESTDIR)$(PREFIX)/bin/montague (put $(PREFIX)/bin on your PATH)"

## run: the main demo on a release build.
run: build
	@echo '$$ montague --help'
	@$(RELEASE_BIN)/montague --help
	@echo '$$ montague --version'
	@$(RELEASE_BIN)/montague --version
	@echo '$$ montague demo'
	@$(RELEASE_BIN)/montague demo
	@echo '$$ montague check grammars/arithmetic.mont --notion N1'
	@$(RELEASE_BIN)/montague check grammars/arithmetic.mont --notion N1

## test: the whole test suite in debug; non-zero exit on any failure.
# One OpenBLAS thread unless the caller says otherwise: the tests run in parallel on tiny matrices.
# An OpenBLAS that does not know the CPU gets the kernel family it has (bench/openblas_coretype.sh), as the
# montague tool does for itself; a value the caller set is kept.
test: setup
	@coretype="$$(bash bench/openblas_coretype.sh)"; \
	[ -z "$$coretype" ] || echo "test: OPENBLAS_CORETYPE=$$coretype (this OpenBLAS does not know the CPU)"; \
	env $${coretype:+OPENBLAS_CORETYPE=$$coretype} OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} $(SWIFT) test

## test-standalone: the suite in a copy with no external data beside it (as a user's clone); lists what was skipped.
test-standalone: setup
	bash .ci/standalone-test.sh

## test-release: the whole suite optimized, including the learning tests gated to release builds.
test-release: setup
	@coretype="$$(bash bench/openblas_coretype.sh)"; \
	env $${coretype:+OPENBLAS_CORETYPE=$$coretype} OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1} \
		$(SWIFT) test -c release -Xswiftc -enable-testing

## bench: release benchmarks (Benchmarks/) and the PyTorch reference (bench/), one comparison table; then the grammar
## and corpus benchmarks (the corpus one generates its 200 MB file once, into .build-bench-data/).
bench: APT_PACKAGES += $(if $(filter 1,$(CORPUS_BENCH)),libxml2-utils)
bench: setup $(if $(filter 1,$(BENCH_REFERENCE)),bench-reference-env)
	$(SWIFT) build -c release --product MontagueBenchmarks
	@mkdir -p $(BENCH_DIR) && rm -f $(BENCH_DIR)/montague.jsonl $(BENCH_DIR)/pytorch.jsonl $(BENCH_DIR)/sampling.jsonl \
		$(BENCH_DIR)/jax.jsonl $(BENCH_DIR)/textgen.jsonl
	@coretype="$$(bash bench/openblas_coretype.sh)"; \
	[ -z "$$coretype" ] || echo "bench: this OpenBLAS does not know the CPU and would use old kernels;" \
		"OPENBLAS_CORETYPE=$$coretype for Montague and the GEMM-only bound (set OPENBLAS_CORETYPE to choose)"; \
	for threads in $(BENCH_THREADS); do \
		echo "bench: Montague, $$threads thread(s)"; \
		env $${coretype:+OPENBLAS_CORETYPE=$$coretype} OPENBLAS_NUM_THREADS=$$threads \
			$(RELEASE_BIN)/MontagueBenchmarks --threads $$threads $(BENCH_FLAGS) >> $(BENCH_DIR)/montague.jsonl \
			|| exit 1; \
	done
	@if [ "$(BENCH_REFERENCE)" = 1 ] && [ -x $(BENCH_VENV)/bin/python ] \
		&& $(BENCH_VENV)/bin/python -c 'import torch' >/dev/null 2>&1; then \
		for threads in $(BENCH_THREADS); do \
			echo "bench: PyTorch reference, $$threads thread(s)"; \
			OMP_NUM_THREADS=$$threads $(BENCH_VENV)/bin/python bench/pytorch_reference.py --threads $$threads \
				$(BENCH_FLAGS) >> $(BENCH_DIR)/pytorch.jsonl \
				|| echo "bench: the PyTorch reference failed; its rows read 'unavailable'" >&2; \
			echo "bench: JAX reference, $$threads thread(s)"; \
			$(BENCH_VENV)/bin/python bench/jax_reference.py --threads $$threads $(BENCH_FLAGS) \
				>> $(BENCH_DIR)/jax.jsonl \
				|| echo "bench: the JAX reference failed; its rows read 'unavailable'" >&2; \
			for script in seqgan sentence_vae style_transfer generative maml transformer; do \
				echo "bench: PyTorch + JAX reference bench/$${script}_reference.py, $$threads thread(s)"; \
				OMP_NUM_THREADS=$$threads $(BENCH_VENV)/bin/python bench/$${script}_reference.py --threads $$threads \
					$(BENCH_FLAGS) >> $(BENCH_DIR)/textgen.jsonl || echo "bench: $${script}_reference.py failed" >&2; \
			done; \
			echo "bench: numpy / scikit-learn reference, $$threads thread(s)"; \
			OMP_NUM_THREADS=$$threads OPENBLAS_NUM_THREADS=$$threads $(BENCH_VENV)/bin/python \
				bench/sampling_reference.py --threads $$threads $(BENCH_FLAGS) >> $(BENCH_DIR)/sampling.jsonl \
				|| echo "bench: the numpy / scikit-learn reference failed" >&2; \
		done; \
	else \
		echo "bench: PyTorch reference unavailable (no torch in $(BENCH_VENV))"; \
	fi
	@echo
	@if command -v $(PYTHON) >/dev/null 2>&1; then \
		$(PYTHON) bench/compare.py $(if $(findstring --filter,$(BENCH_FLAGS)),--only-measured) \
			$(BENCH_DIR)/montague.jsonl \
			$$(ls $(BENCH_DIR)/pytorch.jsonl $(BENCH_DIR)/jax.jsonl $(BENCH_DIR)/textgen.jsonl \
				$(BENCH_DIR)/sampling.jsonl 2>/dev/null) \
			| tee $(BENCH_DIR)/table.txt; \
		$(PYTHON) bench/compare.py --wide $(if $(findstring --filter,$(BENCH_FLAGS)),--only-measured) \
			$(BENCH_DIR)/montague.jsonl \
			$$(ls $(BENCH_DIR)/pytorch.jsonl $(BENCH_DIR)/jax.jsonl $(BENCH_DIR)/textgen.jsonl \
				$(BENCH_DIR)/sampling.jsonl 2>/dev/null) > $(BENCH_DIR)/table.md; \
	else \
		cat $(BENCH_DIR)/*.jsonl; \
	fi
	@echo "bench: JSON lines and tables in $(BENCH_DIR)/ (table.md: one row per case and thread count)"
	@echo
	@$(RELEASE_BIN)/MontagueBenchmarks --grammar | tee $(BENCH_DIR)/grammar.md
	@set -o pipefail; if [ "$(CORPUS_BENCH)" = 1 ]; then \
		echo; \
		echo "bench: corpus reading on $(CORPUS_BENCH_FILE) vs xmllint --stream and lxml iterparse (CORPUS_BENCH=0 skips)"; \
		[ -f $(CORPUS_BENCH_FILE) ] || $(PYTHON) bench/make_tei_corpus.py $(CORPUS_BENCH_FILE) || exit 1; \
		PATH="$(CURDIR)/$(BENCH_VENV)/bin:$$PATH" bash bench/corpus_reference.sh $(CORPUS_BENCH_FILE) \
			| tee $(BENCH_DIR)/corpus.txt; \
	fi

## bench-grammar: N1 enumeration + check on fragments of 125k … 1M terms (release), as a Markdown table.
bench-grammar: setup
	$(SWIFT) build -c release --product MontagueBenchmarks
	$(RELEASE_BIN)/MontagueBenchmarks --grammar

## bench-corpus: streaming XML reading on a generated ~200 MB TEI file vs xmllint --stream and lxml iterparse.
# xmllint comes from Debian's libxml2-utils (installed by setup for the corpus benchmarks), lxml from the bench venv.
bench-corpus: APT_PACKAGES += libxml2-utils
bench-corpus: setup bench-reference-env
	$(SWIFT) build -c release --product MontagueBenchmarks
	@[ -f $(CORPUS_BENCH_FILE) ] || $(PYTHON) bench/make_tei_corpus.py $(CORPUS_BENCH_FILE)
	$(RELEASE_BIN)/MontagueBenchmarks --corpus $(CORPUS_BENCH_FILE)
	PATH="$(CURDIR)/$(BENCH_VENV)/bin:$$PATH" bash bench/corpus_reference.sh $(CORPUS_BENCH_FILE)

## bench-reference-env: PyTorch and JAX (CPU wheels) in a git-ignored venv; never fails `make bench`.
# torch: TORCH_REQUIREMENT (a CPU build; found in PIP_FIND_LINKS or PyPI), else PyTorch's CPU wheel index, else
# nothing: plain `pip install torch` from PyPI would pull the CUDA build (gigabytes) onto a CPU benchmark, so it is
# used only when BENCH_ALLOW_CUDA_TORCH=1. JAX, numpy, scikit-learn and lxml install whether or not torch did.
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
BENCH_ALLOW_CUDA_TORCH ?= 0
bench-reference-env:
	@if [ -f $(BENCH_VENV)/.installed-references ]; then exit 0; fi; \
	echo "bench: installing the PyTorch and JAX references into $(BENCH_VENV) (once; may take a few minutes)"; \
	$(PYTHON) -m venv $(BENCH_VENV) || { echo "bench: cannot create $(BENCH_VENV): references unavailable" >&2; exit 0; }; \
	$(BENCH_VENV)/bin/pip install -q numpy scikit-learn lxml \
		|| echo "bench: could not install numpy/scikit-learn/lxml: their rows read 'unavailable'" >&2; \
	$(BENCH_VENV)/bin/pip install -q '$(TORCH_REQUIREMENT)' \
		|| $(BENCH_VENV)/bin/pip install -q --index-url '$(TORCH_CPU_INDEX)' torch \
		|| { [ "$(BENCH_ALLOW_CUDA_TORCH)" = 1 ] && $(BENCH_VENV)/bin/pip install -q torch; } \
		|| echo "bench: no CPU build of torch could be installed: its rows read 'unavailable'" \
			"(BENCH_ALLOW_CUDA_TORCH=1 accepts PyPI's CUDA build)" >&2; \
	$(BENCH_VENV)/bin/pip install -q jax jaxlib optax \
		|| echo "bench: could not install jax: its rows read 'unavailable'" >&2; \
	touch $(BENCH_VENV)/.installed-references

## bench-versioned-dependency: a throw-away package depending on a tagged clone `from: "0.1.0"` must build.
bench-versioned-dependency: setup
	bash bench/versioned_dependency_check.sh

## api-breaking-changes: public-API breaks of the library products since the last tag (none before the first tag).
api-breaking-changes: setup
	bash bench/api_breaking_changes.sh

## lint: swift format in strict mode (configuration: .swift-format); skipped if the toolchain lacks it.
lint:
	@if $(SWIFT) format --version >/dev/null 2>&1; then \
		$(SWIFT) format lint --strict -r $(LINT_PATHS); \
	else \
		echo "lint: 'swift format' is not available in this toolchain; skipped"; \
	fi

clean:
	rm -rf .build $(BENCH_DIR)

distclean: clean
	rm -rf $(BENCH_VENV)
