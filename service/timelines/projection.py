"""Keeps the stored told timelines (service.timelines.stored) up to date with the event log.

Fed by a log follower of its own, in log order, from the position the tables say was told last:
each batch of events is told (with what was true when each happened, as
service.timelines.narration tells it) and written with the new position in one transaction. A
teller per recently active incident stays in memory; one for an incident not held is rebuilt by
folding its stream up to the event
before. If writing fails, nothing is lost: the next batch first catches up from the position the
tables hold, and readers meanwhile tell the events themselves (service.timelines.reading).
"""

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from uuid import UUID
from zoneinfo import ZoneInfo

from service.incidents.application import Steady
from service.live.feed_events import FeedEvent
from service.timelines.narration import Correction, Entry, Teller
from service.timelines.stored import IncidentTold, Outline, StoredTimelines

log = logging.getLogger(__name__)
MAX_TELLERS = 64  # incidents whose teller is kept between batches (each holds one incident)
PAGE = 500


@dataclass
class _Told:
    teller: Teller
    entries: list[Entry] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)


class TimelineProjector:
    def __init__(
        self, steady: Steady, stored: StoredTimelines, *, max_tellers: int = MAX_TELLERS
    ) -> None:
        self.steady = steady
        self.stored = stored
        self.zone = ZoneInfo(stored.zone)
        self.max_tellers = max_tellers
        self.position = 0
        self._tellers: OrderedDict[UUID, Teller] = OrderedDict()
        self._behind = False  # a write failed: catch up from the tables' position first

    def start(self) -> int:
        """The position to follow the log from: where the stored timelines end."""
        self.position = self.stored.tracked_position()
        return self.position

    def fold(self, events: list[FeedEvent]) -> None:
        """Tells and stores the events after the position told so far (the follower's
        callback: it never raises, so the follower keeps following)."""
        try:
            if self._behind:
                self.catch_up()
            else:
                self._project([e for e in events if e.position > self.position])
        except Exception:
            log.exception("storing told timelines failed; catching up from the log next time")
            self._tellers.clear()
            self._behind = True

    def catch_up(self) -> None:
        """Tells every event after the position the tables hold, up to the end of the log."""
        self._tellers.clear()
        self.position = self.stored.tracked_position()
        self._behind = False
        while True:
            events = self.steady.events_after(self.position, PAGE)
            self._project(events)
            if len(events) < PAGE:
                return

    def _project(self, events: list[FeedEvent]) -> None:
        if not events:
            return
        told: dict[UUID, _Told] = {}
        for feed_event in events:
            event = feed_event.event
            incident_id = feed_event.incident_id
            now = told.get(incident_id)
            if now is None:
                teller = self._teller_for(incident_id, event.originator_version)
                now = told[incident_id] = _Told(teller)
            entry, correction = now.teller.tell_one(feed_event.position, event)
            now.entries.append(entry)
            if correction is not None:
                now.corrections.append(correction)
        written = [_written(incident_id, t) for incident_id, t in told.items()]
        self.stored.write(written, events[-1].position)
        self.position = events[-1].position
        for incident_id, t in told.items():
            self._keep(incident_id, t.teller)

    def _teller_for(self, incident_id: UUID, version: int) -> Teller:
        """A teller that has told the incident up to the event before `version`."""
        teller = self._tellers.pop(incident_id, None)
        if teller is not None and teller.version == version - 1:
            return teller
        teller = Teller(self.zone)
        if version > 1:
            earlier = self.steady.incident_stream(incident_id)[: version - 1]
            teller.follow(event for _, event in earlier)
        if teller.version != version - 1:
            raise LookupError(
                f"incident {incident_id}: the store holds {teller.version} events before "
                f"version {version}"
            )
        return teller

    def _keep(self, incident_id: UUID, teller: Teller) -> None:
        self._tellers[incident_id] = teller
        self._tellers.move_to_end(incident_id)
        while len(self._tellers) > self.max_tellers:
            self._tellers.popitem(last=False)


def _written(incident_id: UUID, told: _Told) -> IncidentTold:
    incident = told.teller.incident
    assert incident is not None
    return IncidentTold(
        incident_id=incident_id,
        outline=Outline.of(incident, told.teller.version),
        entries=told.entries,
        corrections=told.corrections,
    )
