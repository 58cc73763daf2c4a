# Two commands on a fresh machine with Python 3.11+: `make up` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install up test test-resilience lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	$(BIN)/livecommerce up

test: $(STAMP)
	$(BIN)/python -m pytest

# Faults and abuse (kills, restarts, replay storms, authorization matrix, fuzzing): minutes, not seconds.
test-resilience: $(STAMP)
	$(BIN)/python -m pytest tests/resilience

# The gates a change passes before it is shared (also .ci/run and .pre-commit-config.yaml).
lint: $(STAMP)
	$(BIN)/ruff check livecommerce tests bench migrations
	$(BIN)/ruff format --check livecommerce tests bench migrations
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var

bench: $(STAMP)
	$(BIN)/python -m bench.report
