# clipdense — two commands:
#   make demo   install everything (first time ~15 min: mmcv is built from source) and run the main job
#   make test   install everything and run the test suite
PY := .venv/bin/python

.PHONY: install demo test bench clean

install:
	@bash tools/install_env.sh

demo: install
	@if [ -f demo/main_job.py ]; then $(PY) demo/main_job.py; else $(PY) demo/foundation_job.py; fi

test: install
	@$(PY) -m pytest tests -q -p no:cacheprovider --durations=15

bench: install
	@$(PY) tools/benchmarks/run_all.py

clean:
	rm -rf work_dirs outputs
