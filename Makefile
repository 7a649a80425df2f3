# Rebuild everything from the raw reports in seeds/. See README.md.
# The environment is the lock file's: exact versions for Python 3.11 with the test extras, so a fresh
# clone draws byte-identical figures. `make lock` regenerates the lock after a dependency changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements-lock.txt
STAMP  := $(VENV)/.installed
UV     := 0.13.9

.PHONY: figures test notebooks lab bench install lock clean

$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

figures: $(STAMP)
	$(BIN)/govtopics build --config govtopics.toml --out figures

test: $(STAMP)
	$(BIN)/python -m pytest

# Exact versions of every dependency and test extra, for Python 3.11 on any platform (uv keeps the
# versions already in the lock unless a dependency needs another: add UPGRADE=--upgrade to move them all).
lock:
	$(PYTHON) -m venv build/uv
	build/uv/bin/pip install --quiet uv==$(UV)
	build/uv/bin/uv pip compile pyproject.toml --extra test --python-version 3.11 --universal $(UPGRADE) \
		--quiet --output-file $(LOCK)

notebooks: $(STAMP)
	$(BIN)/pip install --quiet -c $(LOCK) -e ".[notebooks]"
	$(BIN)/jupyter nbconvert --to html --execute notebooks/*.ipynb --output-dir build/notebooks

# JupyterLab on the notebooks, with the notebook extras installed first.
lab: $(STAMP)
	$(BIN)/pip install --quiet -c $(LOCK) -e ".[notebooks]"
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_tokenize.py
	$(BIN)/python benchmarks/quality_vs_naive.py

clean:
	rm -rf $(VENV) .pytest_cache build
