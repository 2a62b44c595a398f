"""The help requests service on real SQLite and PostgreSQL: the desk's queue and commands, a
report converted into an incident with its suggested playbook and the report on its record, an
ask opened as a family's needs case, a need routed to a partner who sees only that, a wrong
case code that never opens another case, no reporter address in any row, and a life-safety
request no one acknowledges escalated through the on-call list by email (a real SMTP server),
at night, once per step.

The demo district: t.santos works the help desk, m.alvarez is a crisis lead, d.harris is the
police liaison partner, j.brooks the mental-health partner (eastside-counseling)."""

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainError, NotFound
from service.access.permissions import Forbidden
from service.accounts.service import Accounts
from service.bootstrap import Parts, assemble, open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from service.help_requests.refusals import CaseNotOpened, TooManyRequests
from service.help_requests.service import HelpRequests
from tests.builders import FAST_HASHER
from tests.integration.test_privacy_at_rest import clear_text_found
from tests.outbox_smtp import SmtpServer

FRIDAY_NIGHT = datetime(2026, 12, 5, 4, 10, tzinfo=UTC)  # 22:10 on Friday in Chicago
PASSPHRASE = "green lantern river stone"
ADDRESS = "198.51.100.23"
WORDS = "A man near the bleachers showed a gun in his waistband at the game."


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    parts: Parts
    clock: Clock
    smtp: SmtpServer

    @property
    def help(self) -> HelpRequests:
        return self.parts.help_requests

    def account(self, username: str):
        return self.parts.accounts.account(username)

    def actor(self, username: str):
        return self.account(username).acting_as()

    def send(self, **changes):
        sent = {
            "route": "report",
            "category": "threat",
            "school": "roosevelt-high-school",
            "when": "Friday's game",
            "words": WORDS,
            "contact": "",
            "life_safety": False,
            "language": "en",
            "passphrase": PASSPHRASE,
            "client": ADDRESS,
            **changes,
        }
        return self.help.submit(**sent)

    def later(self, minutes: float) -> datetime:
        self.clock.now += timedelta(minutes=minutes)
        return self.clock.now

    def round(self):
        assert self.parts.reminders is not None
        return asyncio.run(self.parts.reminders.run_once(self.clock()))


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
        public_url="https://steady.riverside.example",
        help_on_call=("t.santos", "m.alvarez"),
    )
    clock = Clock(FRIDAY_NIGHT)
    steady = open_steady(settings, clock=clock)
    accounts = Accounts(steady, hasher=FAST_HASHER)
    seed_demo_accounts(accounts)
    parts = assemble(steady, settings, accounts=accounts)
    parts.help_requests.hasher = FAST_HASHER
    yield World(parts, clock, smtp)
    steady.close()


def test_the_queue_puts_life_safety_first_and_the_desk_works_a_report(world):
    world.send(route="ask", category="food", words="We have no food until Monday.")
    world.later(1)
    danger = world.send(life_safety=True)
    desk = world.account("t.santos")
    queue = world.help.queue(desk)
    assert [i.reference for i in queue] == [danger.reference, "H-0001"]
    assert queue[0].life_safety and queue[0].target_minutes == 5
    assert queue[0].due_at == queue[0].received_at + timedelta(minutes=5)

    actor = world.actor("t.santos")
    world.help.acknowledge(danger.reference, actor)
    world.help.write_to_reporter(danger.reference, "Which gate was he near?", actor,
                                 asks_details=True)  # fmt: skip
    world.later(2)
    world.help.reporter_writes(danger.case_code, PASSPHRASE, "The north gate.", client=ADDRESS)
    case = world.help.case(danger.reference, desk)
    assert case.status == "acknowledged" and case.acknowledged_by == "t.santos"
    assert [m.text for m in case.messages] == ["Which gate was he near?", "The north gate."]
    assert case.unread_from_reporter and case.first_response_at is not None
    with pytest.raises(DomainError, match=r"already acknowledged, by t\.santos"):
        world.help.acknowledge(danger.reference, actor)
    with pytest.raises(DomainError, match="does not work help requests"):
        world.help.assign(danger.reference, "j.brooks", actor)
    # Others than the desk and the leads see no queue.
    with pytest.raises(Forbidden):
        world.help.queue(world.account("k.okafor"))
    with pytest.raises(Forbidden):
        world.help.queue(world.account("d.harris"))


