"""The `steady` command: the service's commands (service/cli/) and `serve`, which starts this web
layer. The console script points here, so the service never imports the web layer."""

import argparse
import sys
from collections.abc import Sequence

import uvicorn

from service.bootstrap import assemble, open_steady
from service.cli.main import main as service_main
from service.config import Settings
from web.app import create_app_from
from web.live.feed_server import feed_upgrades


def main(argv: Sequence[str] | None = None) -> int:
    return service_main(argv, more=[add_serve])


def add_serve(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    sub = commands.add_parser("serve", help="start the web board and API")
    sub.set_defaults(run=run_serve)
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    sub.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")


def run_serve(args: argparse.Namespace, settings: Settings) -> None:
    app = create_app_from(assemble(open_steady(settings), settings))
    shown = "localhost" if args.host in ("127.0.0.1", "0.0.0.0") else args.host
    print(f"Steady is serving {settings.district} at http://{shown}:{args.port}/", flush=True)
    print(f"(store: {settings.redacted_url()}; stop with Ctrl+C)", flush=True)
    forwarded = settings.forwarded_allow_ips()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        # Websocket upgrades go to the live feed's own server (the websockets library's).
        ws=feed_upgrades(app),
        log_level="warning",
        # uvicorn believes X-Forwarded-For from loopback unless told otherwise: only the
        # proxies named in STEADY_TRUSTED_PROXIES are believed, and none by default.
        proxy_headers=forwarded is not None,
        forwarded_allow_ips=forwarded or "",
    )


if __name__ == "__main__":
    sys.exit(main())
