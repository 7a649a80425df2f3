# Rebuild everything from the raw reports in seeds/. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: figures test notebooks lab bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

figures: $(STAMP)
	$(BIN)/govtopics build --config govtopics.toml --out figures

test: $(STAMP)
	$(BIN)/python -m pytest

notebooks: $(STAMP)
	$(BIN)/pip install --quiet -e ".[notebooks]"
	$(BIN)/jupyter nbconvert --to html --execute notebooks/*.ipynb --output-dir build/notebooks

# JupyterLab on the notebooks, with the notebook extras installed first.
lab: $(STAMP)
	$(BIN)/pip install --quiet -e ".[notebooks]"
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_tokenize.py
	$(BIN)/python benchmarks/quality_vs_naive.py

clean:
	rm -rf $(VENV) .pytest_cache build
