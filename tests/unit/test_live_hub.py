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
from web.live.audiences import EVERYONE
from web.live.hub import MAX_UNSENT_BYTES, Hub
from web.live.revocation import AccountChanged, Holder


class Transport(asyncio.WriteTransport):
    def __init__(self, backlog: int = 0) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.backlog = backlog

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def get_write_buffer_size(self) -> int:
        return self.backlog

    def is_closing(self) -> bool:
        return False


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


def test_live_connections_get_each_frame_once_in_order_and_skip_what_they_already_have():
    async def scenario() -> None:
        hub = Hub()
        transport = Transport()
        subscriber = hub.subscribe(EVERYONE, transport)
        hub.publish([feed_event(1)])  # arrives while catching up: queued
        assert [p for p, _ in subscriber.frames] == [1] and transport.written == []
        subscriber.frames.clear()
        subscriber.last, subscriber.direct = 1, True  # the connection has sent up to 1
        hub.publish([feed_event(1), feed_event(2), feed_event(3)])
        assert [payload(f)["position"] for f in transport.written] == [2, 3]

    asyncio.run(scenario())


def test_a_connection_too_far_behind_is_marked_for_closing_and_others_carry_on():
    async def scenario() -> None:
        hub = Hub()
        slow, quick = Transport(backlog=MAX_UNSENT_BYTES + 1), Transport()
        slow_subscriber = hub.subscribe(EVERYONE, slow)
        quick_subscriber = hub.subscribe(EVERYONE, quick)
        for subscriber in (slow_subscriber, quick_subscriber):
            subscriber.direct = True
        hub.publish([feed_event(5)])
        assert slow_subscriber.overflowed and slow_subscriber.ready.is_set()
        assert slow.written == []
        assert [payload(f)["position"] for f in quick.written] == [5]

    asyncio.run(scenario())


def test_a_queued_connection_that_falls_too_far_behind_is_marked_too():
    async def scenario() -> None:
        hub = Hub(queue_limit=3)
        subscriber = hub.subscribe(EVERYONE)
        hub.publish([feed_event(n) for n in range(1, 5)])
        assert subscriber.overflowed and len(subscriber.frames) == 3

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
    hub = Hub()
    revoked = hub.subscribe(
        EVERYONE, Transport(), Holder(account.id, Credential("token", "aaaaaaaaaaaa"))
    )
    kept = hub.subscribe(
        EVERYONE, Transport(), Holder(account.id, Credential("token", "bbbbbbbbbbbb"))
    )
    session = hub.subscribe(EVERYONE, Transport(), Holder(account.id, Credential("session")))
    for subscriber in (revoked, kept, session):
        subscriber.direct = True
    assert hub.watches(account.id)

    account.revoke_token("aaaaaaaaaaaa", actor=admin, at=now)
    hub.accounts_changed([AccountChanged(7, account.id, account, EVERYONE)])
    assert revoked.revoked and revoked.ready.is_set() and not revoked.direct
    assert not kept.revoked and not session.revoked
    account.end_sessions(reason="signed out", actor=admin, at=now)
    hub.accounts_changed([AccountChanged(8, account.id, account, EVERYONE)])
    assert session.revoked and not kept.revoked
    hub.publish([feed_event(9)])
    assert revoked.transport.written == [] and session.transport.written == []
    assert len(kept.transport.written) == 1
