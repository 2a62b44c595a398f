"""The outbox on real SQLite and PostgreSQL, with a real SMTP server in the test process: an
urgent task's assignee is emailed once; the school-morning digest goes on a school day and not
on Saturday; a mail server outage (stopped, or refusing) delays mail and loses none; a sender
that stops mid-way and starts again sends nothing twice; two senders share the work.

The demo district: k.okafor is the counselor of Roosevelt High School, m.alvarez a crisis lead
who sees every incident, l.nguyen the school psychologist of the elementary schools."""

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from litestar.testing import TestClient

from domain.people import Actor
from domain.school_days import WEEKDAYS, SchoolCalendar
from service.accounts.service import Accounts
from service.bootstrap import assemble, open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from service.incidents.application import Steady
from service.outbox.reminders import Reminders
from service.outbox.store import Outbox
from tests.builders import FAST_HASHER
from tests.outbox_smtp import SmtpServer
from web.app import create_app

MONDAY_0630 = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)  # 06:30 in Chicago
MONDAY_0701 = datetime(2026, 11, 23, 13, 1, tzinfo=UTC)
SATURDAY_0705 = datetime(2026, 11, 28, 13, 5, tzinfo=UTC)
LEAD = Actor("m.alvarez", "crisis-lead")
PUBLIC = "https://steady.riverside.example"
TITLE = "Fight near the gym"  # the incident's title: never in an email


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    steady: Steady
    accounts: Accounts
    reminders: Reminders
    clock: Clock
    settings: Settings
    smtp: SmtpServer

    def open(self, school: str = "Roosevelt High School") -> str:
        return self.steady.open_incident(
            title=TITLE, kind="threat", severity=2, schools=[school], actor=LEAD
        ).reference

    def task(self, ref: str, title: str, *, urgent: bool, owner: str = "counselor", **kw) -> str:
        added = self.steady.add_task(
            ref, title=title, owner_role=owner, urgent=urgent, actor=LEAD, **kw
        )
        return added.detail["task_id"]

    def assign(self, ref: str, task_id: str, kind: str, name: str) -> None:
        self.steady.assign_task(ref, task_id, kind=kind, name=name, actor=LEAD)

    def run(self, at: datetime | None = None, reminders: Reminders | None = None):
        return asyncio.run((reminders or self.reminders).run_once(at or self.clock()))

    def another_sender(self, **options) -> Reminders:
        """The same outbox as another process would open it."""
        return Reminders(
            self.steady,
            self.accounts,
            assemble(self.steady, self.settings, accounts=self.accounts).school_names,
            self.settings,
            **options,
        )


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def world(database_url: str, smtp: SmtpServer) -> Iterator[World]:
    settings = Settings(
        database_url=database_url,
        smtp_url=smtp.url,
        mail_from="steady@riverside.example",
        public_url=PUBLIC,
    )
    clock = Clock(MONDAY_0630)
    steady = open_steady(settings, clock=clock)
    accounts = Accounts(steady, hasher=FAST_HASHER)
    seed_demo_accounts(accounts)
    parts = assemble(steady, settings, accounts=accounts)
    assert parts.reminders is not None
    yield World(steady, accounts, parts.reminders, clock, settings, smtp)
    steady.close()


def test_an_urgent_task_is_emailed_once_to_whoever_it_is_given_and_may_see_it(world):
    inbox = world.smtp.inbox
    ref = world.open()
    urgent = world.task(ref, "Check on the students who saw it", urgent=True)
    world.task(ref, "Order new gym mats", urgent=False)
    world.run()
    # Added for the counselor role: Roosevelt's counselor is told; the elementary schools'
    # psychologist, who does not see this incident, is not, whatever she holds.
    [to_counselor] = inbox.to("k.okafor@riverside.example")
    assert to_counselor["Subject"] == f"Urgent: {urgent} Check on the students who saw it ({ref})"
    body = to_counselor.get_content()
    assert f"{PUBLIC}/incidents/{ref}#task-{urgent}" in body
    assert TITLE not in body and TITLE not in to_counselor["Subject"]
    assert "Order new gym mats" not in " ".join(inbox.subjects())

    world.assign(ref, urgent, "person", "m.alvarez")
    world.run()
    world.run()  # again: nothing new
    assert len(inbox.to("m.alvarez@riverside.example", "Urgent:")) == 1
    assert len(inbox.to("k.okafor@riverside.example")) == 1
    # A confidential case is seen by its case team only: someone else given its urgent task
    # by name is not emailed (the case team would add them first).
    world.steady.mark_confidential(ref, reason="a student's safety plan", actor=LEAD)
    world.assign(ref, urgent, "person", "l.nguyen")
    world.run()
    assert inbox.to("l.nguyen@riverside.example") == []
    [first] = inbox.to("m.alvarez@riverside.example")
    assert first["Message-ID"]  # stable per message: a duplicate would show as the same one


