"""The `steady` command: the service's commands (service/cli/) and `serve`, which starts this web
layer. The console script points here, so the service never imports the web layer."""

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import uvicorn

from service.bootstrap import assemble, open_steady
from service.cli.main import CliError
from service.cli.main import main as service_main
from service.config import Settings
from web.app import create_app_from
from web.live.feed_server import feed_upgrades
from web.workers import APP, FEED_UPGRADE

MOST_WORKERS = 64


def main(argv: Sequence[str] | None = None) -> int:
    return service_main(argv, more=[add_serve])


def worker_count(value: str) -> int:
    """--workers: a whole number of processes, from 1."""
    try:
        count = int(value)
    except ValueError:
        count = 0
    if not 1 <= count <= MOST_WORKERS:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a number of processes: give a whole number from 1 to "
            f"{MOST_WORKERS}, e.g. --workers 4"
        )
    return count


def add_serve(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    sub = commands.add_parser("serve", help="start the web board and API")
    sub.set_defaults(run=run_serve)
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    sub.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    sub.add_argument(
        "--workers",
        type=worker_count,
        default=1,
        help="processes serving on this port together (1); more than 1 needs PostgreSQL",
    )


def check_workers(settings: Settings, workers: int) -> None:
    """Several workers share one store only on PostgreSQL: there each is woken by NOTIFY the
    moment another commits. SQLite has no such signal (a worker would learn of the others'
    writes only by polling, up to a second late on every live board) and one file lock for
    every writer, so on SQLite Steady runs one process."""
    if workers > 1 and not settings.is_postgres:
        raise CliError(
            f"--workers {workers} needs PostgreSQL, and STEADY_DATABASE_URL is "
            f"{settings.redacted_url()}: serve SQLite with one process (leave out --workers), "
            "or set STEADY_DATABASE_URL=postgresql://user:password@host:5432/database"
        )


def run_serve(args: argparse.Namespace, settings: Settings) -> None:
    workers: int = args.workers
    check_workers(settings, workers)
    app: Any
    upgrades: Any
    if workers == 1:
        app = create_app_from(assemble(open_steady(settings), settings))
        upgrades = feed_upgrades(app)
    else:
        # Reach the store here, so that a wrong URL or key is one clear message, not a
        # traceback from every worker; each worker then opens its own (web/workers.py), with
        # the settings it reads from the environment it inherits from this process.
        open_steady(settings).close()
        app, upgrades = APP, FEED_UPGRADE
    shown = "localhost" if args.host in ("127.0.0.1", "0.0.0.0") else args.host
    print(f"Steady is serving {settings.district} at http://{shown}:{args.port}/", flush=True)
    processes = f"{workers} worker processes; " if workers > 1 else ""
    print(f"(store: {settings.redacted_url()}; {processes}stop with Ctrl+C)", flush=True)
    forwarded = settings.forwarded_allow_ips()
    uvicorn.run(
        app,
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        host=args.host,
        port=args.port,
        # Websocket upgrades go to the live feed's own server (the websockets library's).
        ws=upgrades,
        log_level="warning",
        # No access log: a request line names the client's address, and a reporter's address
        # on the public help pages must never reach a log (nor anyone's, so none is written).
        access_log=False,
        # uvicorn believes X-Forwarded-For from loopback unless told otherwise: only the
        # proxies named in STEADY_TRUSTED_PROXIES are believed, and none by default.
        proxy_headers=forwarded is not None,
        forwarded_allow_ips=forwarded or "",
    )


if __name__ == "__main__":
    sys.exit(main())
