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
# The demo district's schools and community resources on the public help page (/help).
export STEADY_HELP_RESOURCES="${STEADY_HELP_RESOURCES:-service/demo/help_resources.toml}"
exec .venv/bin/steady serve "$@"
