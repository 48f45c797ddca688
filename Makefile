# Two commands for a fresh machine: `make run` and `make test` (see README.md).
# The virtual environment in .venv is reused while requirements*.txt are unchanged.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DATA   ?= data/sample
PORT   ?= 8501
REQ_HASH  := $(shell cat requirements.txt | sha1sum | cut -c1-12)
TEST_HASH := $(shell cat requirements.txt requirements-test.txt | sha1sum | cut -c1-12)

.PHONY: run serve test bench sample deps test-deps system-deps lint clean

run: deps system-deps sample
	$(PY) -m streamlit run app.py --server.headless true --server.port $(PORT) \
		--browser.gatherUsageStats false -- --data $(DATA)

# N replicas behind haproxy over one snapshot store (scripts/serve.py; deploy/README.md).
# The store gets DATA ingested when it has no current snapshot.
REPLICAS   ?= 2
SERVE_PORT ?= 8500
STORE      ?= data/store
serve: deps system-deps sample
	$(PY) scripts/serve.py --replicas $(REPLICAS) --port $(SERVE_PORT) --store $(STORE) --data $(DATA)

test: test-deps system-deps
	$(PY) -m pytest -q -n auto --dist loadfile

bench: test-deps system-deps
	$(PY) -m bench.run

# Builds the bundled synthetic sample when it is missing; never writes into a DATA you give.
sample: deps
	@if [ "$(DATA)" = "data/sample" ] && [ ! -f data/sample/manifest.json ]; then \
		$(PY) -m indicators generate --out data/sample --scale 1 --seed 1; fi

deps: $(VENV)/.req-$(REQ_HASH)
test-deps: $(VENV)/.test-$(TEST_HASH)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.req-$(REQ_HASH): requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	rm -f $(VENV)/.req-*
	touch $@

$(VENV)/.test-$(TEST_HASH): requirements.txt requirements-test.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-test.txt
	rm -f $(VENV)/.test-* $(VENV)/.req-*
	touch $@ $(VENV)/.req-$(REQ_HASH)

# Debian's chromium (kaleido's image export, browser tests) and haproxy (make serve, load tests).
system-deps:
	@bash scripts/install_system_deps.sh

lint: test-deps
	$(VENV)/bin/ruff check . || true

clean:
	rm -rf $(VENV) .pytest_cache
