"""What handlers receive through Litestar's dependency injection, by parameter name: the
application, settings, the signed-in person, the district's zone and clock. The composition
root (web/app.py) puts the parts on the application's state; nothing else reads the state."""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide

from domain.account import Account
from service.accounts.service import Accounts
from service.config import Settings
from service.incidents.application import Steady
from web.auth import account_of


def provide_steady(state: State) -> Steady:
    return state.steady


def provide_settings(state: State) -> Settings:
    return state.settings


def provide_accounts(state: State) -> Accounts:
    return state.accounts


def provide_signed_in_as(request: ASGIConnection) -> Account:
    """The signed-in person (401 if none); a guard has usually found them already."""
    return account_of(request)


def provide_zone(state: State) -> ZoneInfo:
    return state.settings.zone()


def provide_clock(state: State) -> Callable[[], datetime]:
    return state.steady.clock


DEPENDENCIES: dict[str, Provide] = {
    "steady": Provide(provide_steady, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "accounts": Provide(provide_accounts, sync_to_thread=False),
    "signed_in_as": Provide(provide_signed_in_as, sync_to_thread=False),
    "zone": Provide(provide_zone, sync_to_thread=False),
    "clock": Provide(provide_clock, sync_to_thread=False),
}
