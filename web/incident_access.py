"""How much of an incident the signed-in person gets: all of it, or a partner's share of it.
Used by the API, the pages and the feed alike, so each surface cuts the same things out."""

from datetime import datetime
from typing import Any

from litestar import Request

from domain.account import Account
from domain.errors import NotFound
from domain.incident import Incident
from service.feed import FeedEvent
from service.partner_feed import PartnerFeed
from service.partner_view import assigned_to, partner_incident_view, partner_summary
from service.permissions import Forbidden, scopes
from service.views import incident_summary, incident_view
from web.auth import forbidden, partner_organisation, steady_of


def incident_view_for(account: Account, incident: Incident, now: datetime) -> dict[str, Any]:
    organisation = partner_organisation(account)
    if organisation is None:
        return incident_view(incident, now)
    return partner_incident_view(incident, organisation, now)


def summary_for(account: Account, incident: Incident, now: datetime) -> dict[str, Any]:
    organisation = partner_organisation(account)
    if organisation is None:
        return incident_summary(incident, now)
    return partner_summary(incident, organisation, now)


def partner_events(request: Request, organisation: str, events: list[FeedEvent]) -> list[FeedEvent]:
    """The events as the organisation may see them, leaving out those it may not see at all."""
    feed: PartnerFeed = request.app.state.partner_feed
    return [event for event in feed.views(organisation, events) if event is not None]


def note_audience(
    request: Request, account: Account, ref: str, task_id: str, share_with: list[str] | None
) -> list[str]:
    """The partner organisations a new note is shared with. A partner's note always goes to
    their own organisation (and only there), on one of their own tasks or the incident."""
    organisation = partner_organisation(account)
    if organisation is not None:
        if share_with and list(share_with) != [organisation]:
            raise Forbidden("a partner's notes are shared with their own organisation only")
        if task_id:
            task = steady_of(request).current(ref).tasks.get(task_id)
            if task is None or not assigned_to(task, organisation):
                raise NotFound(f"{ref} has no task {task_id!r}")
        return [organisation]
    if not share_with:
        return []
    if not scopes(account.roles, "share_incident"):
        raise forbidden("share_incident")
    return [o.strip().lower() for o in share_with]