def test_a_report_becomes_an_incident_with_its_playbook_and_the_report_on_its_record(world):
    sent = world.send(life_safety=True)
    world.help.reporter_writes(sent.case_code, PASSPHRASE, "He wore a red cap.", client=ADDRESS)
    lead = world.actor("m.alvarez")
    ref = world.help.convert_to_incident(sent.reference, lead)
    incident = world.parts.steady.incident(ref)
    assert incident.kind == "threat" and incident.severity == 1
    assert incident.schools == ["Roosevelt High School"]
    assert [p.id for p in incident.playbooks] == ["lockdown-or-threat"]
    [note] = incident.notes.values()
    assert sent.reference in note.text and WORDS in note.text and "red cap" in note.text
    case = world.help.case(sent.reference, world.account("t.santos"))
    assert case.incident_ref == ref and case.playbook_id == "lockdown-or-threat"
    with pytest.raises(DomainError, match=f"already converted into {ref}"):
        world.help.convert_to_incident(sent.reference, lead)
    # The reporter is told the crisis team has it, and "resolved" once the incident closes.
    assert world.help.open_case(sent.case_code, PASSPHRASE, client=ADDRESS).status == "received"
    world.parts.steady.close_incident(
        ref, "The game went ahead safely.", open_tasks="not-applicable", actor=lead
    )
    view = world.help.open_case(sent.case_code, PASSPHRASE, client=ADDRESS)
    assert view.status == "resolved" and "crisis team" in view.outcome
    with pytest.raises(DomainError, match="this request is resolved"):
        world.help.reporter_writes(sent.case_code, PASSPHRASE, "One more thing", client=ADDRESS)
    # The next round of the outbox closes the request as handled by the crisis team.
    world.round()
    case = world.help.case(sent.reference, world.account("t.santos"))
    assert case.status == "closed" and case.outcome == "incident"
    assert sent.reference not in [i.reference for i in world.help.queue(world.account("t.santos"))]


def test_a_request_replays_as_it_stood_and_its_chain_is_checked(world):
    sent = world.send(life_safety=True)
    before_ack = world.later(2)
    world.later(1)
    world.help.acknowledge(sent.reference, world.actor("t.santos"))
    world.later(1)
    world.help.write_to_reporter(sent.reference, "We are on it.", world.actor("t.santos"))
    desk = world.account("t.santos")
    then = world.help.case_at(sent.reference, desk, before_ack)
    assert then.status == "new" and then.messages == [] and len(then.events) == 1
    now = world.help.case(sent.reference, desk)
    assert now.status == "acknowledged" and len(now.events) == 3
    check = world.help.verify(sent.reference, desk)
    assert check.intact and check.events == 3 and check.reference == sent.reference
    with pytest.raises(DomainError, match="had not come in by"):
        world.help.case_at(sent.reference, desk, FRIDAY_NIGHT - timedelta(hours=1))


def test_an_ask_opens_a_needs_case_and_only_a_report_converts(world):
    sent = world.send(route="ask", category="food", words="No food at home this week.",
                      contact="call 555-0100 after 5")  # fmt: skip
    desk = world.actor("t.santos")
    with pytest.raises(DomainError, match="is an ask for help, not a report"):
        world.help.convert_to_incident(sent.reference, desk)
    person = world.help.open_needs_case(sent.reference, desk)
    assert person.startswith("P-")
    assert world.help.case(sent.reference, world.account("t.santos")).person_ref == person
    # The family is seen by those who see the school's people, and by no one else.
    people = world.parts.people
    viewers = world.parts.school_names
    for username, sees in [("m.alvarez", True), ("k.okafor", True), ("p.rivera", False),
                           ("j.brooks", False), ("r.patel", True)]:  # fmt: skip
        viewer = viewers.viewer(world.account(username))
        if sees:
            record, _ = people.seen_person(viewer, person)
            assert people.view(viewer, record)["needs_cases"] == [sent.reference]
        else:
            with pytest.raises(NotFound):
                people.seen_person(viewer, person)


def test_a_partner_sees_only_the_need_routed_to_it(world):
    sent = world.send(route="ask", category="food", words="We need food, my mum lost her job.",
                      contact="text 555-0199")  # fmt: skip
    other = world.send(route="ask", category="shelter", words="We may lose our flat.")
    desk = world.actor("t.santos")
    with pytest.raises(DomainError, match="is not a partner organisation"):
        world.help.route_to(sent.reference, "roosevelt-high-school", "Food box", desk)
    world.help.route_to(sent.reference, "eastside-counseling", "A food box this week", desk,
                        share_contact=True)  # fmt: skip
    [routed] = world.help.routed_cases(world.account("j.brooks"))
    assert routed.reference == sent.reference and routed.need == "A food box this week"
    assert routed.contact == "text 555-0199"
    assert "mum" not in repr(routed)  # never the reporter's words
    assert world.help.routed_cases(world.account("d.harris")) == []
    with pytest.raises(NotFound):
        world.help.routed_case(other.reference, world.account("j.brooks"))
    with pytest.raises(Forbidden):
        world.help.case(sent.reference, world.account("j.brooks"))