def test_a_digest_goes_on_a_school_day_morning_and_not_on_saturday(world):
    inbox = world.smtp.inbox
    ref = world.open()
    due_today = MONDAY_0701 + timedelta(hours=3)
    task = world.task(ref, "Meet the students' teachers", urgent=False, due_at=due_today)
    late = world.task(ref, "Call the families", urgent=False, due_at=MONDAY_0630)

    world.run(MONDAY_0630 + timedelta(minutes=10))  # 06:40: before the digest time
    assert inbox.received == []
    world.run(MONDAY_0701)
    [digest] = inbox.to("k.okafor@riverside.example", "Steady:")
    assert digest["Subject"] == "Steady: 1 overdue, 1 due today (Mon 23 Nov)"
    body = digest.get_content()
    assert f"{ref} {late} Call the families" in body.split("Due today:")[0]
    assert f"{ref} {task} Meet the students' teachers" in body.split("Due today:")[1]
    assert f"{PUBLIC}/incidents/{ref}#task-{task}" in body
    assert TITLE not in body
    # Who has nothing due gets no digest; a second round that morning sends none again.
    assert inbox.to("d.chen@riverside.example") == []
    world.run(MONDAY_0701 + timedelta(minutes=30))
    assert len(inbox.to("k.okafor@riverside.example", "Steady:")) == 1

    world.clock.now = SATURDAY_0705
    world.run(SATURDAY_0705)
    assert len(inbox.to("k.okafor@riverside.example", "Steady:")) == 1  # none on Saturday


@pytest.mark.parametrize("outage", ["stopped", "refusing"])
def test_a_mail_server_outage_delays_mail_and_loses_none(world, outage):
    inbox = world.smtp.inbox
    if outage == "stopped":
        world.smtp.stop()
    else:
        inbox.refusing = True
    ref = world.open()
    urgent = world.task(ref, "Check on the students who saw it", urgent=True)
    world.assign(ref, urgent, "person", "m.alvarez")
    done = world.run()
    assert {d.outcome for d in done.deliveries} == {"failed"}
    # Refused: each message is tried (the counselor's, m.alvarez's). Unreachable: the first
    # attempt ends the round, and the rest wait unclaimed for the next.
    tried = 2 if outage == "refusing" else 1
    assert len(done.deliveries) == tried
    listed = world.reminders.outbox.messages()
    assert [m.sent_at for m in listed] == [None, None]
    attempts = world.reminders.outbox.attempts()
    assert [a.outcome for a in attempts] == ["failed"] * tried
    error = world.reminders.outbox.error_of(attempts[0].key, 1)
    assert ("451" in error) if outage == "refusing" else error

    if outage == "stopped":
        world.smtp.start()
    else:
        inbox.refusing = False
    now = world.run().deliveries  # what failed waits its backoff; what was not tried goes
    assert len(now) == 2 - tried and {d.outcome for d in now} <= {"sent"}
    later = world.run(world.clock() + timedelta(seconds=31))
    assert [d.outcome for d in later.deliveries] == ["sent"] * tried
    assert len(inbox.to("k.okafor@riverside.example")) == 1
    assert len(inbox.to("m.alvarez@riverside.example")) == 1
    assert world.run(world.clock() + timedelta(hours=2)).deliveries == []
    assert [a.outcome for a in world.reminders.outbox.attempts()][-2:] == ["sent", "sent"]


def test_a_sender_stopped_mid_way_and_started_again_sends_nothing_twice(world, monkeypatch):
    inbox = world.smtp.inbox
    ref = world.open()
    for n in range(4):
        world.task(ref, f"Urgent step {n}", urgent=True)
    # The first process claims and sends one message, claims the next and dies before
    # sending it (its claim holds the message until its lease ends).
    first = world.another_sender(lease=0.5)
    claims = 0
    real_claim = Outbox.claim

    def dying_claim(self, key, claim, *, lease):
        nonlocal claims
        claimed = real_claim(self, key, claim, lease=lease)
        claims += 1
        if claims == 2:
            raise KeyboardInterrupt("the process stopped")
        return claimed

    monkeypatch.setattr(Outbox, "claim", dying_claim)
    with pytest.raises(KeyboardInterrupt):
        world.run(reminders=first)
    monkeypatch.setattr(Outbox, "claim", real_claim)
    assert len(inbox.received) == 1

    restarted = world.another_sender(lease=0.5)
    done = world.run(reminders=restarted)
    assert len(done.deliveries) == 2  # the one still held by the dead sender waits its lease
    time.sleep(0.6)
    done = world.run(reminders=restarted)
    assert len(done.deliveries) == 1
    subjects = inbox.subjects()
    assert len(subjects) == 4 and len(set(subjects)) == 4
    assert world.run(world.clock() + timedelta(hours=1), reminders=restarted).deliveries == []


