#!/usr/bin/env bash
# Installs what the tests need (a virtual environment, and Debian's chromium for the browser
# tests) and runs the whole suite: lint, unit, integration and end-to-end.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e '.[test]'
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test.sh: chromium is missing; install it with: sudo apt-get install chromium" >&2
  fi
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Three workers on two cores, a test file each at a time: much of a test's time is waiting (on
# fsync, a server, a browser, a subprocess starting), which the others fill (measured on one
# tree: 572 s with three, 699 s with two). `./test.sh -n 0` runs in one process.
exec .venv/bin/pytest -n "${STEADY_TEST_WORKERS:-3}" --dist loadfile "$@"
