"""The school calendars in the JSON API: the district's and each school's own.

PUT takes the calendar as iCalendar text (`ics`) or the https address it is published at
(`url`); the import moves the school-day due dates still ahead and answers which. A guard checks
the permission before the body is read, so someone who may not import gets 403 whatever they
sent. A file that is no school calendar, an address that gives none, or a body with neither
(or both) of `ics` and `url`, is a 422 saying why."""

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from domain.organisation import MAX_SLUG, SLUG_PATTERN
from domain.people import Actor
from service.accounts.tokens import token_id_of
from service.calendars.fetching import MAX_BYTES
from service.calendars.service import Calendars
from web.access.auth import account_of
from web.access.guards import requires
from web.access.sessions import bearer_of
from web.api_fields import field, in_path, matching
from web.errors import COMMAND_ERRORS, ITEM_ERRORS, RefusedInput

SchoolSlug = Annotated[
    str, in_path(matching(SLUG_PATTERN.pattern, most=MAX_SLUG), description="a school's id")
]
COMMAND: dict[str, Any] = {
    "sync_to_thread": True,
    "status_code": HTTP_200_OK,
    "responses": COMMAND_ERRORS,
    "guards": [requires("import_calendar")],
}
READ: dict[str, Any] = {
    "sync_to_thread": True,
    "responses": ITEM_ERRORS,
    "guards": [requires("view_calendar")],
}


@dataclass
class CalendarSource:
    """One of the two: the file's text, or its https address."""

    ics: Annotated[
        str | None,
        field({"maxLength": MAX_BYTES}, description="the calendar as iCalendar (.ics) text"),
    ] = None
    url: Annotated[
        str | None,
        field(
            {"maxLength": 2000, "pattern": r"^https://\S+$"},
            description="the https:// address the calendar is published at",
        ),
    ] = None


def importer(request: Request) -> Actor:
    """The admin importing, recorded in the role that allows it (the guard let them in), with
    the API token they came with."""
    token = bearer_of(request.headers)
    return account_of(request).acting_as("admin", token_id=token_id_of(token) if token else None)


def imported(
    calendars: Calendars, source: CalendarSource, school: str | None, actor: Actor
) -> dict[str, Any]:
    if (source.ics is None) == (source.url is None):
        raise RefusedInput(
            "give the calendar as `ics` (its iCalendar text) or as `url` (its https address), "
            "one of the two",
            field="ics" if source.ics is None else "url",
        )
    if source.url is not None:
        done = calendars.import_url(source.url, school=school, actor=actor)
    else:
        done = calendars.import_text(source.ics or "", school=school, source="API", actor=actor)
    return {**done.as_dict(), "calendar": calendars.show(school)}


class CalendarController(Controller):
    path = "/api/v1/calendars"
    tags = ["calendars"]

    @get("/district", summary="The district's school calendar", **READ)
    def district(self, calendars: NamedDependency[Calendars]) -> dict[str, Any]:
        """What due dates count school days on where a school has no calendar of its own; with
        none imported, Monday to Friday (`own` is false)."""
        return calendars.show(None)

    @get("/schools/{slug:str}", summary="The school calendar in force at a school", **READ)
    def school(self, calendars: NamedDependency[Calendars], slug: SchoolSlug) -> dict[str, Any]:
        """The school's own calendar if one was imported (`own`), else the district's."""
        return calendars.show(slug)

    @put("/district", summary="Import the district's school calendar", **COMMAND)
    def import_district(
        self,
        request: Request,
        calendars: NamedDependency[Calendars],
        data: JSONBody[CalendarSource],
    ) -> dict[str, Any]:
        """All-day events are days without school unless they say school is open; "First day
        of school" and "Last day of school" bound the school years (docs/domain.md). The open
        incidents' school-day due dates still ahead move, each move an event (`moved`)."""
        return imported(calendars, data, None, importer(request))

    @put("/schools/{slug:str}", summary="Import a school's own calendar", **COMMAND)
    def import_school(
        self,
        request: Request,
        calendars: NamedDependency[Calendars],
        slug: SchoolSlug,
        data: JSONBody[CalendarSource],
    ) -> dict[str, Any]:
        """For a school whose days differ from the district's; 404 for a school there is none
        of."""
        return imported(calendars, data, slug, importer(request))


CALENDAR_HANDLERS = [CalendarController]
