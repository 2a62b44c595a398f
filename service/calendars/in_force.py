"""Which school calendar is in force for a school, read from the log: the school's own if one
was imported, else the district's, else Monday to Friday. Held by the application
(service.incidents.application.Steady) so that every count of school days asks it; it imports
nothing of the incidents, so service.calendars can build on the application without a cycle."""

from collections.abc import Iterable
from threading import Lock
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from domain.imported_calendar import DISTRICT, ImportedCalendar, scope_for
from domain.school_calendar import AnyOpen, LoadedCalendar
from domain.school_days import WEEKDAYS, SchoolCalendar
from service.calendars.ics import read_calendar


class CalendarsInForce:
    """Reads each scope's latest import (one indexed read a scope) and keeps the calendar read
    from each import's text, so a file is parsed once a process, not at every count."""

    def __init__(self, repository: Repository) -> None:
        self._repository = repository
        self._read: dict[tuple[UUID, int], LoadedCalendar] = {}
        self._lock = Lock()

    def imported(self, scope: str) -> ImportedCalendar | None:
        try:
            calendar: ImportedCalendar = self._repository.get(ImportedCalendar.id_for(scope))
        except AggregateNotFoundError:
            return None
        return calendar if calendar.imports else None

    def of_scope(self, scope: str) -> LoadedCalendar | None:
        """The calendar last imported for "district" or "school/<slug>", if any."""
        imported = self.imported(scope)
        if imported is None:
            return None
        key = (imported.id, imported.version)
        with self._lock:
            found = self._read.get(key)
        if found is None:
            found = read_calendar(imported.text, name=imported.name)
            with self._lock:
                self._read = {k: v for k, v in self._read.items() if k[0] != imported.id}
                self._read[key] = found
        return found

    def for_school(self, slug: str | None) -> SchoolCalendar:
        own = self.of_scope(scope_for(slug)) if slug else None
        return own or self.of_scope(DISTRICT) or WEEKDAYS

    def for_schools(self, slugs: Iterable[str]) -> SchoolCalendar:
        """Several schools: a day is a school day when any of them is open (AnyOpen)."""
        calendars = list(dict.fromkeys(self.for_school(s) for s in slugs))
        if not calendars:
            return self.for_school(None)
        return calendars[0] if len(calendars) == 1 else AnyOpen(calendars)
