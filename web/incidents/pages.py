"""Transitional: the page helpers web/accounts/ imported from here before web/rendering.py held
them. Nothing of the incidents slice is here any more (see board.py, incident_page.py,
opening.py, signin.py); remove this module once web/accounts/ imports web/rendering.py and takes
`steady`, `settings`, `zone` and `clock` as dependencies."""

from litestar import Request

from service.config import Settings
from service.incidents.application import Steady
from web.dependencies import provide_settings, provide_steady
from web.rendering import context, page, role_label, role_titles
from web.rendering import format_time as moment


def _steady(request: Request) -> Steady:
    return provide_steady(request.app.state)


def _settings(request: Request) -> Settings:
    return provide_settings(request.app.state)


__all__ = ["_settings", "_steady", "context", "moment", "page", "role_label", "role_titles"]
