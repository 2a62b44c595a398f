"""Once a share ends, what it showed is no longer served to the partner: not by catching up, not
by the event API, not to a socket that was connected all along. Only the end itself stays, so a
client that was away learns that the incident is gone."""

from datetime import UTC, datetime

from service.incidents.application import Steady
from service.sharing.feed import PartnerFeed
from tests.builders import LEAD

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NOTE = "Groups on Tuesdays in room 12"
INSTRUCTIONS = "Meet the class of S-1042 after lunch"


def shared_then_ended(app: Steady) -> str:
    ref = app.open_incident(
        title="Death of a student", kind="death", severity=2, schools=["Jefferson"], actor=LEAD
    ).reference
    app.share_incident(ref, "eastside", "Eastside Counseling", actor=LEAD)
    app.add_task(
        ref, title="Grief group", owner_role="counselor", instructions=INSTRUCTIONS, actor=LEAD
    )
    app.assign_task(ref, "T1", kind="partner", name="eastside", actor=LEAD)
    app.add_note(ref, NOTE, share_with=["eastside"], actor=LEAD)
    app.end_share(ref, "eastside", reason="handed back", actor=LEAD)
    return ref


def test_an_ended_share_is_no_longer_served_live_or_when_catching_up():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    live = PartnerFeed(app.events_after)
    ref = shared_then_ended(app)
    events = app.events_after(0, 100)
    *during, ended = events[1:]
    live.fold(events[:-1])
    assert all(live.view("eastside", e) is not None for e in during[:1])  # while it lasted
    assert any(NOTE in str(live.view("eastside", e)) for e in during)
    live.fold(events[-1:])
    late = PartnerFeed(app.events_after)
    for feed in (live, late):
        served = [feed.view("eastside", e) for e in events]
        assert [v.type for v in served if v is not None] == ["incident_share_ended"]
        assert NOTE not in str(served) and INSTRUCTIONS not in str(served)
        assert not any(feed.shown("eastside", e.position) for e in during)
        assert feed.shown("eastside", ended.position)
    assert ended.reference == ref


def test_a_new_share_serves_what_it_shows_and_not_what_the_ended_one_did():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ref = shared_then_ended(app)
    app.share_incident(ref, "eastside", "Eastside Counseling", actor=LEAD)
    app.change_severity(ref, 1, reason="", actor=LEAD)
    feed = PartnerFeed(app.events_after)
    served = [feed.view("eastside", e) for e in app.events_after(0, 100)]
    assert [v.type for v in served if v is not None] == [
        "incident_share_ended",
        "incident_shared",
        "severity_changed",
    ]
