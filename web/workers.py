"""The application as each worker process of `steady serve --workers N` builds it.

uvicorn starts the workers itself (fresh interpreters, given a pickled copy of its settings),
so it needs import strings, not objects: `app_from_environment` builds the worker's app, and
`feed_upgrade` is the `ws` protocol that hands each websocket upgrade to that app's live feed
server (web/live/feed_server.py), as `feed_upgrades(app)` does for one process. Settings come
from the environment the workers inherit from `steady serve`, which read its own from the same
variables, so every worker and the command agree on the store, the key and the proxies. Each
worker is a whole instance: its own store connections, log followers, board and live hub
(docs/running-several-instances.md).
"""

import asyncio
from typing import Any

from litestar import Litestar

from service.bootstrap import assemble, open_steady
from service.config import Settings
from web.app import create_app_from
from web.live.feed_server import feed_upgrades

APP = "web.workers:app_from_environment"
FEED_UPGRADE = "web.workers:feed_upgrade"

# This worker's app, set once by the factory: uvicorn looks `feed_upgrade` up by name, so it
# can find the app only here. One per process, never more.
_built: list[Litestar] = []


def app_from_environment() -> Litestar:
    settings = Settings.from_env()
    app = create_app_from(assemble(open_steady(settings), settings))
    _built.append(app)
    return app


def feed_upgrade(**uvicorn: Any) -> asyncio.Protocol:
    """uvicorn's `ws` protocol in a worker: a connection of this worker's feed server."""
    [app] = _built
    return feed_upgrades(app)(**uvicorn)
