"""Running `steady ARGS` as an operator would, for the tests: its exit status, what it printed
and what it wrote to stderr. In this process, not a new one: a new Python process spends about
two seconds importing before the command starts, and the command tests run it a hundred times.
`serve` runs in a process of its own (the e2e fixtures start servers)."""

import io
import os
import subprocess
import sys
import traceback
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def steady(
    database_url: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {"STEADY_DATABASE_URL": database_url, **(env or {})}
    if args and args[0] == "serve":
        return subprocess.run(
            [sys.executable, "-m", "web.cli", *args],
            env={**os.environ, **environ},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    from web.cli import main  # as `python -m web.cli` runs it

    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.update(environ)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit:  # argparse refusing the arguments
                code = exit.code if isinstance(exit.code, int) else 1
            except Exception:  # what Python would print before exiting with 1
                traceback.print_exc()
                code = 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["steady", *args], code, out.getvalue(), err.getvalue())
