# make demo: create .venv, install, compare the library plans into runs/demo/report.html and
#            write the slide decks runs/demo/deck/deck-en.pptx and deck-zh.pptx
# make test: create .venv, install, run the tests
# make test-fast: the model's quick tests without compiling (for logic changes)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast loop-timings bench baseline plausibility whatifs clean system-deps

$(STAMP): pyproject.toml
	@set -e; \
	if [ ! -x "$(PY)" ]; then \
	  py=""; \
	  for c in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python; do \
	    p=$$(command -v $$c 2>/dev/null || true); \
	    [ -n "$$p" ] || continue; \
	    if $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then py=$$p; break; fi; \
	  done; \
	  if [ -z "$$py" ]; then \
	    echo "groupsim needs Python >= 3.12 (Mesa 3.5 requires it). Install one, e.g. 'pyenv install 3.12' or your OS package python3.12, and run make again." >&2; \
	    exit 1; \
	  fi; \
	  echo "Using $$py"; \
	  $$py -m venv $(VENV); \
	fi; \
	$(PY) -m pip install -q --upgrade pip >/dev/null; \
	$(PY) -m pip install -q -e '.[test]'; \
	touch $(STAMP)

demo: system-deps $(STAMP)
	$(VENV)/bin/groupsim compare --library --replicates 20 --seed 0 --out runs/demo
	$(VENV)/bin/groupsim deck runs/demo --lang en
	$(VENV)/bin/groupsim deck runs/demo --lang zh

test: system-deps $(STAMP)
	$(PY) -m pytest -n 2 -q --durations=15

# The inner loop: the kernels run as plain Python (numba's NUMBA_DISABLE_JIT), so an edit of any
# module is tested at once, without compiling; two processes. `make test` runs everything compiled.
FAST_TESTS := tests/test_model.py tests/test_plans.py tests/test_review.py tests/test_events.py \
	tests/test_roles.py
test-fast: $(STAMP)
	NUMBA_DISABLE_JIT=1 $(PY) -m pytest -q -n 2 $(FAST_TESTS)

# Print the inner loop's two timings: an edit of sim/metrics.py to a test result, and an edit
# of one kernel module to a finished run (benchmarks/loop_timings.py).
loop-timings: $(STAMP)
	$(PY) benchmarks/loop_timings.py

# Refresh tests/baseline.json (the library plans' summary medians) after a change of the
# model; the commit explains why the numbers moved.
baseline: $(STAMP)
	$(PY) tests/test_baseline.py --update

# Regenerate the measured rates table of docs/plausibility.md.
plausibility: $(STAMP)
	$(PY) -m experiments.analyses.plausibility --write docs/plausibility.md

# Regenerate docs/whatifs.md's two tables from experiments/analyses/whatifs.py: the expectations
# and the measured paired effects (every row rerun on its fixed seeds, two processes).
whatifs: $(STAMP)
	$(PY) -m experiments.analyses.whatifs --write docs/whatifs.md

bench: $(STAMP)
	$(PY) benchmarks/bench_run.py

# Chromium renders static chart images (kaleido) and drives the what-if page's browser tests;
# the CJK font draws Chinese titles. Debian/Ubuntu package names; run as root or with sudo.
system-deps:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  echo "chromium and fonts-noto-cjk are installed"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else \
	  echo "Install a Chromium and a CJK font for static images and browser tests, e.g. 'sudo apt-get install chromium fonts-noto-cjk'." >&2; \
	fi

clean:
	rm -rf $(VENV) runs .pytest_cache sim/__pycache__/groupsim
