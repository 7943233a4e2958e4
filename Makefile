# Two commands do all set-up on a fresh machine: `make drill` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
REPORT := reports/drills.html

.PHONY: drill gate test test-slow lint selfcheck flakecheck bench bench-monitor bench-emulator chromium clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## make drill: every drill against the embedded local AWS; report in reports/drills.html (+ .json, .xml)
drill: $(STAMP)
	$(PY) -m pytest drills --html=$(REPORT) --self-contained-html --junitxml=reports/drills.xml $(ARGS)

## make gate: the pre-promotion gate subset
gate: $(STAMP)
	$(PY) -m pytest drills -m gate --html=reports/gate.html --self-contained-html --junitxml=reports/gate.xml $(ARGS)

## make test: lint and types, then the suite's own tests but the end-to-end round trips (marked slow)
## (installs Debian's chromium for the report test when missing)
test: $(STAMP) chromium lint
	$(PY) -m pytest tests -q -n auto -m "not slow" $(ARGS)

## make test-slow: the end-to-end round trips: a plain moto server as the account, the wheel installed, discover,
## parallel workers, the IAM recording and the interruption of every destructive drill, many models (CI runs both)
test-slow: $(STAMP) chromium
	$(PY) -m pytest tests -q -n auto --dist loadgroup -m slow $(ARGS)

## make lint: ruff (lint and format) over the tree; mypy over the whole package: strict on the pure layers and the
## spec (pyproject.toml's overrides), default mode elsewhere
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy simulacro

## make selfcheck: apply each misconfiguration of tests/quality/mutations/catalogue.yaml and see a drill catch it
## (CATALOGUE=FILE, or ARGS="--catalogue FILE", runs another catalogue)
selfcheck: $(STAMP)
	$(PY) tests/quality/mutations/selfcheck.py $(if $(CATALOGUE),--catalogue $(CATALOGUE)) $(ARGS)

## make flakecheck: the drill catalogue 20 times in random order; any outcome that changes fails
flakecheck: $(STAMP)
	$(PY) tests/quality/flakecheck.py $(ARGS)

## make bench: the side-by-side benchmarks (not timed tests); bench-monitor installs Evidently in .venv-bench
bench: $(STAMP)
	$(PY) benchmarks/bench_alarms.py
	$(PY) benchmarks/bench_events.py
	$(PY) benchmarks/bench_transport.py

bench-monitor:
	test -x .venv-bench/bin/python || python3 -m venv .venv-bench
	.venv-bench/bin/pip install --quiet -r benchmarks/requirements-monitor.txt
	.venv-bench/bin/python benchmarks/bench_monitor.py $(ARGS)

## make bench-emulator: alarm evaluation against LocalStack's, which is installed in .venv-bench-emulator only
bench-emulator:
	test -x .venv-bench-emulator/bin/python || python3 -m venv .venv-bench-emulator
	.venv-bench-emulator/bin/pip install --quiet -r benchmarks/requirements-emulator.txt
	.venv-bench-emulator/bin/python benchmarks/bench_emulator.py $(ARGS)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing and not root: the report rendering test will be skipped"; fi; }

clean:
	rm -rf reports/*.html reports/*.json reports/*.xml reports/incidents reports/runs .pytest_cache