def test_one_case_code_never_opens_another_and_guessing_is_limited(world):
    first = world.send(words="The first report, about the game.")
    second = world.send(
        words="The second report, about the bus.", passphrase="other words here now"
    )
    view = world.help.open_case(first.case_code, PASSPHRASE, client=ADDRESS)
    assert [m.text for m in view.messages] == ["The first report, about the game."]
    with pytest.raises(CaseNotOpened):
        world.help.open_case(second.case_code, PASSPHRASE, client=ADDRESS)
    for _ in range(5):
        with pytest.raises(CaseNotOpened):
            world.help.open_case(first.case_code, "a wrong guess here", client="203.0.113.9")
    with pytest.raises(TooManyRequests) as refused:
        world.help.open_case(first.case_code, PASSPHRASE, client="203.0.113.10")
    assert refused.value.retry_after > 0  # the code itself is locked for a while


def test_no_row_holds_the_reporters_address_words_or_passphrase_in_clear(world, database_url):
    sent = world.send(words="Unmistakable words 7319 about the game", contact="reach me 555-0142")
    world.help.reporter_writes(sent.case_code, PASSPHRASE, "More words 8841", client=ADDRESS)
    world.help.count_handoff("offered", "call")
    secrets = [ADDRESS, "Unmistakable words 7319", "555-0142", "More words 8841", PASSPHRASE,
               sent.case_code, sent.case_code.replace("-", "")]  # fmt: skip
    assert world.help.case(sent.reference, world.account("t.santos")).words.startswith("Unmis")
    assert clear_text_found(database_url, secrets) == []


def test_nothing_logged_names_the_reporters_address_code_or_words(world, caplog):
    caplog.set_level(logging.DEBUG)
    sent = world.send(contact="reach me 555-0142")
    world.help.reporter_writes(sent.case_code, PASSPHRASE, "More words 8841", client=ADDRESS)
    with pytest.raises(CaseNotOpened):
        world.help.open_case(sent.case_code, "a wrong passphrase", client=ADDRESS)
    world.later(6)
    world.round()
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for secret in (ADDRESS, sent.case_code, PASSPHRASE, WORDS, "555-0142", "More words 8841"):
        assert secret not in logged


def test_an_unacknowledged_life_safety_report_escalates_through_the_on_call_list(world):
    sent = world.send(life_safety=True)
    quiet = world.send(words="Not urgent: a fight last week.")
    inbox = world.smtp.inbox
    world.later(4)
    world.round()
    assert inbox.received == []  # within its 5 minutes: no one is woken
    world.later(1.5)
    world.round()
    world.round()  # again: the step is taken once
    [first] = inbox.to("t.santos@riverside.example")
    assert sent.reference in first["Subject"]
    body = first.get_content()
    assert f"https://steady.riverside.example/help-desk/{sent.reference}" in body
    assert WORDS not in body and "gun" not in body and "Roosevelt" not in str(first["Subject"])
    assert inbox.to("m.alvarez@riverside.example") == []
    world.later(5)
    world.round()
    assert len(inbox.to("m.alvarez@riverside.example")) == 1
    world.later(5)
    world.round()  # the list done: everyone on it at once
    assert len(inbox.to("t.santos@riverside.example")) == 2
    assert len(inbox.to("m.alvarez@riverside.example")) == 2
    world.later(30)
    world.round()
    assert len(inbox.received) == 4  # and then no more
    case = world.help.case(sent.reference, world.account("t.santos"))
    assert [(e.step, e.username) for e in case.escalations] == [
        (1, "t.santos"), (2, "m.alvarez"), (3, "on-call"),
    ]  # fmt: skip
    assert world.help.case(quiet.reference, world.account("t.santos")).escalations == []


def test_acknowledging_stops_the_escalation(world):
    sent = world.send(life_safety=True)
    world.later(6)
    world.round()
    world.help.acknowledge(sent.reference, world.actor("m.alvarez"))
    world.later(20)
    world.round()
    assert len(world.smtp.inbox.received) == 1
