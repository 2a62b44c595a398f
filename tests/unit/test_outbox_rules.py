"""The rules the outbox relies on, without a store: email addresses, urgent tasks (recorded only
when urgent, so older tasks keep their hash; set by playbook steps), when the morning digest is
due, how long a failed delivery waits, and the calendar feed's form."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from domain.account import Account
from domain.errors import DomainError
from domain.incident import Incident
from domain.organisation import Organisation
from domain.phase import Phase
from domain.school_days import WEEKDAYS, SchoolCalendar
from domain.task import Task, TaskPlan
from playbooks.loader import load_playbook
from playbooks.problems import PlaybookInvalid
from service.calendar_feed.ics import feed_ics
from service.outbox.digest import DigestItem, check_ins, digest_day
from service.outbox.sender import MAX_BACKOFF, retry_delay
from tests.builders import LEAD
from tests.unit.test_playbook_loader import VALID, edit, write

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("m.alvarez@riverside.example", "m.alvarez@riverside.example"),
        ("  Kemi.Okafor@Riverside.EXAMPLE ", "Kemi.Okafor@riverside.example"),
        ("d+steady@mail.riverside.example", "d+steady@mail.riverside.example"),
    ],
)
def test_an_account_takes_an_email_address_and_keeps_its_domain_in_lower_case(given, kept):
    account = _account()
    account.set_email(given, actor=LEAD, at=NOW)
    assert account.email == kept
    account.set_email("", actor=LEAD, at=NOW)  # removed: nothing is emailed
    assert account.email == ""


@pytest.mark.parametrize(
    "given",
    [
        "m.alvarez",
        "m.alvarez@",
        "@riverside.example",
        "a b@riverside.example",
        "m..alvarez@riverside.example",
        "m@riverside",
        "x" * 250 + "@r.example",
    ],
)
def test_what_is_not_an_email_address_is_refused_saying_what_one_looks_like(given):
    with pytest.raises(
        DomainError, match=re.escape("is not an email address: give one like m.alvarez@")
    ):
        _account().set_email(given, actor=LEAD, at=NOW)


def test_setting_the_same_address_again_says_it_is_already_set():
    account = _account()
    account.set_email("k@riverside.example", actor=LEAD, at=NOW)
    with pytest.raises(
        DomainError, match=re.escape("k.okafor already has the email address k@riverside")
    ):
        account.set_email("k@riverside.example", actor=LEAD, at=NOW)


def _account() -> Account:
    school = Organisation.create(
        slug="roosevelt-high-school", name="Roosevelt", kind="school", actor=LEAD, at=NOW
    )
    return Account.create(
        username="k.okafor",
        display_name="Kemi Okafor",
        organisation=school,
        roles=["responder"],
        actor=LEAD,
        at=NOW,
    )


def _incident() -> Incident:
    return Incident.open(
        reference="INC-2026-0001",
        title="Lockdown",
        kind="lockdown",
        severity=2,
        schools=["Roosevelt High School"],
        summary="",
        occurred_at=NOW,
        actor=LEAD,
        at=NOW,
    )


def test_an_urgent_task_records_it_and_a_task_that_is_not_records_nothing_new():
    incident = _incident()
    plain = incident.add_task(
        TaskPlan("Call the family", "", Phase.RESPONSE, "counselor", None), actor=LEAD, at=NOW
    )
    urgent = incident.add_task(
        TaskPlan("Check on the students", "", Phase.RESPONSE, "counselor", None, urgent=True),
        actor=LEAD,
        at=NOW,
    )
    added = [e for e in incident.collect_events() if isinstance(e, Incident.TaskAdded)]
    # A task that is not urgent is recorded as every task was before urgency existed: the
    # same fields, so the same hash as an event stored then.
    assert "urgent" not in added[0].task
    assert added[1].task["urgent"] is True
    assert all(e.computed_hash() == e.event_hash for e in added)
    assert (incident.tasks[plain].urgent, incident.tasks[urgent].urgent) == (False, True)


def test_a_playbook_step_is_urgent_when_it_says_urgent_true(tmp_path):
    text = edit(VALID, 'id = "verify-facts"\n', 'id = "verify-facts"\nurgent = true\n')
    playbook = load_playbook(write(tmp_path, text))
    urgency = {step.id: step.urgent for _, step in playbook.steps()}
    assert urgency == {"verify-facts": True, "staff-debrief": False, "family-call": False}


def test_a_playbook_step_whose_urgent_is_not_true_or_false_is_refused(tmp_path):
    text = edit(VALID, 'id = "verify-facts"\n', 'id = "verify-facts"\nurgent = "yes"\n')
    with pytest.raises(PlaybookInvalid) as refused:
        load_playbook(write(tmp_path, text))
    assert "phases[0].steps[0].urgent: expected true or false, got 'yes'" in str(refused.value)


class WithDaysOff(SchoolCalendar):
    def __init__(self, *off: date) -> None:
        self.off = set(off)

    def is_school_day(self, day: date) -> bool:
        return day not in self.off and super().is_school_day(day)


MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("local", "calendar", "due"),
    [
        (datetime(2026, 11, 23, 7, 0), WEEKDAYS, MONDAY),  # Monday at the digest time
        (datetime(2026, 11, 23, 6, 59), WEEKDAYS, None),  # before it
        (datetime(2026, 11, 23, 16, 0), WEEKDAYS, MONDAY),  # later that day: still that day's
        (datetime(2026, 11, 28, 7, 5), WEEKDAYS, None),  # Saturday
        (datetime(2026, 11, 26, 7, 5), WithDaysOff(date(2026, 11, 26)), None),  # Thanksgiving
    ],
)
def test_the_digest_is_due_on_school_days_from_the_digest_time(local, calendar, due):
    at = local.replace(tzinfo=CHICAGO).astimezone(UTC)
    assert digest_day(at, CHICAGO, time(7, 0), calendar) == due


def test_a_failed_delivery_waits_longer_each_time_up_to_an_hour():
    assert [retry_delay(n, 30) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(20, 30) == MAX_BACKOFF == 3600


def test_the_calendar_feed_is_published_in_utc_with_stable_uids_and_only_timed_items():
    due = datetime(2026, 11, 25, 9, 30, tzinfo=CHICAGO)
    items = [
        DigestItem(
            "T3 Call the family", "INC-2026-0007", due, False, "/incidents/INC-2026-0007#task-T3"
        ),
        DigestItem(
            "T4 Write it up", "INC-2026-0007", None, False, "/incidents/INC-2026-0007#task-T4"
        ),
    ]
    first = Calendar.from_ical(
        feed_ics(items, name="Steady: your work", public_url="https://s.example", now=NOW)
    )
    later = feed_ics(
        items,
        name="Steady: your work",
        public_url="https://s.example",
        now=NOW + timedelta(hours=1),
    )
    [event] = first.walk("VEVENT")
    assert event.decoded("DTSTART") == due and event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert b"DTSTART:20261125T153000Z" in later  # UTC: no VTIMEZONE needed
    assert str(event["SUMMARY"]) == "INC-2026-0007 T3 Call the family"
    assert str(event["URL"]) == "https://s.example/incidents/INC-2026-0007#task-T3"
    assert [str(e["UID"]) for e in Calendar.from_ical(later).walk("VEVENT")] == [str(event["UID"])]
    assert first["METHOD"] == "PUBLISH" and str(first["X-WR-CALNAME"]) == "Steady: your work"


@dataclass(frozen=True)
class CheckIn:  # as FollowUpsDue.for_owner gives one
    person_ref: str
    incident_ref: str
    check_in_id: str
    label: str
    due: datetime
    overdue: bool


def test_follow_up_check_ins_reach_the_digest_when_due_and_the_feed_ahead_by_reference():
    monday_8am = datetime(2026, 11, 23, 8, 0, tzinfo=CHICAGO)
    rows = [
        CheckIn(
            "P-0007", "INC-2026-0003", "C1", "Day 1 check-in", monday_8am - timedelta(days=1), True
        ),
        CheckIn(
            "P-0007",
            "INC-2026-0003",
            "C2",
            "Day 3 check-in",
            monday_8am + timedelta(hours=4),
            False,
        ),
        CheckIn(
            "P-0012",
            "INC-2026-0003",
            "C1",
            "Week 2 check-in",
            monday_8am + timedelta(days=9),
            False,
        ),
    ]
    asked = []

    def for_owner(username, at):
        asked.append(username)
        return rows

    digest = check_ins(for_owner, CHICAGO)("k.okafor", monday_8am)
    assert [i.what for i in digest] == ["P-0007 Day 1 check-in", "P-0007 Day 3 check-in"]
    assert [i.overdue for i in digest] == [True, False] and asked == ["k.okafor"]
    feed = check_ins(for_owner, CHICAGO, upcoming=True)("k.okafor", monday_8am)
    assert len(feed) == 3
    ics = feed_ics(feed, name="Steady: your work", public_url="https://s.example", now=NOW)
    uids = [str(e["UID"]) for e in Calendar.from_ical(ics).walk("VEVENT")]
    assert len(set(uids)) == 3  # one link, three check-ins: each its own calendar event


def test_a_task_recorded_before_tasks_could_be_urgent_loads_as_not_urgent():
    # The record of a task added by an earlier release: no "urgent" key at all.
    stored = {
        "task_id": "T1",
        "title": "Call the family",
        "instructions": "",
        "phase": "response",
        "owner_role": "counselor",
        "due_at": None,
        "stakeholder": "",
        "component": "",
        "playbook_id": "",
        "step_id": "",
    }
    assert Task.from_dict(stored).urgent is False
    assert Task.from_dict(stored | {"urgent": True}).urgent is True
