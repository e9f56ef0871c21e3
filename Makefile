# Kernwijzer — the README's two commands are `make run` and `make test`.
# Everything a fresh machine needs is installed from here, never by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install index run serve test test-slow eval bench lint fix browser clean

install: $(STAMP)

# torch first and pinned: 2.13.0 is a CPU build on local disk; installed later or
# unpinned, pip would fetch a multi-GB CUDA build for sentence-transformers.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

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

test: install browser
	$(BIN)/python -m pytest -q -p no:cacheprovider

# Load test and the 100x scale benchmark (minutes; not part of `make test`).
test-slow: install browser
	$(BIN)/python -m pytest -q -m slow -p no:cacheprovider
	$(BIN)/python benchmarks/scale.py --factors 1 10 100

eval: install
	$(BIN)/kernwijzer eval --json evals/results/latest.json --report evals/results/latest.html

bench: install
	$(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/load.py

lint: install
	$(BIN)/ruff check src tests benchmarks app.py
	$(BIN)/ruff format --check src tests benchmarks app.py
	$(BIN)/mypy src

fix: install
	$(BIN)/ruff check --fix src tests benchmarks app.py
	$(BIN)/ruff format src tests benchmarks app.py

clean:
	rm -rf $(VENV) index/manifest.json index/builds
