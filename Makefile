# Two commands for a newcomer: `make demo` (serve the demo model) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
ARGS ?=

.PHONY: venv demo lint test test-fast deploy-check proto bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	bash scripts/install.sh $(VENV)
	touch $@

demo: venv
	HF_HUB_OFFLINE=1 $(VENV)/bin/loraloop serve $(ARGS)

lint: venv
	$(VENV)/bin/ruff check .

test: venv lint
	HF_HUB_OFFLINE=1 $(PY) -m pytest -ra $(ARGS)

test-fast: venv lint
	HF_HUB_OFFLINE=1 $(PY) -m pytest -ra -m "not integration" $(ARGS)

# Lint the Dockerfiles, validate compose and the k8s manifests, promtool check/test the rules (no server).
deploy-check: venv
	bash scripts/install-ops-tools.sh $(VENV)
	HF_HUB_OFFLINE=1 $(PY) -m pytest -ra -m "not integration" tests/deploy $(ARGS)

proto: venv
	$(PY) -m grpc_tools.protoc -I . --python_out=. --pyi_out=. --grpc_python_out=. loraloop/v1/loraloop.proto

bench: venv
	HF_HUB_OFFLINE=1 $(PY) bench/serve_throughput.py $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
