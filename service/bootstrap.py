"""Wires settings, store and playbook library into one Steady application."""

import sqlite3

import psycopg
from eventsourcing.persistence import PersistenceError

from playbooks.library import Library
from service.config import Settings
from service.incidents.application import Clock, Steady, utc_now
from service.store.keys import cipher_env, key_for

UNREADABLE_STORE = (
    "stored events cannot be read with this key: set STEADY_CIPHER_KEY to the key this store "
    "was written with (for SQLite without it, the key file beside the database)"
)


class StoreUnavailable(Exception):
    """The database named by STEADY_DATABASE_URL cannot be reached or opened."""


def open_steady(settings: Settings | None = None, *, clock: Clock = utc_now) -> Steady:
    settings = settings or Settings.from_env()
    library = Library.load(settings.playbooks_dir)
    env = settings.eventsourcing_env() | cipher_env(key_for(settings))
    sqlite_path = settings.sqlite_path()
    try:
        if sqlite_path is not None:
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        app = Steady(env, playbooks=library, clock=clock)
        app.recorder.max_notification_id()  # touch the store now, not at the first command
    except (OSError, PersistenceError, psycopg.Error, sqlite3.Error) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise StoreUnavailable(
            f"cannot reach the database at {settings.redacted_url()}: {reason}"
        ) from error
    return app
