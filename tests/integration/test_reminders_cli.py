"""`steady reminders run [--at TIME]` and `steady reminders show` against real stores and a real
SMTP server in the test process: run sends what the schedule would send at that moment and says
so; show lists the outbox and its deliveries without a recipient, subject or body."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from domain.people import Actor
from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from tests.builders import FAST_HASHER
from tests.cli_runs import steady
from tests.outbox_smtp import SmtpServer

LEAD = Actor("m.alvarez", "crisis-lead")
MONDAY_0630 = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)  # 06:30 in Chicago


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def seeded(database_url: str) -> tuple[str, str]:
    """A store with the demo accounts and an incident with one urgent task and one task due
    Monday morning, both the Roosevelt counselor's (k.okafor)."""
    with open_steady(Settings(database_url=database_url), clock=lambda: MONDAY_0630) as app:
        seed_demo_accounts(Accounts(app, hasher=FAST_HASHER))
        ref = app.open_incident(
            title="Fight near the gym",
            kind="threat",
            severity=2,
            schools=["Roosevelt High School"],
            actor=LEAD,
        ).reference
        app.add_task(
            ref, title="Check on the students", owner_role="counselor", urgent=True, actor=LEAD
        )
        app.add_task(
            ref,
            title="Meet the teachers",
            owner_role="counselor",
            due_at=MONDAY_0630 + timedelta(hours=4),
            actor=LEAD,
        )
    return database_url, ref


def test_run_sends_what_is_due_at_the_moment_given_and_show_lists_it(seeded, smtp):
    url, ref = seeded
    env = {"STEADY_SMTP_URL": smtp.url, "STEADY_MAIL_FROM": "steady@riverside.example"}
    early = steady(url, "reminders", "run", "--at", "2026-11-23T06:45", env=env)
    assert early.returncode == 0, early.stderr
    assert "1 urgent-task email(s) derived, 0 digest(s) made" in early.stdout
    [sent] = [line for line in early.stdout.splitlines() if line.startswith("sent ")]
    assert sent.startswith("sent urgent_task/")
    assert [m["Subject"] for m in smtp.inbox.received] == [
        f"Urgent: T1 Check on the students ({ref})"
    ]

    morning = steady(url, "reminders", "run", "--at", "2026-11-23T07:05", "--json", env=env)
    assert morning.returncode == 0, morning.stderr
    done = json.loads(morning.stdout)
    assert done["derived"] == 0 and done["digests"] == 1
    assert [key.split("/")[:2] for key in done["sent"]] == [["digest", "2026-11-23"]]
    assert smtp.inbox.to("k.okafor@riverside.example", "Steady:")[0]["Subject"] == (
        "Steady: 0 overdue, 1 due today (Mon 23 Nov)"
    )
    again = json.loads(
        steady(url, "reminders", "run", "--at", "2026-11-23T07:30", "--json", env=env).stdout
    )
    assert again["sent"] == [] and again["digests"] == 0  # nothing twice
    assert len(smtp.inbox.received) == 2

    shown = steady(url, "reminders", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    listed = json.loads(shown.stdout)
    assert sorted(m["kind"] for m in listed["messages"]) == ["digest", "urgent_task"]
    assert all(m["sent_at"] for m in listed["messages"])
    assert [a["outcome"] for a in listed["attempts"]] == ["sent", "sent"]
    text = steady(url, "reminders", "show").stdout
    assert "2 message(s):" in text and "2 delivery attempt(s):" in text
    assert "riverside.example" not in text and "Check on the students" not in text


def test_without_a_mail_server_messages_wait_and_go_once_it_is_set(seeded, smtp):
    url, _ = seeded
    waiting = steady(url, "reminders", "run", "--at", "2026-11-23T06:45")
    assert waiting.returncode == 0, waiting.stderr
    assert "STEADY_SMTP_URL is not set: nothing was sent" in waiting.stdout
    assert "1 message(s) waiting" in waiting.stdout
    assert smtp.inbox.received == []
    sent = steady(
        url, "reminders", "run", "--at", "2026-11-23T06:50", env={"STEADY_SMTP_URL": smtp.url}
    )
    assert "0 message(s) waiting" in sent.stdout
    assert len(smtp.inbox.received) == 1


def test_a_moment_that_is_not_one_is_refused_with_how_to_write_it(seeded):
    url, _ = seeded
    refused = steady(url, "reminders", "run", "--at", "monday morning")
    assert refused.returncode == 1
    assert "--at 'monday morning' is not a moment: write it like 2026-11-23T09:30" in refused.stderr


def test_an_admin_sets_and_removes_an_address_from_the_command_line(seeded):
    url, _ = seeded
    set_ = steady(url, "users", "email", "k.okafor", "Kemi.Okafor@Riverside.example")
    assert set_.returncode == 0, set_.stderr
    assert set_.stdout.strip() == "Steady emails k.okafor at Kemi.Okafor@riverside.example"
    wrong = steady(url, "users", "email", "k.okafor", "kemi")
    assert wrong.returncode == 1
    assert (
        "'kemi' is not an email address: give one like m.alvarez@riverside.example" in wrong.stderr
    )
    removed = steady(url, "users", "email", "k.okafor", "--json")
    assert json.loads(removed.stdout)["email"] == ""
