#!/usr/bin/env bash
# Installs Steady into ./.venv and starts it with the demo district on the embedded SQLite store.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e .
.venv/bin/steady demo
exec .venv/bin/steady serve "$@"
