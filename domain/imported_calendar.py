"""A school calendar as imported: the district's, or one school's where it differs. Each import
is an event carrying the file's text, so the calendar in force at any moment can be read again
from the log; importing again is a new event, never an edit. A calendar holds nothing personal,
but its event state is encrypted at rest like all event state."""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.ids import STEADY_NAMESPACE
from domain.organisation import check_slug
from domain.people import Actor
from domain.recording import ActorEvent, RecordsWhoActed
from domain.text import check_text

DISTRICT = "district"
MAX_SOURCE = 2000  # a file name or an address


def scope_for(school: str | None) -> str:
    """ "district", or "school/<slug>" for one school's own calendar."""
    return DISTRICT if not school else f"school/{check_slug(school)}"


class ImportedCalendar(RecordsWhoActed, Aggregate):
    """One stream per scope: its id derives from "calendar/district" or
    "calendar/school/<slug>", which hold nothing personal."""

    class Event(ActorEvent):
        NAME = "calendar_event"

    class Started(Event, Aggregate.Created):
        NAME = "calendar_started"

        scope: str

    class Imported(Event):
        """The file as it was read: its text, the calendar's name, and where it came from."""

        NAME = "calendar_imported"

        text: str
        name: str
        source: str

        def apply(self, calendar: "ImportedCalendar") -> None:
            calendar.text = self.text
            calendar.name = self.name
            calendar.source = self.source
            calendar.imported_by = self.by
            calendar.imported_at = self.timestamp
            calendar.imports += 1

    @staticmethod
    def id_for(scope: str) -> UUID:
        return uuid5(STEADY_NAMESPACE, f"calendar/{scope}")

    @classmethod
    def start(cls, scope: str, *, actor: Actor, at: datetime) -> "ImportedCalendar":
        return cls._create(
            cls.Started, id=cls.id_for(scope), timestamp=at, actor=actor.as_dict(), scope=scope
        )

    def __init__(self, *, scope: str, actor: dict[str, Any]) -> None:
        self.scope = scope
        self.started_by = Actor.from_dict(actor)
        self.text = ""
        self.name = ""
        self.source = ""
        self.imported_by: Actor | None = None
        self.imported_at: datetime | None = None
        self.imports = 0

    @property
    def school(self) -> str | None:
        return self.scope.removeprefix("school/") if self.scope != DISTRICT else None

    def record_import(
        self, text: str, *, name: str, source: str, actor: Actor, at: datetime
    ) -> None:
        """`text` has been read as a school calendar (service/calendars) before it is recorded."""
        if not text.strip():
            raise DomainError("the calendar file is empty: give the district's .ics file")
        self._record(
            self.Imported,
            actor,
            at,
            text=text,
            name=check_text("calendar name", name, limit=200),
            source=check_text("calendar source", source or "uploaded", limit=MAX_SOURCE),
        )
