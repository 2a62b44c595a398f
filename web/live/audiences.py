"""Who sees what on the live board: connections that may see the same things share one audience,
so that each event is encoded once for them, not once per client."""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from litestar.datastructures import State

from domain.account import Account
from service.access.need_to_know import Sight, Viewer, is_personal, sight
from service.access.permissions import Scope, can
from service.incidents.board import Board
from service.live.feed_events import FeedEvent
from service.sharing.feed import PartnerFeed
from web.access.auth import partner_organisation


def _whole(event: FeedEvent) -> FeedEvent | None:
    return event


def _always(position: int) -> bool:
    return True


@dataclass(frozen=True)
class Audience:
    """Subscribers who may see the same things, so that each event is encoded once for them:
    crisis leads and auditors see every event whole; district leaders and responders, grouped
    by roles and schools (or one by one when a case team or a task named to them makes what
    they see their own), see the events of the incidents the need-to-know rule lets them see;
    each partner organisation sees only its part of the incidents shared with it."""

    key: str = "everyone"
    # The event as this audience may see it, or None if none of it is theirs.
    view: Callable[[FeedEvent], FeedEvent | None] = field(default=_whole, compare=False)
    # Whether a view decided earlier may still be sent: an ended share withdraws what it showed,
    # even from a connection that has it queued.
    shown: Callable[[int], bool] = field(default=_always, compare=False)

    @property
    def personal(self) -> bool:
        """One account's own view (see district_audience)."""
        return ":@" in self.key


EVERYONE = Audience()


def partner_audience(organisation: str, feed: PartnerFeed) -> Audience:
    return Audience(
        f"partner:{organisation}",
        partial(feed.view, organisation),
        partial(feed.shown, organisation),
    )


def district_view(viewer: Viewer, board: Board, event: FeedEvent) -> FeedEvent | None:
    """The event whole if the viewer may see its incident now (by the same rule as the REST
    surfaces), else nothing: a confidential case they may only count sends them nothing."""
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
    """The audience of the account's connections, or None if it may not see the board. Reads
    the store (the account's schools, the board): call it from a worker thread."""
    if not can(account.roles, "view_board") or account.disabled:
        return None
    organisation = partner_organisation(account)
    if organisation is not None:
        return partner_audience(organisation, state.partner_feed)
    viewer: Viewer = state.school_names.viewer(account)
    if viewer.every_case:
        return EVERYONE
    board: Board = state.steady.board
    return district_audience(viewer, board, is_personal(viewer, board.incidents()))
