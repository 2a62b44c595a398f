"""The help request's rules: what a reporter may send, what the desk may do and when, the hash
chain over every event, and the case code a reporter types back."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.errors import DomainError
from domain.help_categories import CATEGORIES, check_category, suggested_playbook, target_minutes
from domain.help_reporter import (
    CODE_ALPHABET,
    check_passphrase,
    new_case_code,
    read_case_code,
    spam_signs,
)
from domain.help_request import HelpRequest
from domain.kinds import KINDS
from domain.people import Actor
from playbooks.library import Library

NOW = datetime(2026, 12, 4, 19, 30, tzinfo=UTC)
DESK = Actor("s.lopez", "help-desk")


def received(**changes) -> HelpRequest:
    sent = {
        "reference": "H-0001",
        "route": "report",
        "category": "threat",
        "school": "roosevelt-high-school",
        "when": "Friday's game",
        "words": "Someone said they would bring a gun to the game",
        "contact": "",
        "life_safety": False,
        "language": "es",
        "passphrase_hash": "$argon2id$hash",
    }
    return HelpRequest.receive(id=uuid4(), at=NOW, **{**sent, **changes})


def later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def test_a_request_holds_what_the_reporter_sent_and_starts_new():
    request = received(contact="  text me at 555-0100  ")
    assert (request.reference, request.route, request.category) == ("H-0001", "report", "threat")
    assert request.contact == "text me at 555-0100" and request.status == "new"
    assert request.received_at == NOW and not request.unread_from_reporter


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"route": "tell"}, "route 'tell' is not one: give report"),
        ({"category": "food"}, "'food' is not a kind of report: give one of threat"),
        ({"route": "ask", "category": "threat"}, "is not a kind of ask: give one of food"),
        ({"words": "   "}, "what happened must not be empty"),
        ({"words": "x" * 4001}, "what happened is 4001 characters long; keep it under 4000"),
        ({"contact": "x" * 201}, "how to contact you is 201 characters long"),
        ({"when": "x" * 201}, "when it happened is 201 characters long"),
        ({"life_safety": "yes"}, "say whether someone is in danger right now"),
        ({"language": "Spanish"}, "language 'Spanish' is not a language code"),
    ],
)
def test_what_a_reporter_sends_is_checked_with_a_clear_message(changes, says):
    with pytest.raises(DomainError, match=says):
        received(**changes)


def test_every_event_chains_onto_the_one_before_and_a_changed_one_shows():
    request = received(life_safety=True)
    request.escalated(1, "m.alvarez", at=later(5))
    request.acknowledge(actor=DESK, at=later(6))
    request.write_to_reporter("Gracias. ¿A qué hora?", asks_details=True, actor=DESK, at=later(7))
    request.reporter_writes("A las siete", at=later(9))
    request.close("incident", actor=DESK, at=later(30))
    events = request.pending_events
    assert events[0].previous_hash == ""
    assert [e.previous_hash for e in events[1:]] == [e.event_hash for e in events[:-1]]
    assert all(e.computed_hash() == e.event_hash for e in events)
    assert request.chain_head == events[-1].event_hash
    events[3].__dict__["text"] = "A las ocho"  # what an edit of the stored event would do
    assert events[3].computed_hash() != events[3].event_hash


def test_the_clocks_and_the_conversation():
    request = received()
    request.acknowledge(actor=DESK, at=later(3))
    assert request.status == "acknowledged" and request.first_response_at is None
    request.write_to_reporter("We are on it", actor=DESK, at=later(4))
    request.reporter_writes("Thank you, there were two of them", at=later(10))
    assert request.unread_from_reporter
    request.write_to_reporter("Which door?", asks_details=True, actor=DESK, at=later(12))
    assert not request.unread_from_reporter
    assert request.first_response_at == later(4) and request.acknowledged_at == later(3)
    assert [(m.who, m.asks_details) for m in request.messages] == [
        ("desk", False), ("reporter", False), ("desk", True),
    ]  # fmt: skip


def test_a_closed_request_refuses_every_desk_command_and_the_reporter_writing():
    request = received()
    request.close("no-action", actor=DESK, at=later(1))
    refused = [
        lambda: request.acknowledge(actor=DESK, at=later(2)),
        lambda: request.assign("s.lopez", actor=DESK, at=later(2)),
        lambda: request.write_to_reporter("hello", actor=DESK, at=later(2)),
        lambda: request.route_to("food-bank", "a box", actor=DESK, at=later(2)),
        lambda: request.converted_to_incident("INC-2026-0001", "", actor=DESK, at=later(2)),
        lambda: request.opened_needs_case("P-0001", actor=DESK, at=later(2)),
        lambda: request.mark_spam("ads", actor=DESK, at=later(2)),
        lambda: request.close("resolved", actor=DESK, at=later(2)),
    ]
    for command in refused:
        with pytest.raises(DomainError, match=r"H-0001 is closed \(no-action\): it can no longer"):
            command()
    with pytest.raises(DomainError, match="this request is resolved, so it takes no more"):
        request.reporter_writes("one more thing", at=later(3))
    assert len(request.pending_events) == 2


def test_a_report_converts_once_and_an_ask_does_not_convert():
    request = received()
    request.converted_to_incident("INC-2026-0004", "lockdown-or-threat", actor=DESK, at=later(20))
    assert request.incident_ref == "INC-2026-0004"
    with pytest.raises(DomainError, match="H-0001 was already converted into INC-2026-0004"):
        request.converted_to_incident("INC-2026-0005", "", actor=DESK, at=later(21))
    ask = received(route="ask", category="food", words="We have no food this week")
    with pytest.raises(DomainError, match="is an ask for help, not a report"):
        ask.check_convertible()
    ask.opened_needs_case("P-0012", actor=DESK, at=later(1))
    with pytest.raises(DomainError, match="already has its needs case, P-0012"):
        ask.opened_needs_case("P-0013", actor=DESK, at=later(2))


def test_the_desk_commands_say_what_is_wrong():
    request = received()
    request.acknowledge(actor=DESK, at=later(1))
    with pytest.raises(DomainError, match=r"already acknowledged, by s\.lopez"):
        request.acknowledge(actor=DESK, at=later(2))
    request.assign("S.Lopez ", actor=DESK, at=later(2))
    assert request.assigned_to == "s.lopez"
    with pytest.raises(DomainError, match=r"already assigned to s\.lopez"):
        request.assign("s.lopez", actor=DESK, at=later(3))
    with pytest.raises(DomainError, match="left no way to contact them"):
        request.route_to("police-liaison", "watch the gate", share_contact=True, actor=DESK,
                         at=later(3))  # fmt: skip
    request.route_to("police-liaison", "watch the gate", actor=DESK, at=later(3))
    with pytest.raises(DomainError, match="already routed to police-liaison"):
        request.route_to("police-liaison", "again", actor=DESK, at=later(4))
    with pytest.raises(DomainError, match="outcome 'done' is not one: give one of resolved"):
        request.close("done", actor=DESK, at=later(5))
    request.mark_spam("an advert", actor=DESK, at=later(5))
    with pytest.raises(DomainError, match="already marked spam: an advert"):
        request.mark_spam("again", actor=DESK, at=later(6))


def test_escalation_steps_follow_in_order_and_stop_once_acknowledged():
    calm = received()
    with pytest.raises(DomainError, match="needs no escalation"):
        calm.escalated(1, "m.alvarez", at=later(5))
    urgent = received(life_safety=True)
    with pytest.raises(DomainError, match="is at escalation step 0, not 1"):
        urgent.escalated(2, "m.alvarez", at=later(5))
    urgent.escalated(1, "m.alvarez", at=later(5))
    urgent.escalated(2, "r.patel", at=later(10))
    assert [(e.step, e.username) for e in urgent.escalations] == [(1, "m.alvarez"), (2, "r.patel")]
    urgent.acknowledge(actor=DESK, at=later(11))
    with pytest.raises(DomainError, match="needs no escalation"):
        urgent.escalated(3, "m.alvarez", at=later(15))


def test_case_codes_have_sixty_bits_and_read_back_however_they_are_typed():
    code = new_case_code()
    assert len(code) == 14 and code.count("-") == 2
    assert len(CODE_ALPHABET) ** 12 >= 2**60
    assert read_case_code(code.lower().replace("-", " ")) == code
    assert read_case_code("7KQ2-M9XD-4HT0") == read_case_code("7kq2 m9xd 4hto")
    assert read_case_code("1111-1111-1111") == read_case_code("IIII-llll-1111")
    assert read_case_code("7KQ2-M9XD-4HT") is None and read_case_code("UUUU-UUUU-UUUU") is None
    assert len({new_case_code() for _ in range(200)}) == 200


def test_a_passphrase_is_four_words_or_twelve_characters():
    assert check_passphrase(" blue river tall window ") == "blue river tall window"
    assert check_passphrase("correcthorse1") == "correcthorse1"
    for short in ("", "blue river", "short1"):
        with pytest.raises(DomainError, match="passphrase"):
            check_passphrase(short)


def test_spam_signs_are_many_links_only():
    assert spam_signs("see https://a.example and www.b.example") == ""
    assert spam_signs("https://a.example https://b.example www.c.example") == "holds 3 links"


def test_each_category_has_a_target_and_the_suggested_playbooks_exist():
    assert target_minutes("bullying", True) == 5
    assert [target_minutes(c, False) for c in ("threat", "worry-friend", "unsafe", "food")] == [
        15, 60, 120, 1440,
    ]  # fmt: skip
    assert target_minutes("threat", False, {"threat": 10}) == 10
    assert suggested_playbook("threat") == "lockdown-or-threat"
    assert suggested_playbook("worry-friend") == "self-harm-or-suicide-risk"
    assert suggested_playbook("unsafe") is None
    library = Library.load()
    for category in CATEGORIES.values():
        if category.playbook_id:
            playbook = library.get(category.playbook_id)
            assert category.incident_kind in KINDS and category.incident_kind in playbook.kinds
    assert check_category("ask", "shelter").route == "ask"
