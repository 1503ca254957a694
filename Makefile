# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo demo-own-staffing test view validate bench debate debate-full example-export venv clean

# Find a Python >= 3.12: on PATH first, then under pyenv's versions folder.
PYTHON_FOR_VENV := $(shell \
	for p in python3.13 python3.12; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null && { command -v $$p; exit 0; }; done; \
	for p in $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3; do [ -x "$$p" ] && { echo "$$p"; exit 0; }; done)

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON_FOR_VENV)" ]; then \
		echo "error: scrm_sim needs Python >= 3.12; install python3.12 or python3.13 (e.g. 'pyenv install 3.12' or your OS package) and rerun" >&2; exit 2; fi
	@test -x $(PY) || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,viz]'
	@touch $(STAMP)

# the four core models at an equal budget of 15 FTE (about the mean of their own budgets,
# 12.3-17.2 FTE), so that the comparison is of how they are organised, not how many people
# they have; `make demo-own-staffing` compares them as their presets staff them
DEMO_MODELS := marketing_led,service_led,ceo_led,hybrid
demo: $(STAMP)
	$(VENV)/bin/scrm-sim compare scenarios/baseline.yaml --models $(DEMO_MODELS) --reps 5 \
		--equal-budget 15 --out results/demo --report --decompose

demo-own-staffing: $(STAMP)
	$(VENV)/bin/scrm-sim compare scenarios/baseline.yaml --models $(DEMO_MODELS) --reps 5 \
		--out results/demo-own-staffing --report

test: $(STAMP)
	$(PY) -m pytest -q

# the interactive browser view on http://127.0.0.1:8765 (Ctrl-C stops it)
view: $(STAMP)
	$(VENV)/bin/scrm-sim view scenarios/baseline.yaml

# the full analytic validation suite (several minutes); `make test` runs a fast subset;
# then the calibration's parameter recovery (issue 18: 10 repetitions, 3 parameters, each
# 90% posterior interval must cover the truth in at least 8 of 10; about 15 minutes on 2 cores)
validate: $(STAMP)
	$(VENV)/bin/scrm-sim validate-model --full --out results/validation
	$(PY) -m scrm_sim.calibration.recovery --workers 2 --out results/calibration-recovery

# speed benchmarks (about 10 minutes): results/bench/bench.json and a table
bench: $(STAMP)
	$(PY) -m benchmarks.bench

# the debate's claims as experiments, on scenarios/contested.yaml (30 minutes on 2 cores,
# measured beside an 18-minute test suite):
# results/debate/<claim>/ and the figures of docs/debate.md (docs/images/debate/<claim>.png);
# then each claim in its plausible worlds and with neutral operating choices
# (results/debate/<claim>/robustness/), and the robustness table spliced into docs/debate.md.
# `make debate-full` runs the robustness at its full scale (robustness-full/; hours: use a
# cluster, e.g. make debate-full EXECUTOR="--executor dask --scheduler tcp://host:8786").
DEBATE := $(basename $(notdir $(wildcard experiments/debate/*.yaml)))
ROBUSTNESS ?= quick
ROBUSTNESS_DIR = $(if $(filter full,$(ROBUSTNESS)),robustness-full,robustness)
EXECUTOR ?=
debate: $(STAMP)
	@mkdir -p docs/images/debate
	@for claim in $(DEBATE); do \
		$(VENV)/bin/scrm-sim experiment experiments/debate/$$claim.yaml --analyse $(EXECUTOR) \
			--out results/debate/$$claim || exit $$?; \
		cp $$(ls results/debate/$$claim/main_effects.png results/debate/$$claim/models.png \
			2>/dev/null | head -1) docs/images/debate/$$claim.png || exit $$?; \
		cp results/debate/$$claim/claim_table.csv docs/images/debate/$$claim.csv || exit $$?; \
		for figure in results/debate/$$claim/over_time_p*.png; do [ -e "$$figure" ] && \
			cp "$$figure" docs/images/debate/$${claim}_$$(basename $$figure); done; \
		$(VENV)/bin/scrm-sim experiment experiments/debate/$$claim.yaml --robustness $(ROBUSTNESS) \
			--analyse $(EXECUTOR) --out results/debate/$$claim/$(ROBUSTNESS_DIR) || exit $$?; \
		cp results/debate/$$claim/$(ROBUSTNESS_DIR)/robustness.csv \
			docs/images/debate/$${claim}_robustness.csv || exit $$?; \
		cp results/debate/$$claim/$(ROBUSTNESS_DIR)/robustness.md \
			docs/images/debate/$${claim}_robustness.md || exit $$?; \
	done
	$(PY) -m scrm_sim.analysis.debate_table docs/images/debate docs/debate.md

debate-full: $(STAMP)
	$(MAKE) debate ROBUSTNESS=full

# the example client's export (examples/client/posts.csv and export.yaml), regenerated from
# one run of examples/client/truth.yaml (seconds; the same files every time)
example-export: $(STAMP)
	$(PY) -m scrm_sim.calibration.synthetic examples/client

clean:
	rm -rf $(VENV) results/demo results/demo-own-staffing
