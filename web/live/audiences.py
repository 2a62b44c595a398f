"""Who sees what on the live board: connections that may see the same things share one audience,
so that each event is encoded once for them, not once per client."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from litestar.datastructures import State

from domain.account import Account
from domain.incident import Incident
from service.access.need_to_know import (
    Sight,
    Viewer,
    is_personal,
    sees_follow_up,
    sees_person_on,
    sight,
)
from service.access.permissions import Scope, can, may_own_follow_ups
from service.incidents.board import Board
from service.live.help_events import HelpFeedEvent
from service.live.live_log import LiveEvent
from service.live.people_events import FollowUpFeedEvent, PersonFeedEvent
from service.sharing.feed import PartnerFeed
from web.access.auth import partner_organisation


def _whole(event: LiveEvent) -> LiveEvent | None:
    return event


def _always(position: int) -> bool:
    return True


@dataclass(frozen=True)
class Audience:
    """Subscribers who may see the same things, so that each event is encoded once for them:
    crisis leads and auditors see every event whole; district leaders and responders, grouped
    by roles and schools (or one by one when a case team, a task named to them or follow-ups
    they may own make what they see their own), see the events of the incidents the
    need-to-know rule lets them see, and the news of follow-ups and people that reaches them
    (district_view); each partner organisation sees only its part of the incidents shared with
    it, the follow-ups its people own and its own referrals (partner_view)."""

    key: str = "everyone"
    # The event as this audience may see it, or None if none of it is theirs.
    view: Callable[[LiveEvent], LiveEvent | None] = field(default=_whole, compare=False)
    # Whether a view of an incident event decided earlier may still be sent: an ended share
    # withdraws what it showed, even from a connection that has it queued.
    shown: Callable[[int], bool] = field(default=_always, compare=False)

    @property
    def personal(self) -> bool:
        """One account's own view (see district_audience)."""
        return ":@" in self.key


EVERYONE = Audience()


def help_desk_view(event: LiveEvent) -> LiveEvent | None:
    """A help request's news, and nothing of incidents: the help desk sees no board."""
    return event if isinstance(event, HelpFeedEvent) else None


HELP_DESK = Audience("help-desk", help_desk_view)


def partner_view(organisation: str, feed: PartnerFeed, event: LiveEvent) -> LiveEvent | None:
    """An incident event as the partner feed decided; a follow-up owned by one of the
    organisation's people; a referral to it, with its reason and ask only; never a help
    request's news (the routed requests are read on their page)."""
    if isinstance(event, HelpFeedEvent):
        return None
    if isinstance(event, FollowUpFeedEvent):
        return event if organisation in event.owner_organisations else None
    if isinstance(event, PersonFeedEvent):
        return event.for_partner(organisation)
    return feed.view(organisation, event)


def partner_audience(organisation: str, feed: PartnerFeed) -> Audience:
    return Audience(
        f"partner:{organisation}",
        partial(partner_view, organisation, feed),
        partial(feed.shown, organisation),
    )


def district_view(viewer: Viewer, board: Board, event: LiveEvent) -> LiveEvent | None:
    """The event whole if the viewer may see its incident now (by the same rule as the REST
    surfaces), else nothing: a confidential case they may only count sends them nothing. A
    follow-up's news reaches those who may record its owner's check-ins and those who see its
    incident whole; a person's, those who see one of its incidents whole or counsel the person
    there; a help request's, those who may see the help desk's queue. The board has folded the
    log up to the event (the feed brings it up to date)."""
    if isinstance(event, HelpFeedEvent):
        return event if can(viewer.roles, "view_help_requests") else None
    if isinstance(event, FollowUpFeedEvent):
        incident = board.folded(event.incident_id)
        owned = zip(event.owners, event.owner_organisations, strict=True)
        return event if any(sees_follow_up(viewer, incident, *o) for o in owned) else None
    if isinstance(event, PersonFeedEvent):
        found = {ref: board.folded(Incident.id_for(ref)) for ref in event.incidents}
        incidents = {ref: i for ref, i in found.items() if i is not None}
        return event if sees_person_on(viewer, incidents, event.counselors) else None
    incident = board.incident_as_of(event.incident_id, event.position)
    if incident is None or sight(viewer, incident) != Sight.WHOLE:
        return None
    return event


def district_audience(viewer: Viewer, board: Board, personal: bool) -> Audience:
    """Everyone with these roles and schools shares one audience, judged without anyone's
    personal grants; a personal audience is judged as the account itself."""
    judged = viewer if personal else viewer.anonymous()
    key = "district:" + ",".join(sorted(viewer.roles))
    if Scope.SCHOOL in viewer.reach:
        key += ":" + ",".join(sorted(viewer.schools))
    if personal:
        key += f":@{viewer.username}"
    return Audience(key, partial(district_view, judged, board))


def audience_for(account: Account, state: State) -> Audience | None:
    """The audience of the account's connections, or None if it may see neither the board nor
    the help desk's queue. Reads the store (the account's schools, the board): call it from a
    worker thread."""
    if account.disabled:
        return None
    if not can(account.roles, "view_board"):
        return HELP_DESK if can(account.roles, "view_help_requests") else None
    organisation = partner_organisation(account)
    if organisation is not None:
        return partner_audience(organisation, state.partner_feed)
    viewer: Viewer = state.school_names.viewer(account)
    if viewer.every_case:
        return EVERYONE
    board: Board = state.steady.board
    # Whoever may own follow-ups gets their own: the news of their check-ins is theirs alone.
    personal = may_own_follow_ups(account) or is_personal(viewer, board.incidents())
    return district_audience(viewer, board, personal)