def test_two_senders_at_once_send_each_message_once(world):
    inbox = world.smtp.inbox
    ref = world.open()
    for n in range(6):
        world.task(ref, f"Urgent step {n}", urgent=True)
    asyncio.run(world.reminders.run_once(world.clock()))  # derived (and sent) by one
    inbox.received.clear()
    for n in range(6, 12):
        world.task(ref, f"Urgent step {n}", urgent=True)
    one, two = world.another_sender(), world.another_sender()
    asyncio.run(asyncio.to_thread(one.catch_up))

    async def both() -> None:
        await asyncio.gather(one.sender.send_due(world.clock()), two.sender.send_due(world.clock()))

    asyncio.run(both())
    subjects = inbox.subjects()
    assert len(subjects) == 6 and len(set(subjects)) == 6


def test_the_server_sends_an_urgent_task_by_itself_once_it_is_assigned(database_url, smtp):
    settings = Settings(database_url=database_url, smtp_url=smtp.url, public_url=PUBLIC)
    steady = open_steady(settings)
    accounts = Accounts(steady, hasher=FAST_HASHER)
    seed_demo_accounts(accounts)
    token = accounts.issue_token("m.alvarez", "tests", actor=LEAD)
    lead = {"Authorization": f"Bearer {token}"}
    app = create_app(steady, settings, poll_seconds=0.2, accounts=accounts)
    with TestClient(app) as client:
        opened = client.post(
            "/api/v1/incidents",
            json={
                "title": TITLE,
                "kind": "threat",
                "severity": 2,
                "schools": ["Lincoln Elementary"],
            },
            headers=lead,
        )
        ref = opened.json()["reference"]
        body = {"title": "Call the family tonight", "owner_role": "crisis-lead", "urgent": True}
        added = client.post(f"/api/v1/incidents/{ref}/tasks", json=body, headers=lead)
        assert added.status_code == 201, added.text
        task_id = added.json()["task_id"]
        [task] = client.get(f"/api/v1/incidents/{ref}", headers=lead).json()["task_list"]
        assert task["urgent"] is True  # and the task row says "Urgent"
        shown = client.get(f"/incidents/{ref}", headers=lead)
        assert '<strong class="task__urgent-flag">Urgent</strong>' in shown.text
        client.post(
            f"/api/v1/incidents/{ref}/tasks/{task_id}/assignment",
            json={"kind": "person", "name": "l.nguyen"},
            headers=lead,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not smtp.inbox.to("l.nguyen@riverside.example"):
            time.sleep(0.1)
        [email] = smtp.inbox.to("l.nguyen@riverside.example")
        assert email["Subject"] == f"Urgent: {task_id} Call the family tonight ({ref})"
        page = client.get(f"/api/v1/incidents/{ref}", headers=lead)
        assert page.status_code == 200
    time.sleep(0.5)
    assert len(smtp.inbox.to("l.nguyen@riverside.example")) == 1


class ClosedAt(SchoolCalendar):
    """The calendar of a school closed on some days (a district's would say more)."""

    def __init__(self, *closed: date) -> None:
        self.closed = set(closed)

    def is_school_day(self, day: date) -> bool:
        return day not in self.closed and super().is_school_day(day)


def test_a_school_closed_for_the_day_gets_no_digest_while_the_district_does(world):
    inbox = world.smtp.inbox
    ref = world.open()
    due = MONDAY_0701 + timedelta(hours=2)
    world.task(ref, "Meet the students' teachers", urgent=False, due_at=due)
    world.task(ref, "Brief the district", urgent=False, owner="crisis-lead", due_at=due)
    closed = ClosedAt(MONDAY_0701.date())

    def calendar_for(schools):
        return closed if "roosevelt-high-school" in schools else WEEKDAYS

    world.run(MONDAY_0701, reminders=world.another_sender(calendar_for=calendar_for))
    assert inbox.to("k.okafor@riverside.example", "Steady:") == []  # Roosevelt is closed
    [digest] = inbox.to("m.alvarez@riverside.example", "Steady:")
    assert f"{ref} T2 Brief the district" in digest.get_content()


def test_a_digest_not_delivered_on_its_day_is_not_sent_late(world):
    inbox = world.smtp.inbox
    ref = world.open()
    world.task(ref, "Call the families", urgent=False, due_at=MONDAY_0630)  # overdue from now on
    world.smtp.stop()
    done = world.run(MONDAY_0701)
    assert [d.outcome for d in done.deliveries] == ["failed"]  # Monday's digest: server down
    world.smtp.start()
    tuesday = MONDAY_0701 + timedelta(days=1)
    done = world.run(tuesday)
    assert [d.key.split("/")[1] for d in done.deliveries] == ["2026-11-24"]
    [digest] = inbox.to("k.okafor@riverside.example", "Steady:")
    assert digest["Subject"] == "Steady: 1 overdue, 0 due today (Tue 24 Nov)"
    monday = [m for m in world.reminders.outbox.messages() if "2026-11-23" in m.key]
    assert [m.sent_at for m in monday] == [None]  # kept, as the record of what was not sent
    assert world.reminders.outbox.waiting(tuesday) == 0
