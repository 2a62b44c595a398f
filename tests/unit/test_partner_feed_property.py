"""For any sequence of commands: a partner sees an incident's events only while it is shared
with them, never the events that carry what the district keeps to itself, and gets the same
views whether it followed the log live, in whatever batches, or caught up afterwards."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.application import Steady
from service.partner_feed import PartnerFeed
from tests.unit.test_replay_property import commands, run_all

PARTNERS = ["a", "b"]
NEVER_SHOWN = {"incident_opened", "playbook_applied", "task_added", "note_added"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands, max_size=30), st.lists(st.integers(1, 5), min_size=1, max_size=10))
def test_a_partner_sees_only_what_was_shared_while_shared_and_the_same_live_or_late(
    sequence, batches
):
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    run_all(app, sequence)
    events = app.events_after(0, 1000)

    live = PartnerFeed(app.events_after)
    start = 0
    for size in batches * len(events):  # the follower hands over batches of any size
        if start >= len(events):
            break
        live.fold(events[start : start + size])
        start += size
    late = PartnerFeed(app.events_after)

    shared: set[str] = set()
    for event in events:
        before = set(shared)
        if event.type == "incident_shared":
            shared.add(event.data["organisation"])
        elif event.type == "incident_share_ended":
            shared.discard(event.data["organisation"])
        for partner in PARTNERS:
            seen = live.view(partner, event)
            assert late.view(partner, event) == seen
            if seen is None:
                continue
            assert partner in before | shared
            assert seen.type not in NEVER_SHOWN
            assert set(seen.data) <= set(event.data) | {"task", "note"}
