"""Teachers told to account for their class: when a lockdown (or an evacuation, a hold, a
shelter) opens, the outbox's next round emails every teacher with a class in session the link
to their class list, and every other staff member with an account to account for themselves;
once each, never for a threat, only to those who may see the incident, and DRILL first on a
drill. Through a real SMTP server."""

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.accounts.service import Accounts
from service.bootstrap import assemble, open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from service.demo.rosters import seed_demo_roster
from tests.builders import FAST_HASHER, LEAD
from tests.outbox_smtp import SmtpServer

MORNING = datetime(2026, 12, 3, 9, 15, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def test_each_teacher_is_told_once_with_their_class_and_the_link(database_url, smtp):
    now = [MORNING]
    settings = Settings(
        database_url=database_url, smtp_url=smtp.url, public_url="https://steady.example"
    )
    steady = open_steady(settings, clock=lambda: now[0])
    try:
        accounts = Accounts(steady, hasher=FAST_HASHER)
        seed_demo_accounts(accounts)
        parts = assemble(steady, settings, accounts=accounts)
        seed_demo_roster(parts.rosters)
        reminders = parts.reminders
        assert reminders is not None

        def run() -> None:
            asyncio.run(reminders.run_once(now[0]))

        def alerts() -> list:
            return [m for m in smtp.inbox.received if "account for your" in str(m["Subject"])]

        def opened(kind: str, drill: bool = False) -> str:
            return steady.open_incident(
                title=f"{kind} at Lincoln", kind=kind, severity=1,
                schools=["Lincoln Elementary"], actor=LEAD, drill=drill,
            ).reference  # fmt: skip

        threat = opened("threat")
        run()
        assert alerts() == []  # no one accounts for a threat
        secret = opened("lockdown")
        steady.mark_confidential(secret, reason="a student's safety", actor=LEAD)
        run()
        assert alerts() == []  # a confidential lockdown reaches its case team alone
        ref = opened("lockdown")
        run()
        [sato] = smtp.inbox.to("h.sato@riverside.example")
        assert (
            str(sato["Subject"])
            == "Lockdown or secure at Lincoln Elementary: account for your class now"
        )
        text = sato.get_content()
        assert f"https://steady.example/incidents/{ref}/accounting/mine" in text
        assert "- Grade 2 homeroom (Room 11)" in text and "Grade 3" not in text
        [bell] = smtp.inbox.to("m.bell@riverside.example")
        assert "Grade 3 homeroom" in bell.get_content()
        [osei] = smtp.inbox.to("b.osei@riverside.example")  # the principal: no class
        assert str(osei["Subject"]).endswith("account for yourself now")
        # No student's name in any of them.
        names = [s.name for s in parts.rosters.students_at("Lincoln Elementary")]
        assert names and not any(n in m.get_content() for m in alerts() for n in names)
        told = len(alerts())
        now[0] += timedelta(seconds=30)
        run()
        assert len(alerts()) == told  # once each, whatever the rounds

        # A fresh process tells no one again: the keys are the incident's and the account's.
        again = assemble(steady, settings, accounts=accounts)
        assert again.reminders is not None
        asyncio.run(again.reminders.run_once(now[0]))
        assert len(alerts()) == told

        drill = opened("evacuation", drill=True)
        run()
        [drilled] = smtp.inbox.to("h.sato@riverside.example", "DRILL: ")
        assert drilled.get_content().startswith("DRILL: this is a drill")
        assert f"/incidents/{drill}/accounting/mine" in drilled.get_content()
        assert threat not in "".join(m.get_content() for m in alerts())
    finally:
        steady.close()
