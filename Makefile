# kotacerdas — the two commands a Diskominfo IT officer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
export KOTACERDAS_HOME ?= $(CURDIR)/var

.PHONY: run test lint fuzz bench bench-full install install-dev migrate demo clean-venv

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 tidak ditemukan ($(PYTHON)). Pasang Python 3.11 lalu ulangi." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e .
	@touch $@

$(DEVSTAMP): $(STAMP)
	$(PIP) install --quiet -c constraints.txt -e '.[dev,spark]'
	@touch $@

install: $(STAMP)
install-dev: $(DEVSTAMP)

migrate: install
	$(BIN)/kotacerdas migrate --no-input -v0

demo: migrate
	$(BIN)/kotacerdas demo

run: demo
	$(BIN)/kotacerdas serve --port 8000

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/kotacerdas tests

test: install-dev
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

fuzz: install-dev
	$(BIN)/python -m pytest -q -m fuzz --hypothesis-profile=long tests $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python -m bench --quick

bench-full: install-dev
	$(BIN)/python -m bench --full

clean-venv:
	rm -rf $(VENV)
