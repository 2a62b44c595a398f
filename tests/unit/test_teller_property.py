"""A timeline told in pieces, as the projector stores it (a teller resumed at any version by
folding the events before it, corrections applied to entries told earlier), is the timeline told
in one go."""

from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.incidents.application import Steady
from service.timelines.narration import Teller, corrected, narrate
from tests.unit.test_replay_property import commands, run_all

ZONE = ZoneInfo("America/Chicago")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands, max_size=25), st.data())
def test_a_timeline_told_in_pieces_is_the_timeline_told_at_once(sequence, data):
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ref = run_all(app, sequence)
    events = app.incident_events(ref)
    whole = narrate(events, ZONE)

    cuts = sorted(data.draw(st.sets(st.integers(1, len(events)), max_size=4)))
    stored: list[dict] = []
    for start, end in zip([0, *cuts], [*cuts, len(events)], strict=True):
        teller = Teller(ZONE)  # a new one each piece, as after a restart
        teller.follow(e.event for e in events[:start])
        assert teller.version == start
        for feed_event in events[start:end]:
            entry, correction = teller.tell_one(feed_event.position, feed_event.event)
            stored.append(entry)
            if correction is not None:
                version, corrected_by = correction
                stored[version - 1] = corrected(stored[version - 1], corrected_by)
    assert stored == whole
