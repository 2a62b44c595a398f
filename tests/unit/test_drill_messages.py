"""Emails about a drill's tasks say DRILL first; a real incident's never do."""

from datetime import UTC, date, datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

from domain.phase import Phase
from domain.task import Task, TaskPlan
from service.outbox.digest import DigestItem, digest_email
from service.outbox.urgent import UrgentWork, urgent_email
from tests.builders import LEAD
from tests.unit.test_outbox_rules import _account, _incident

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


def _task() -> Task:
    incident = _incident()
    plan = TaskPlan("Lock the gym doors", "", Phase.RESPONSE, "principal", NOW, urgent=True)
    return incident.task(incident.add_task(plan, actor=LEAD, at=NOW))


def test_an_urgent_email_about_a_drill_says_drill_first_and_a_real_one_does_not():
    work = UrgentWork(uuid4(), 3, "INC-2026-0001", "T1", "role", "principal")
    account = _account()
    account.set_email("k@riverside.example", actor=account.acting_as(), at=NOW)
    drill = urgent_email(work, _task(), account, public_url="https://x", zone=CHICAGO, drill=True)
    real = urgent_email(work, _task(), account, public_url="https://x", zone=CHICAGO)
    assert drill.subject == "DRILL: Urgent: T1 Lock the gym doors (INC-2026-0001)"
    assert drill.body.startswith("DRILL: this task is part of a drill, not a real incident.")
    assert real.subject == "Urgent: T1 Lock the gym doors (INC-2026-0001)"
    assert "DRILL" not in real.body


def _item(ref: str, drill: bool) -> DigestItem:
    return DigestItem("T1 Lock the gym doors", ref, NOW, False, f"/incidents/{ref}", drill=drill)


def test_a_digest_marks_each_drill_line_and_says_drill_in_its_subject_when_all_are():
    account = _account()
    account.set_email("k@riverside.example", actor=account.acting_as(), at=NOW)
    day = date(2026, 11, 23)
    mixed = digest_email(
        account,
        day,
        [_item("INC-2026-0001", True), _item("INC-2026-0002", False)],
        public_url="https://x",
        zone=CHICAGO,
    )
    assert "  DRILL: INC-2026-0001 T1 Lock the gym doors" in mixed.body
    assert "  INC-2026-0002 T1 Lock the gym doors" in mixed.body
    assert not mixed.subject.startswith("DRILL")  # real work in it: not to be skipped
    only = digest_email(
        account, day, [_item("INC-2026-0001", True)], public_url="https://x", zone=CHICAGO
    )
    assert only.subject.startswith("DRILL: Steady: 0 overdue, 1 due today")
