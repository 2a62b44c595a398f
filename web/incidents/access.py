"""How much of an incident the signed-in person gets: all of it, or a partner's share of it.
Used by the API, the pages and the feed alike, so each surface cuts the same things out."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from litestar import Request

from domain.account import Account
from domain.errors import NotFound
from domain.incident import Incident
from service.access.need_to_know import Sight, confidential_counts, may_see, sight
from service.access.permissions import Forbidden, scopes
from service.incidents.application import Steady
from service.incidents.as_json import incident_summary, incident_view
from service.live.feed_events import FeedEvent
from service.sharing.feed import PartnerFeed
from service.sharing.view import assigned_to, partner_incident_view, partner_summary
from web.access.auth import forbidden, partner_organisation, viewer_of


def incident_view_for(
    account: Account, incident: Incident, now: datetime, *, recent_notes: int | None = None
) -> dict[str, Any]:
    """The incident as this person may see it; `recent_notes` keeps only the latest notes (a
    partner sees the few shared with them, all of them)."""
    organisation = partner_organisation(account)
    if organisation is None:
        return incident_view(incident, now, recent_notes=recent_notes)
    return partner_incident_view(incident, organisation, now)


def summary_for(account: Account, incident: Incident, now: datetime) -> dict[str, Any]:
    organisation = partner_organisation(account)
    if organisation is None:
        return incident_summary(incident, now)
    return partner_summary(incident, organisation, now)


def visible_incidents(
    request: Request, account: Account, incidents: Iterable[Incident]
) -> list[Incident]:
    """The incidents that exist for this person (the need-to-know rule), in the same order."""
    viewer = viewer_of(request, account)
    return [i for i in incidents if may_see(viewer, i)]


def counted_confidential(
    request: Request, account: Account, incidents: Iterable[Incident]
) -> list[dict[str, Any]]:
    """The confidential incidents this person may only count, per school."""
    counts = confidential_counts(viewer_of(request, account), incidents)
    return [{"school": school, "count": count} for school, count in counts.items()]


def visible_events(
    request: Request,
    account: Account,
    events: list[FeedEvent],
    steady: Steady,
    partner_feed: PartnerFeed,
) -> list[FeedEvent]:
    """The events of the global feed as this person may see them: a partner's cut-down share,
    or the events of the incidents they may see whole (judged with each incident as it is now,
    as the live feed judges them)."""
    organisation = partner_organisation(account)
    if organisation is not None:
        return partner_events(partner_feed, organisation, events)
    viewer = viewer_of(request, account)
    if viewer.every_case:
        return events
    board = steady.board
    # Judged with the incidents as they are now, not as of each event: someone taken off a case
    # team a moment ago no longer sees its events, even those the board has folded already.
    board.catch_up()
    shown = []
    for event in events:
        incident = board.incident_as_of(event.incident_id, event.position)
        if incident is not None and sight(viewer, incident) == Sight.WHOLE:
            shown.append(event)
    return shown


def partner_events(
    feed: PartnerFeed, organisation: str, events: list[FeedEvent]
) -> list[FeedEvent]:
    """The events as the organisation may see them, leaving out those it may not see at all."""
    return [event for event in feed.views(organisation, events) if event is not None]


def note_audience(
    steady: Steady, account: Account, ref: str, task_id: str, share_with: list[str] | None
) -> list[str]:
    """The partner organisations a new note is shared with. A partner's note always goes to
    their own organisation (and only there), on one of their own tasks or the incident."""
    organisation = partner_organisation(account)
    if organisation is not None:
        if share_with and list(share_with) != [organisation]:
            raise Forbidden("a partner's notes are shared with their own organisation only")
        if task_id:
            task = steady.incident(ref).tasks.get(task_id)
            if task is None or not assigned_to(task, organisation):
                raise NotFound(f"{ref} has no task {task_id!r}")
        return [organisation]
    if not share_with:
        return []
    if not scopes(account.roles, "share_incident"):
        raise forbidden("share_incident")
    return [o.strip().lower() for o in share_with]
