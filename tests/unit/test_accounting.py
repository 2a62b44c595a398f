"""The rules of a class's report: the last mark counts, extras count, counts add up."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.accounting import (
    ClassAccount,
    StaffAccount,
    class_account_id,
    count,
    staff_account_id,
)
from domain.errors import DomainError
from domain.kinds import ACCOUNTING_KINDS, KINDS
from domain.people import Actor

TEACHER = Actor("h.sato", "responder")
AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
INCIDENT = uuid4()


def sheet() -> ClassAccount:
    return ClassAccount.start(
        incident_id=INCIDENT,
        class_id="c-lin-hr1",
        school="lincoln-elementary",
        location="Room 11",
        actor=TEACHER,
        at=AT,
    )


def test_a_student_marked_twice_keeps_the_last_mark_and_both_are_events():
    report = sheet()
    report.mark("P-0001", "missing", last_seen="library at 9:10", actor=TEACHER, at=AT)
    later = AT + timedelta(minutes=3)
    report.mark("P-0001", "accounted", actor=TEACHER, at=later)
    mark = report.marks["P-0001"]
    assert (mark.status, mark.last_seen, mark.at) == ("accounted", "", later)
    assert report.first_marked["P-0001"] == AT
    marked = [e for e in report.collect_events() if isinstance(e, ClassAccount.StudentMarked)]
    assert [e.status for e in marked] == ["missing", "accounted"]


def test_marking_the_same_again_records_nothing():
    report = sheet()
    report.mark("P-0001", "accounted", actor=TEACHER, at=AT)
    report.mark("P-0001", "accounted", actor=TEACHER, at=AT + timedelta(minutes=1))
    assert len(report.collect_events()) == 2  # started, one mark


def test_an_extra_student_counts_beside_the_list_and_stays_an_extra():
    report = sheet()
    report.mark("P-0001", "accounted", actor=TEACHER, at=AT)
    report.mark("P-0099", "accounted", extra=True, actor=TEACHER, at=AT)
    report.mark("P-0099", "injured", actor=TEACHER, at=AT)  # marked again: still an extra
    assert report.marks["P-0099"].extra
    counts = count(["P-0001", "P-0002", "P-0003"], report.marks)
    assert counts.as_dict() == {
        "accounted": 1,
        "missing": 0,
        "injured": 1,
        "absent": 0,
        "with_adult": 0,
        "unknown": 2,
        "total": 4,
    }


def test_with_another_adult_says_which_adult():
    report = sheet()
    with pytest.raises(DomainError, match="which adult"):
        report.mark("P-0001", "with-adult", actor=TEACHER, at=AT)
    report.mark("P-0001", "with-adult", with_adult="the nurse", actor=TEACHER, at=AT)
    assert report.marks["P-0001"].with_adult == "the nurse"


def test_an_unknown_status_is_refused_naming_the_statuses():
    with pytest.raises(DomainError, match="accounted, missing, injured, absent, with-adult"):
        sheet().mark("P-0001", "present", actor=TEACHER, at=AT)


def test_the_class_moves():
    report = sheet()
    report.move_to("the football field", actor=TEACHER, at=AT)
    assert report.location == "the football field"


def test_ids_derive_from_the_incident_and_the_roster_ids_only():
    assert class_account_id(INCIDENT, "c-1") == class_account_id(INCIDENT, "c-1")
    assert class_account_id(INCIDENT, "c-1") != class_account_id(uuid4(), "c-1")
    assert staff_account_id(INCIDENT, "P-0001") != class_account_id(INCIDENT, "P-0001")


def test_staff_report_themselves():
    me = StaffAccount.start(
        incident_id=INCIDENT, person_ref="P-0100", school="x", actor=TEACHER, at=AT
    )
    me.report("off-site", "district office", actor=TEACHER, at=AT)
    assert (me.status, me.where, me.first_reported) == ("off-site", "district office", AT)
    with pytest.raises(DomainError, match="safe, injured, off-site"):
        me.report("fine", "", actor=TEACHER, at=AT)


def test_the_kinds_that_account_for_everyone_are_kinds():
    assert set(KINDS) >= ACCOUNTING_KINDS
    assert {"lockdown", "evacuation", "hold", "severe-weather"} == ACCOUNTING_KINDS
