# Two commands for a fresh clone: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench docs templates samples clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/reportgen demo -o out

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/run.py

docs: $(STAMP)
	$(PY) -m reportgen.docsgen
	$(PY) -m reportgen.submission_template --docs
	$(PY) -m reportgen.render.guide

templates: $(STAMP)
	$(PY) templates/build_templates.py

samples: $(STAMP)
	$(PY) data_samples/make_samples.py

clean:
	rm -rf out .pytest_cache
