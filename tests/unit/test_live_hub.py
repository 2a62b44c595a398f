"""The fan-out hub: frames reach live connections in order, once, and a slow one is cut off."""

import asyncio
import json
from datetime import UTC, datetime
from uuid import uuid4

from domain.account import Account
from domain.incident import Incident
from domain.organisation import Organisation
from domain.people import Actor
from service.live.feed_events import FeedEvent
from web.access.sessions import Credential
from web.live.audiences import EVERYONE, Audience
from web.live.hub import Hub
from web.live.revocation import AccountChanged, Holder


class Link:
    """A connection the hub writes to; `slow` makes it report itself too far behind."""

    def __init__(self, hub: Hub | None = None, slow_after: int | None = None) -> None:
        self.written: list[bytes] = []
        self.hub = hub
        self.slow_after = slow_after

    def write(self, frame: bytes) -> None:
        self.written.append(frame)
        if self.hub is not None and len(self.written) == self.slow_after:
            self.hub.too_slow(self)  # as FeedConnection.pause_writing does


def feed_event(position: int) -> FeedEvent:
    event = Incident.NoteAdded(
        originator_id=uuid4(),
        originator_version=2,
        timestamp=datetime.now(UTC),
        actor={"user": "k.okafor", "role": "counselor"},
        previous_hash="",
        event_hash="",
        note_id="N1",
        text=f"note {position}",
        task_id="",
    )
    return FeedEvent(
        position,
        event.originator_id,
        "INC-2026-0001",
        2,
        "note_added",
        event.timestamp,
        event.actor,
        {"text": f"note {position}"},
        event,
    )


def payload(frame: bytes) -> dict:
    assert frame[0] == 0x81  # a final, unmasked text frame
    return json.loads(frame[frame.index(b"{") :])


def positions(link: Link) -> list[int]:
    return [payload(f)["position"] for f in link.written]


def test_a_caught_up_connection_gets_each_frame_once_in_order_straight_from_the_hub():
    async def scenario() -> None:
        hub = Hub()
        link = Link()
        subscriber = hub.subscribe(EVERYONE, link)
        hub.publish([feed_event(1)])  # arrives while catching up: queued for its own task
        assert [p for p, _, _ in subscriber.frames] == [1] and link.written == []
        assert not hub.go_live(subscriber)  # not while something is queued
        subscriber.frames.clear()
        subscriber.last = 1  # its task has sent up to 1
        assert hub.go_live(subscriber)
        hub.publish([feed_event(2), feed_event(3)])
        assert positions(link) == [2, 3] and not subscriber.frames

    asyncio.run(scenario())


def test_a_connection_that_caught_up_beyond_the_hub_stays_queued_until_the_hub_gets_there():
    async def scenario() -> None:
        hub = Hub()
        hub.position = 3
        link = Link()
        subscriber = hub.subscribe(EVERYONE, link)
        subscriber.last = 5  # the log it read holds events the hub has yet to publish
        assert not hub.go_live(subscriber)
        hub.publish([feed_event(4), feed_event(5)])  # queued; its task skips them as sent
        assert [p for p, _, _ in subscriber.frames] == [4, 5] and link.written == []
        subscriber.frames.clear()
        assert hub.go_live(subscriber)
        hub.publish([feed_event(6)])
        assert positions(link) == [6]

    asyncio.run(scenario())


def test_one_encoding_per_audience_reaches_each_of_its_connections():
    async def scenario() -> None:
        hub = Hub()
        nobody = Audience("district:nothing", lambda event: None)
        links = [Link() for _ in range(3)]
        hidden = Link()
        for audience, link in [*((EVERYONE, link) for link in links), (nobody, hidden)]:
            assert hub.go_live(hub.subscribe(audience, link))
        hub.publish([feed_event(1)])
        assert all(link.written == links[0].written for link in links)
        assert positions(links[0]) == [1] and hidden.written == []

    asyncio.run(scenario())


def test_a_live_connection_too_far_behind_gets_nothing_more_and_the_others_carry_on():
    async def scenario() -> None:
        hub = Hub()
        slow, quick = Link(hub, slow_after=1), Link()
        slow_subscriber = hub.subscribe(EVERYONE, slow)
        quick_subscriber = hub.subscribe(EVERYONE, quick)
        for subscriber in (slow_subscriber, quick_subscriber):
            assert hub.go_live(subscriber)
        hub.publish([feed_event(5), feed_event(6)])
        assert slow_subscriber.overflowed and slow_subscriber.ready.is_set()
        assert not slow_subscriber.live and slow_subscriber.last == 5  # resumes after 5
        assert positions(slow) == [5]
        assert positions(quick) == [5, 6]

    asyncio.run(scenario())


def test_a_queued_connection_that_falls_too_far_behind_is_marked_too():
    async def scenario() -> None:
        hub = Hub(queue_limit=3)
        subscriber = hub.subscribe(EVERYONE)
        hub.publish([feed_event(n) for n in range(1, 5)])
        assert subscriber.overflowed and len(subscriber.frames) == 3

    asyncio.run(scenario())


def test_heartbeats_reach_live_and_queued_connections_alike():
    async def scenario() -> None:
        hub = Hub()
        hub.position = 9
        live, queued = Link(), Link()
        assert hub.go_live(hub.subscribe(EVERYONE, live))
        waiting = hub.subscribe(EVERYONE, queued)
        hub.heartbeat()
        assert payload(live.written[0]) == {"type": "heartbeat", "position": 9}
        assert [json.loads(t) for _, t, _ in waiting.frames] == [
            {"type": "heartbeat", "position": 9}
        ]

    asyncio.run(scenario())


def test_an_account_change_stops_only_the_connections_it_invalidates():
    now = datetime.now(UTC)
    admin = Actor("admin", "admin")
    district = Organisation.create(
        slug="riverside-usd", name="Riverside", kind="district", actor=admin, at=now
    )
    account = Account.create(
        username="r.patel",
        display_name="R. Patel",
        organisation=district,
        roles=["district-leader"],
        actor=admin,
        at=now,
    )
    for token_id in ("aaaaaaaaaaaa", "bbbbbbbbbbbb"):
        account.issue_token(
            token_id=token_id, label="t", secret_digest="0" * 64, actor=admin, at=now
        )

    async def scenario() -> None:
        hub = Hub()
        links = {name: Link() for name in ("revoked", "kept", "session")}
        credentials = {
            "revoked": Credential("token", "aaaaaaaaaaaa"),
            "kept": Credential("token", "bbbbbbbbbbbb"),
            "session": Credential("session"),
        }
        subscribers = {
            name: hub.subscribe(EVERYONE, links[name], Holder(account.id, credentials[name]))
            for name in links
        }
        for subscriber in subscribers.values():
            assert hub.go_live(subscriber)
        assert hub.watches(account.id)

        account.revoke_token("aaaaaaaaaaaa", actor=admin, at=now)
        hub.accounts_changed([AccountChanged(7, account.id, account, EVERYONE)])
        revoked = subscribers["revoked"]
        assert revoked.revoked and revoked.ready.is_set() and not revoked.live
        assert not subscribers["kept"].revoked and not subscribers["session"].revoked
        account.end_sessions(reason="signed out", actor=admin, at=now)
        hub.accounts_changed([AccountChanged(8, account.id, account, EVERYONE)])
        assert subscribers["session"].revoked and not subscribers["kept"].revoked
        hub.publish([feed_event(9)])
        assert links["revoked"].written == [] and links["session"].written == []
        assert positions(links["kept"]) == [9]

    asyncio.run(scenario())
