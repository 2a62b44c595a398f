"""The school calendars: importing the district's or a school's from a file's text or an https
address, showing what is in force, and the calendar an incident's schools count school days on.
An import moves the school-day due dates still ahead of the open incidents it touches, each move
an event (service.incidents.recounting)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from eventsourcing.application import AggregateNotFoundError

from domain.account import Account
from domain.errors import DomainError, NotFound
from domain.imported_calendar import DISTRICT, ImportedCalendar, scope_for
from domain.organisation import Organisation, check_slug
from domain.people import Actor
from domain.school_calendar import LoadedCalendar
from domain.school_days import SchoolCalendar
from service.calendars.fetching import fetch_calendar
from service.calendars.ics import read_calendar
from service.incidents.application import Steady
from service.store.retrying import retry_on_conflict


@dataclass(frozen=True)
class CalendarImport:
    """What an import did: the calendar read, and the due dates it moved (reference ->
    task id -> new due moment)."""

    scope: str
    calendar: LoadedCalendar
    moved: dict[str, dict[str, str]] = field(default_factory=dict)
    # Follow-up check-ins moved ("P-0007 INC-2026-0003" -> check-in ids).
    check_ins_moved: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "name": self.calendar.description,
            "school_years": years_view(self.calendar),
            "days_without_school": len(self.calendar.days_off),
            "moved": self.moved,
            "check_ins_moved": self.check_ins_moved,
        }

    def __str__(self) -> str:
        count = sum(len(tasks) for tasks in self.moved.values())
        years = ", ".join(
            f"{y['first_day']} to {y['last_day'] or 'its end (not given)'}"
            for y in years_view(self.calendar)
        )
        lines = [
            f"Imported {self.calendar.description} for {scope_label(self.scope)}: "
            f"school years {years or 'not given (Monday to Friday less the days off)'}, "
            f"{len(self.calendar.days_off)} days without school.",
            f"Moved {count} due date{'' if count == 1 else 's'} still ahead"
            + (f" in {', '.join(self.moved)}." if self.moved else "."),
        ]
        if self.check_ins_moved:
            moved = sum(len(ids) for ids in self.check_ins_moved.values())
            lines.append(
                f"Moved {moved} follow-up check-in{'' if moved == 1 else 's'} still ahead."
            )
        return "\n".join(lines)


class Calendars:
    """Built by the composition root (service/bootstrap.py) around the application."""

    def __init__(
        self,
        steady: Steady,
        *,
        district: str = "The district",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.steady = steady
        self.district = district  # the district's name, for a calendar file that gives none
        self._transport = transport  # how addresses are fetched: the network, unless a test
        # Called after each import with who imported, each returning what it moved: the
        # composition root adds the follow-ups' recount of check-ins still ahead.
        self.after_import: list[Callable[[str, Actor], dict[str, list[str]]]] = []

    def calendar_for(self, schools: Sequence[str]) -> SchoolCalendar:
        """The calendar these schools (names or ids) count school days on: each school's own
        if imported, else the district's, else Monday to Friday; a day counts when any of them
        is open."""
        return self.steady.school_clock(schools).calendar

    def import_url(self, url: str, *, school: str | None = None, actor: Actor) -> CalendarImport:
        text = fetch_calendar(url, transport=self._transport)
        return self.import_text(text, school=school, source=url.strip(), actor=actor)

    def import_text(
        self, text: str, *, school: str | None = None, source: str = "", actor: Actor
    ) -> CalendarImport:
        """Reads the text as a school calendar (refused with what to fix), records it, then
        counts again the due dates it changes."""
        scope = self._scope(school)
        default_name = f"{self._scope_name(scope)} school calendar"
        calendar = read_calendar(text, name=default_name)

        def attempt() -> ImportedCalendar:
            now = self.steady.clock()
            try:
                stream: ImportedCalendar = self.steady.repository.get(
                    ImportedCalendar.id_for(scope)
                )
            except AggregateNotFoundError:
                stream = ImportedCalendar.start(scope, actor=actor, at=now)
            stream.record_import(
                text, name=calendar.description, source=source, actor=actor, at=now
            )
            self.steady.save(stream)
            return stream

        retry_on_conflict(attempt, too_busy="the store is too busy to import now; try again")
        moved = self._recount(actor)
        reason = (
            f"the school calendar changed: check-ins now count school days on "
            f"{calendar.description}"
        )
        check_ins: dict[str, list[str]] = {}
        for hook in self.after_import:
            check_ins.update(hook(reason, actor))
        return CalendarImport(scope, calendar, moved, check_ins)

    def _recount(self, actor: Actor) -> dict[str, dict[str, str]]:
        """Every open incident is counted again on the calendar now in force for its schools:
        an incident the import does not touch has nothing to move, and records nothing."""
        moved = {}
        for incident in self.steady.incidents():
            try:
                result = self.steady.recount_due_dates(incident.reference, actor=actor)
            except DomainError:
                continue  # closed meanwhile: its tasks are settled and keep their dates
            if result is not None:
                moved[incident.reference] = result.detail["moved"]
        return moved

    def show(self, school: str | None = None, *, today: date | None = None) -> dict[str, Any]:
        """The calendar in force for the district or one school, and where it came from."""
        scope = self._scope(school)
        in_force = self.steady.calendars_in_force
        imported = in_force.imported(scope)
        calendar = in_force.for_school(school_slug(scope))
        today = today or self.steady.clock().astimezone(self.steady.zone).date()
        view: dict[str, Any] = {
            "scope": scope,
            "description": calendar.description,
            "own": imported is not None,
            "source": imported.source if imported else None,
            "imported_by": imported.imported_by.user if imported and imported.imported_by else None,
            "imported_at": imported.imported_at.isoformat()
            if imported and imported.imported_at
            else None,
            "imports": imported.imports if imported else 0,
            "school_years": years_view(calendar),
            "days_without_school": sorted(d.isoformat() for d in _days_off(calendar)),
            "next_school_year_starts": _iso(calendar.next_year_starts(today)),
        }
        if school and imported is None:
            view["description"] = (
                f"{calendar.description} (the district's: {school} has no calendar of its own)"
                if isinstance(calendar, LoadedCalendar)
                else calendar.description
            )
        return view

    def _scope(self, school: str | None) -> str:
        if not school:
            return DISTRICT
        slug = check_slug(school)
        try:
            organisation: Organisation = self.steady.repository.get(Organisation.id_for(slug))
        except AggregateNotFoundError:
            organisation = None  # type: ignore[assignment]
        if organisation is None or organisation.kind != "school":
            raise NotFound(
                f"there is no school {slug!r}: give a school's id, as `steady orgs list` shows "
                "(add it with `steady orgs add SLUG --name NAME --kind school`)"
            )
        return scope_for(slug)

    def _scope_name(self, scope: str) -> str:
        slug = school_slug(scope)
        if slug is None:
            return self.district
        organisation: Organisation = self.steady.repository.get(Organisation.id_for(slug))
        return organisation.name


def schools_of(account: Account) -> list[str]:
    """The schools (ids) whose calendar says whether a day is a school day for this person:
    their school's, and those they are given; none (the district's calendar) for others."""
    own = [account.organisation] if account.organisation_kind == "school" else []
    return [*own, *account.schools]


def school_slug(scope: str) -> str | None:
    return None if scope == DISTRICT else scope.removeprefix("school/")


def scope_label(scope: str) -> str:
    slug = school_slug(scope)
    return "the district" if slug is None else f"school {slug}"


def years_view(calendar: SchoolCalendar) -> list[dict[str, str | None]]:
    years = calendar.years if isinstance(calendar, LoadedCalendar) else []
    return [{"first_day": y.first.isoformat(), "last_day": _iso(y.last)} for y in years]


def _days_off(calendar: SchoolCalendar) -> frozenset[date]:
    return calendar.days_off if isinstance(calendar, LoadedCalendar) else frozenset()


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
