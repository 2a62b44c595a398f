"""The log as the live feed reads it: incident events (as every feed carries them), the
follow-up and affected-person events of service/live/people_events.py, and the help requests'
of service/live/help_events.py, each resolved here, in
the reader's thread, with what deciding its audience needs, so that the hub never reads the
store on the event loop."""

from collections.abc import Callable
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.affected_person import AffectedPerson
from domain.follow_ups import FollowUps
from domain.help_request import HelpRequest
from domain.incident import Incident
from service.incidents.application import Steady
from service.live.feed_events import INCIDENT_TOPICS, FeedEvent
from service.live.help_events import HELP_TOPICS, HelpFeedEvent
from service.live.people_events import (
    FOLLOW_UP_TOPICS,
    PERSON_TOPICS,
    FollowUpFeedEvent,
    PersonFeedEvent,
    follow_up_data,
    incidents_of,
    partner_data,
    person_data,
)

LiveEvent = FeedEvent | FollowUpFeedEvent | PersonFeedEvent | HelpFeedEvent
TOPICS = [*INCIDENT_TOPICS, *FOLLOW_UP_TOPICS, *PERSON_TOPICS, *HELP_TOPICS]
_FOLLOW_UPS = frozenset(FOLLOW_UP_TOPICS)
_PEOPLE = frozenset(PERSON_TOPICS)
_HELP = frozenset(HELP_TOPICS)
MAX_PAGE = 1000


class LiveLog:
    def __init__(self, steady: Steady, owner_organisation: Callable[[str], str]) -> None:
        self._steady = steady
        self._owner_organisation = owner_organisation

    def after(self, position: int, limit: int) -> list[LiveEvent]:
        """The events after a position that the live feed carries, in log order."""
        notifications = self._steady.recorder.select_notifications(
            position, min(limit, MAX_PAGE), topics=TOPICS, inclusive_of_start=False
        )
        page = _Page(self._steady, self._owner_organisation)
        return [page.event(n) for n in notifications]


class _Page:
    """One page's reading: each stream it touches is read once, however many of its events."""

    def __init__(self, steady: Steady, owner_organisation: Callable[[str], str]) -> None:
        self._steady = steady
        self._owner_organisation = owner_organisation
        self._owners: dict[UUID, list[str]] = {}  # stream -> its owner after each version
        self._people: dict[UUID, AffectedPerson] = {}
        self._planned: dict[UUID, FollowUps.Planned] = {}
        self._help: dict[UUID, tuple[str, bool]] = {}  # stream -> (reference, life-safety)

    def event(self, notification: Notification) -> LiveEvent:
        event = self._steady.mapper.to_domain_event(notification)
        if notification.topic in _FOLLOW_UPS:
            return self._follow_up(notification.id, event)
        if notification.topic in _PEOPLE:
            return self._person(notification.id, event)
        if notification.topic in _HELP:
            return self._help_request(notification.id, event)
        return self._steady.feed_event(notification.id, event)

    def _follow_up(self, position: int, event: FollowUps.Event) -> FollowUpFeedEvent:
        owners = self._owners_of(event.originator_id)
        version = event.originator_version
        changed = (owners[version - 2],) if isinstance(event, FollowUps.OwnerChanged) else ()
        named = (*changed, owners[version - 1])
        first = self._planned[event.originator_id]
        return FollowUpFeedEvent(
            position=position,
            person_ref=first.person_ref,
            incident_ref=first.incident_ref,
            incident_id=Incident.id_for(first.incident_ref),
            owners=named,
            owner_organisations=tuple(self._owner_organisation(o) for o in named),
            version=version,
            type=event.NAME,
            at=event.timestamp,
            actor=dict(event.actor),
            data=follow_up_data(event),
        )

    def _owners_of(self, stream: UUID) -> list[str]:
        """The stream's owner after each of its events, as the store holds them now."""
        if stream not in self._owners:
            owners: list[str] = []
            for event in self._steady.events.get(stream):
                if isinstance(event, FollowUps.Planned):
                    self._planned[stream] = event
                    owners.append(event.owner)
                elif isinstance(event, FollowUps.OwnerChanged):
                    owners.append(event.owner)
                else:
                    owners.append(owners[-1])
            self._owners[stream] = owners
        return self._owners[stream]

    def _help_request(self, position: int, event: HelpRequest.Event) -> HelpFeedEvent:
        stream = event.originator_id
        if stream not in self._help:
            if isinstance(event, HelpRequest.Received):
                self._help[stream] = (event.reference, event.life_safety)
            else:
                first = next(iter(self._steady.events.get(stream, lte=1)))
                assert isinstance(first, HelpRequest.Received)
                self._help[stream] = (first.reference, first.life_safety)
        reference, life_safety = self._help[stream]
        return HelpFeedEvent(
            position=position,
            reference=reference,
            version=event.originator_version,
            type=event.NAME,
            at=event.timestamp,
            life_safety=life_safety,
        )

    def _person(self, position: int, event: AffectedPerson.Event) -> PersonFeedEvent:
        if event.originator_id not in self._people:
            self._people[event.originator_id] = self._steady.repository.get(event.originator_id)
        person = self._people[event.originator_id]
        incidents = incidents_of(event, person)
        return PersonFeedEvent(
            position=position,
            person_ref=person.reference,
            incidents=incidents,
            counselors={i: person.counselors[i] for i in incidents if i in person.counselors},
            version=event.originator_version,
            type=event.NAME,
            at=event.timestamp,
            actor=dict(event.actor),
            data=person_data(event),
            partner_views=partner_data(event, person),
        )
