"""For any sequence of commands: a partner sees an incident's events only while it is shared
with them, never the events that carry what the district keeps to itself; once a share ends,
every view it gave is withdrawn (only the end itself stays); and at every moment a partner
following the log live, in whatever batches, is served exactly what a partner catching up then
is served."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.incidents.application import Steady
from service.live.feed_events import FeedEvent
from service.sharing.feed import PartnerFeed
from tests.unit.test_replay_property import commands, run_all

PARTNERS = ["a", "b"]
# Shares starting and ending more often than among all commands, so that most sequences hold a
# share that ends with views to withdraw, and some a share that starts again.
sharing = st.tuples(st.sampled_from(["share", "end_share"]), st.sampled_from(PARTNERS))
NEVER_SHOWN = {"incident_opened", "playbook_applied", "task_added", "note_added"}


def periods(events: list[FeedEvent]) -> tuple[dict, dict]:
    """For each event and partner, the share it happened in (if the incident was shared with
    them then, or the share it ended); and the index of the event that ended each share."""
    during: dict[tuple[int, str], tuple] = {}
    ended_at: dict[tuple, int] = {}
    current: dict[tuple, tuple] = {}
    for index, event in enumerate(events):
        organisation = event.data.get("organisation")
        key = (event.incident_id, organisation)
        if event.type == "incident_shared":
            current[key] = (*key, index)
        for partner in PARTNERS:
            share = current.get((event.incident_id, partner))
            if share is not None:
                during[(index, partner)] = share
        if event.type == "incident_share_ended":
            ended_at[current.pop(key)] = index
    return during, ended_at


def catching_up(events: list[FeedEvent]) -> PartnerFeed:
    """A feed started when the log held only these events."""

    def read_after(position: int, limit: int) -> list[FeedEvent]:
        return [e for e in events if e.position > position][:limit]

    return PartnerFeed(read_after)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(commands, sharing), max_size=30),
    st.lists(st.integers(1, 5), min_size=1, max_size=10),
)
def test_a_partner_sees_only_what_is_shared_while_shared_and_the_same_live_or_late(
    sequence, batches
):
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    run_all(app, sequence)
    events = app.events_after(0, 1000)
    during, ended_at = periods(events)

    live = PartnerFeed(app.events_after)
    first_seen: dict[tuple[int, str], object] = {}
    start = 0
    for size in batches * len(events):  # the follower hands over batches of any size
        if start >= len(events):
            break
        live.fold(events[start : start + size])
        start = min(start + size, len(events))
        seen_so_far = events[:start]
        late = catching_up(seen_so_far)
        for partner in PARTNERS:
            served = live.views(partner, seen_so_far)
            assert late.views(partner, seen_so_far) == served
            for index, (event, seen) in enumerate(zip(seen_so_far, served, strict=True)):
                share = during.get((index, partner))
                is_end = (
                    event.type == "incident_share_ended"
                    and event.data["organisation"] == partner
                    and share is not None
                )
                if share is None:
                    assert seen is None  # never before a share, nor after it ends
                elif not is_end and ended_at.get(share, len(events)) < start:
                    assert seen is None  # the share ended: what it showed is withdrawn
                if seen is None:
                    continue
                # A view never changes while it is served; it only vanishes when withdrawn.
                assert first_seen.setdefault((index, partner), seen) == seen
                assert seen.type not in NEVER_SHOWN
                assert set(seen.data) <= set(event.data) | {"task", "note"}
