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
# Whom a life-safety help request no one acknowledges is escalated to: the demo's help desk,
# then its crisis lead (the emails wait in the outbox unless STEADY_SMTP_URL is set).
export STEADY_HELP_ON_CALL="${STEADY_HELP_ON_CALL:-t.santos,m.alvarez}"
exec .venv/bin/steady serve "$@"
