"""What the application answers about incidents: finding one, its state now or at a version
or moment, its events, and the global feed of every incident's events."""

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.persistence import ApplicationRecorder, EventStore, Mapper
from eventsourcing.utils import get_topic

from domain.errors import DomainError, NotFound
from domain.incident import Incident
from domain.moments import check_moment
from domain.numbers import check_whole_number
from domain.organisation import Organisation, StandIns, school_key
from domain.school_days import DEFAULT_HOURS, SchoolClock, SchoolHours
from domain.sharing import StandIn
from service.calendars.in_force import CalendarsInForce
from service.incidents.board import Board
from service.incidents.held import HeldIncidents
from service.live.feed_events import INCIDENT_TOPICS, FeedEvent, to_feed_event
from service.store.folding import fold
from service.store.streams import select_stream

ORGANISATION_CREATED = get_topic(Organisation.Created)
REFERENCE_PATTERN = re.compile(r"^INC-(\d{4})-(\d{4,})$", re.IGNORECASE)
MAX_FEED_LIMIT = 1000


class IncidentQueries:
    """The part of the application (service.incidents.application.Steady) that answers."""

    # Given by the application it is part of.
    repository: Repository
    recorder: ApplicationRecorder
    events: EventStore
    mapper: Mapper
    board: Board
    held: HeldIncidents
    _references: dict[UUID, str]
    _drills: dict[UUID, bool]  # whether each incident is a drill, as its opening said
    zone: ZoneInfo
    calendars_in_force: CalendarsInForce

    def stand_ins(self) -> dict[str, StandIn]:
        """The partner organisations standing in for playbook roles, by role id (set by an
        admin through service.accounts.service, in this same store)."""
        try:
            roster: StandIns = self.repository.get(StandIns.id_for())
        except AggregateNotFoundError:
            return {}
        found = {}
        for role, slug in roster.roles.items():
            try:
                organisation: Organisation = self.repository.get(Organisation.id_for(slug))
            except AggregateNotFoundError:
                continue
            if organisation.is_partner and role in organisation.stands_in:
                found[role] = StandIn(organisation.slug, organisation.name)
        return found

    def school_clock(self, schools: Iterable[str]) -> SchoolClock:
        """The district's clock with the school day of these schools (names or ids, as an
        incident gives them): the earliest start and end among them, and the calendar in force
        for them (service.calendars.in_force). A school without its own hours, or not an
        organisation here, has the default school day and the district's calendar."""
        wanted = {school_key(s) for s in schools}
        position, found, slugs = 0, {}, {}
        while True:
            section = self.recorder.select_notifications(
                position, 1000, topics=[ORGANISATION_CREATED], inclusive_of_start=False
            )
            for notification in section:
                organisation: Organisation = self.repository.get(notification.originator_id)
                keys = {organisation.slug, school_key(organisation.name)} & wanted
                if organisation.kind == "school" and keys:
                    found.update(dict.fromkeys(keys, organisation.school_hours))
                    slugs.update(dict.fromkeys(keys, organisation.slug))
            if len(section) < 1000:
                break
            position = section[-1].id
        hours = [found.get(key, DEFAULT_HOURS) for key in wanted]
        calendar = self.calendars_in_force.for_schools(slugs.get(key) for key in sorted(wanted))
        return SchoolClock(self.zone, SchoolHours.earliest(hours), calendar)

    def find(self, ref: str) -> UUID:
        """An incident's id from its reference (INC-2026-0007) or its id."""
        ref = ref.strip()
        if REFERENCE_PATTERN.match(ref):
            incident_id = Incident.id_for(ref)
        else:
            try:
                incident_id = UUID(ref)
            except ValueError:
                raise NotFound(
                    f"{ref!r} is not an incident reference: use one like INC-2026-0007"
                ) from None
        if self.held.holds(incident_id):
            return incident_id  # held: it was found in the store before, and streams only grow
        first = self.recorder.select_events(incident_id, limit=1)
        if not first or first[0].topic != INCIDENT_TOPICS[0]:
            raise NotFound(f"there is no incident {ref}")
        return incident_id

    def incident(self, ref: str) -> Incident:
        """The incident as the store holds it now: the one held in memory, brought up to date
        with the events it has not seen (service.incidents.held). Never change it."""
        return self.held.latest(self.find(ref))

    def incidents(
        self, *, include_closed: bool = False, school: str | None = None
    ) -> list[Incident]:
        """Open incidents (or all), newest first, optionally those touching one school."""
        wanted = school.strip().casefold() if school else None
        return [
            incident
            for incident in self.board.incidents()
            if (include_closed or not incident.closed)
            and (wanted is None or any(s.casefold() == wanted for s in incident.schools))
        ]

    def incident_events(self, ref: str, *, after_version: int = 0) -> list[FeedEvent]:
        incident_id = self.find(ref)
        notifications = select_stream(self.recorder, incident_id, after_version=after_version)
        events = [self.mapper.to_domain_event(n) for n in notifications]
        reference = self._reference_of(incident_id, events)
        drill = self._drill_of(incident_id, events)
        return [
            to_feed_event(n.id, reference, e, drill=drill)
            for n, e in zip(notifications, events, strict=True)
        ]

    def incident_stream(
        self, incident_id: UUID, *, after_version: int = 0
    ) -> list[tuple[int, Incident.Event]]:
        """An incident's events after a version, each with its global position, without building
        a FeedEvent around each: for readers of long streams (the timeline) that need no more."""
        notifications = select_stream(self.recorder, incident_id, after_version=after_version)
        return [(n.id, self.mapper.to_domain_event(n)) for n in notifications]

    def latest_version(self, incident_id: UUID) -> int:
        """The version of the incident's latest event (0 if it has none)."""
        latest = self.recorder.select_events(incident_id, desc=True, limit=1)
        return latest[0].originator_version if latest else 0

    def incident_at_version(self, ref: str, version: int) -> Incident:
        incident_id = self.find(ref)
        check_whole_number("version", version, least=1)
        latest = self.recorder.select_events(incident_id, desc=True, limit=1)[0]
        if version > latest.originator_version:
            raise DomainError(
                f"{self._reference_of(incident_id, [])} has {latest.originator_version} events; "
                f"version {version} is beyond the stream"
            )
        # Reads only the first N events, and no snapshot: replay is what the events alone say.
        return project(self.events.get(incident_id, lte=version))

    def incident_at_time(self, ref: str, at: datetime) -> Incident:
        if at.tzinfo is None:
            raise DomainError("give the moment with a time zone, e.g. 2026-11-23T09:30-06:00")
        check_moment("at", at)  # the page, API and CLI show the state at that moment
        events = self.incident_events(ref)
        before = [e for e in events if e.at <= at]
        if not before:
            raise DomainError(
                f"{events[0].reference} was opened at {events[0].at.isoformat()}; "
                f"there is nothing to show at {at.isoformat()}"
            )
        return project(e.event for e in before)

    def events_after(self, position: int = 0, limit: int = 100) -> list[FeedEvent]:
        """The global feed: every incident event after a position, in order."""
        check_whole_number("position", position, least=0)
        check_whole_number("limit", limit, least=1, most=MAX_FEED_LIMIT, wording="from")
        notifications = self.recorder.select_notifications(
            position, limit, topics=INCIDENT_TOPICS, inclusive_of_start=False
        )
        return [self.feed_event(n.id, self.mapper.to_domain_event(n)) for n in notifications]

    def feed_event(self, position: int, event: Incident.Event) -> FeedEvent:
        """An incident event read from the log at `position`, as the feeds carry it."""
        incident_id = event.originator_id
        return to_feed_event(
            position,
            self._reference_of(incident_id, [event]),
            event,
            drill=self._drill_of(incident_id, [event]),
        )

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def _reference_of(self, incident_id: UUID, events: Sequence[Incident.Event]) -> str:
        if incident_id not in self._references:
            first = events[0] if events and events[0].originator_version == 1 else None
            if first is None:
                first = next(iter(self.events.get(incident_id, lte=1)))
            self._references[incident_id] = first.reference  # type: ignore[attr-defined]
        return self._references[incident_id]

    def _drill_of(self, incident_id: UUID, events: Sequence[Incident.Event]) -> bool:
        """Whether the incident is a drill: its opening says so, once and for ever."""
        if incident_id not in self._drills:
            first = events[0] if events and events[0].originator_version == 1 else None
            if first is None:
                first = next(iter(self.events.get(incident_id, lte=1)))
            self._drills[incident_id] = bool(first.drill)  # type: ignore[attr-defined]
        return self._drills[incident_id]


def project(events: Iterable[Any]) -> Incident:
    """Folds events into the incident as it stood after the last of them."""
    incident = fold(None, events)
    assert incident is not None
    return incident
