# Developer entry points. GNU make; recipes are indented with tabs.
PYTHON ?= python3
VENV = .venv
BIN = $(VENV)/bin

.PHONY: all demo examples test bench bench-quick fuzz clean distclean

all: test

# The stamp is rebuilt whenever pyproject.toml changes. pip may warn about
# /opt/pypi-more locations on some machines; that is harmless.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/python examples/demo.py
	$(BIN)/python -m adjoint show examples/demo.py:model

# The gallery: matplotlib draws its pictures (examples/output/), scikit-learn ships the digits data,
# each demo times one gradient against Autograd's, any_array.py runs on array_api_strict's arrays too.
examples: $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test,examples]"
	$(BIN)/python examples/demo.py
	$(BIN)/python examples/taylor_sin.py
	$(BIN)/python examples/mlp.py
	$(BIN)/python examples/tanh_derivatives.py
	$(BIN)/python examples/error_propagation.py
	$(BIN)/python examples/extremum.py
	$(BIN)/python examples/classifier.py
	$(BIN)/python examples/beyond_the_gradient.py
	$(BIN)/python examples/optical_network.py
	$(BIN)/python examples/trebuchet.py
	$(BIN)/python examples/digits.py
	$(BIN)/python examples/char_lstm.py
	$(BIN)/python examples/ray_tracer.py
	$(BIN)/python examples/any_array.py

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q -p no:cacheprovider

# Differential fuzzing (issue 10): random programs in every mode against finite differences;
# prints counts per outcome and mode, leaves shrunk failures in fuzz_failures/. By default the
# acceptance campaign: 10,000 programs, seeds SEED and SEED+1 on two processes (under two hours
# on two cores); `make fuzz N=2000 BUDGET=600 JOBS=1` is a quick one.
N ?= 10000
SEED ?= 0
JOBS ?= 2
BUDGET ?= 12000
fuzz: $(VENV)/.installed
	$(BIN)/python -m adjoint.fuzz --n $(N) --seed $(SEED) --jobs $(JOBS) --budget $(BUDGET) --out fuzz_failures

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py

bench-quick: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py --quick

clean:
	rm -rf build *.egg-info .pytest_cache .hypothesis benchmarks/results/*.tmp
	find . \( -path ./$(VENV) -o -path ./.git \) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
