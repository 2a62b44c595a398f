"""Who hears a follow-up's or a person's news on the live feed: the audiences' decisions, event
by event, without a server (tests/e2e/test_people_feed.py has the same over real sockets)."""

from datetime import UTC, datetime
from uuid import UUID

from domain.account import Account
from domain.incident import Incident
from service.access.need_to_know import viewer_of
from service.live.people_events import FollowUpFeedEvent, PersonFeedEvent
from service.sharing.feed import PartnerFeed
from tests.unit.test_need_to_know import (
    JEFFERSON,
    LEADER,
    OURS,
    PARTNER,
    THEIRS,
    incident,
    person,
)
from web.live.audiences import Audience, district_audience, partner_audience

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
OTHER = person("p.rivera", "responder", JEFFERSON)  # a counselor of another school
AT_ROOSEVELT = incident()


class HeldBoard:
    """The board as the hub asks it, holding one incident."""

    def __init__(self, held: Incident) -> None:
        self.held = held

    def folded(self, incident_id: UUID) -> Incident | None:
        return self.held if incident_id == self.held.id else None


def follow_up(owner: str, organisation: str) -> FollowUpFeedEvent:
    return FollowUpFeedEvent(
        position=7,
        person_ref="P-0007",
        incident_ref=AT_ROOSEVELT.reference,
        incident_id=Incident.id_for(AT_ROOSEVELT.reference),
        owners=(owner,),
        owner_organisations=(organisation,),
        version=2,
        type="check_in_recorded",
        at=NOW,
        actor={"user": owner, "role": "counselor"},
        data={"check_in_id": "C1", "outcome": "seen_no_concern"},
    )


def person_news(counselor: str = "") -> PersonFeedEvent:
    ref = AT_ROOSEVELT.reference
    return PersonFeedEvent(
        position=8,
        person_ref="P-0007",
        incidents=(ref,),
        counselors={ref: counselor} if counselor else {},
        version=3,
        type="person_referred",
        at=NOW,
        actor={"user": "m.alvarez", "role": "crisis-lead"},
        data={"incident_ref": ref, "referral_id": "R1"},
        partner_views={"eastside-counseling": {"referral_id": "R1", "reason": "panic"}},
    )


def audience(account: Account, *, personal: bool = True) -> Audience:
    board = HeldBoard(AT_ROOSEVELT)
    if account is PARTNER:
        return partner_audience("eastside-counseling", PartnerFeed(lambda _p, _l: []))
    return district_audience(viewer_of(account), board, personal)  # type: ignore[arg-type]


def test_a_follow_up_reaches_its_owner_and_those_who_see_its_incident_not_other_counselors():
    owned_by_chen = follow_up("d.chen", JEFFERSON.slug)
    assert Incident.id_for(AT_ROOSEVELT.reference) == AT_ROOSEVELT.id
    assert audience(THEIRS).view(owned_by_chen) is owned_by_chen  # the owner, elsewhere
    assert audience(OURS).view(owned_by_chen) is owned_by_chen  # sees the incident whole
    assert audience(LEADER).view(owned_by_chen) is owned_by_chen
    assert audience(OTHER).view(owned_by_chen) is None  # another school's counselor
    # Shared by everyone of the same roles and schools, no one's own: not the owner's.
    assert audience(THEIRS, personal=False).view(owned_by_chen) is None
    # A partner's people hear of what someone of their organisation owns, and only that.
    assert audience(PARTNER).view(owned_by_chen) is None
    theirs = follow_up("j.brooks", "eastside-counseling")
    assert audience(PARTNER).view(theirs) is theirs


def test_a_persons_news_reaches_who_sees_the_incident_or_counsels_them_and_the_partner_its_part():
    news = person_news()
    assert audience(OURS).view(news) is news and audience(LEADER).view(news) is news
    assert audience(THEIRS).view(news) is None and audience(OTHER).view(news) is None
    counselled = person_news(counselor="p.rivera")
    assert audience(OTHER).view(counselled) is counselled  # their counselor, of another school
    assert audience(OTHER, personal=False).view(counselled) is None
    seen = audience(PARTNER).view(news)
    assert seen is not None and seen.as_dict()["data"] == {"referral_id": "R1", "reason": "panic"}
    assert seen.as_dict()["person"] == {"reference": "P-0007", "incidents": []}
    other_partner = partner_audience("northside-family", PartnerFeed(lambda _p, _l: []))
    assert other_partner.view(news) is None
