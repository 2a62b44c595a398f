"""The rules of reunification: a student is released once; a custody alert, an adult not
listed as a guardian, an ID that does not match, or a student not comfortable stops the case
for a lead; a lead may release with a reason or refuse; every step says who and when."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.errors import DomainError
from domain.people import Actor
from domain.reunification import (
    FETCHED,
    REFUSED,
    RELEASED,
    STOPPED,
    VERIFIED,
    AlreadyReleased,
    Reunification,
    reunification_id,
)

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
GREETER = Actor("k.okafor", "responder")
CHECKER = Actor("s.lopez", "responder")
REUNIFIER = Actor("t.moore", "responder")
LEAD = Actor("m.alvarez", "crisis-lead")


def opened() -> Reunification:
    return Reunification.open(
        incident_id=uuid4(),
        incident_ref="INC-2026-0009",
        kind="lockdown",
        place="Gym at Jefferson Middle School",
        actor=LEAD,
        at=NOW,
    )


def through(r: Reunification, case: str, *, listed: bool = True, alert: bool = False) -> None:
    r.verify(case, id_matches=True, listed=listed, custody_alert=alert, guardian_ref="P-0100",
             actor=CHECKER, at=NOW)  # fmt: skip


def test_the_stream_id_derives_from_the_incident_alone():
    incident = uuid4()
    assert reunification_id(incident) == reunification_id(incident) != reunification_id(uuid4())


def test_only_incidents_that_send_students_home_open_reunification():
    with pytest.raises(DomainError, match="not on one of kind 'bullying'"):
        Reunification.open(incident_id=uuid4(), incident_ref="INC-1", kind="bullying",
                           place="Gym", actor=LEAD, at=NOW)  # fmt: skip


def test_a_listed_guardian_takes_a_comfortable_student_home_and_each_step_is_recorded():
    r = opened()
    [case] = r.check_in("Bruno Hollis", "Driver's licence", ["P-0001"], actor=GREETER, at=NOW)
    through(r, case)
    assert r.case(case).status == VERIFIED
    r.fetch(case, actor=REUNIFIER, at=NOW + timedelta(minutes=3))
    assert r.case(case).status == FETCHED
    r.ask(case, comfortable=True, actor=REUNIFIER, at=NOW + timedelta(minutes=4))
    released = r.case(case)
    assert released.status == RELEASED and released.released_at == NOW + timedelta(minutes=4)
    assert [(s.what, s.by.user) for s in released.steps] == [
        ("checked_in", "k.okafor"), ("verified", "s.lopez"), ("fetched", "t.moore"),
        ("asked", "t.moore"), ("released", "t.moore"),
    ]  # fmt: skip
    assert r.counts().as_dict() == {
        "reunified": 1, "students_waiting": 0, "guardians_waiting": 0, "stopped": 0
    }  # fmt: skip
    assert r.last_released_at == NOW + timedelta(minutes=4)


def test_a_student_is_released_once_and_the_refusal_says_when_and_to_whom():
    r = opened()
    [first] = r.check_in("Bruno Hollis", "Licence", ["P-0001"], actor=GREETER, at=NOW)
    [second] = r.check_in("Ana Hollis", "Passport", ["P-0001"], actor=GREETER, at=NOW)
    for case in (first, second):
        through(r, case)
    r.fetch(first, actor=REUNIFIER, at=NOW)
    r.ask(first, comfortable=True, actor=REUNIFIER, at=NOW)
    with pytest.raises(AlreadyReleased) as refused:
        r.fetch(second, actor=REUNIFIER, at=NOW)
    assert str(refused.value) == (
        "P-0001 was already released at 15:00 on 04 Dec 2026 to Bruno Hollis (case C-1): "
        "a student is released once"
    )
    with pytest.raises(AlreadyReleased, match="to Bruno Hollis"):
        r.check_in("Someone Else", "Licence", ["P-0001"], actor=GREETER, at=NOW)
    assert r.counts().reunified == 1


def test_a_custody_alert_stops_the_release_until_a_lead_decides():
    r = opened()
    [case] = r.check_in("Hector Zeller", "Licence", ["P-0007"], actor=GREETER, at=NOW)
    through(r, case, alert=True)
    stopped = r.case(case)
    assert stopped.status == STOPPED and stopped.stop_text == "the student has a custody alert"
    assert r.counts().stopped == 1
    with pytest.raises(DomainError, match="a lead must decide first"):
        r.fetch(case, actor=REUNIFIER, at=NOW)
    with pytest.raises(DomainError, match="reason for the decision"):
        r.decide(case, release=True, reason="", actor=LEAD, at=NOW)
    r.decide(case, release=True, reason="Court order checked: father may collect", actor=LEAD,
             at=NOW)  # fmt: skip
    assert r.case(case).status == VERIFIED  # the reunifier fetches the student as for any case
    r.fetch(case, actor=REUNIFIER, at=NOW)
    r.ask(case, comfortable=True, actor=REUNIFIER, at=NOW)
    assert r.case(case).status == RELEASED


def test_an_adult_not_listed_stops_the_case_and_a_lead_may_refuse():
    r = opened()
    [case] = r.check_in("Uncle Bob", "Licence", ["P-0002"], actor=GREETER, at=NOW)
    through(r, case, listed=False)
    assert r.case(case).stop_text == "this adult is not listed as a guardian of the student"
    r.decide(case, release=False, reason="Not on the card; mother called", actor=LEAD, at=NOW)
    assert r.case(case).status == REFUSED
    assert r.counts().as_dict() == {
        "reunified": 0, "students_waiting": 0, "guardians_waiting": 0, "stopped": 0
    }  # fmt: skip
    with pytest.raises(DomainError, match="a lead refused it"):
        r.fetch(case, actor=REUNIFIER, at=NOW)


def test_an_id_that_does_not_match_stops_the_case():
    r = opened()
    [case] = r.check_in("Bruno Hollis", "Licence", ["P-0001"], actor=GREETER, at=NOW)
    r.verify(case, id_matches=False, listed=True, custody_alert=False, guardian_ref="P-0100",
             actor=CHECKER, at=NOW)  # fmt: skip
    assert r.case(case).stop_text == "the ID shown does not match the person"


def test_a_student_not_comfortable_is_not_released_and_a_lead_is_called():
    r = opened()
    [case] = r.check_in("Carla Oakes", "Licence", ["P-0002"], actor=GREETER, at=NOW)
    through(r, case)
    r.fetch(case, actor=REUNIFIER, at=NOW)
    r.ask(case, comfortable=False, actor=REUNIFIER, at=NOW)
    stopped = r.case(case)
    assert stopped.status == STOPPED and stopped.released_at is None
    assert "not comfortable leaving with this adult" in stopped.stop_text
    assert r.counts().reunified == 0 and r.counts().stopped == 1
    # A lead who has spoken with the student may release them there and then.
    r.decide(case, release=True, reason="Spoke with her: she was upset, not afraid", actor=LEAD,
             at=NOW)  # fmt: skip
    assert r.case(case).status == RELEASED and r.counts().reunified == 1


def test_live_counts_follow_students_and_guardians_waiting():
    r = opened()
    r.check_in("Ines Pellam", "Licence", ["P-0005", "P-0020"], actor=GREETER, at=NOW)
    r.check_in("Greta Rennick", "Licence", ["P-0006"], actor=GREETER, at=NOW)
    assert r.counts().as_dict() == {
        "reunified": 0, "students_waiting": 3, "guardians_waiting": 2, "stopped": 0
    }  # fmt: skip
    with pytest.raises(DomainError, match="choose at least one"):
        r.check_in("Nobody", "Licence", [], actor=GREETER, at=NOW)


def test_who_may_decide_a_stopped_case():
    from service.access.permissions import Forbidden
    from service.reunification.access import may_decide, require_decide
    from tests.unit.test_permissions import person

    principal = person("h.ward", "responder", positions=["principal"])
    counselor = person("k.okafor", "responder", positions=["counselor"])
    lead = person("m.alvarez", "crisis-lead")
    others = [person("r.patel", "district-leader"), person("a.kim", "auditor"),
              person("j.brooks", "partner", kind="partner")]  # fmt: skip
    assert may_decide(principal) and may_decide(lead)
    assert not may_decide(counselor) and not any(may_decide(a) for a in others)
    with pytest.raises(Forbidden, match=r"k\.okafor may not decide a stopped case"):
        require_decide(counselor)


@pytest.mark.parametrize("picked_up", [None, NOW])
def test_a_familys_update_is_wholly_in_spanish_when_the_roster_says_spanish(picked_up):
    from zoneinfo import ZoneInfo

    from service.reunification.family_texts import StudentNews, language_for, update_text

    said = {
        language: update_text(
            language,
            school="Roosevelt High School",
            place="the gym",
            students=[StudentNews("Elif Dunmore", picked_up)],
            minutes=30,
            zone=ZoneInfo("America/Chicago"),
        )
        for language in ("en", "es-MX")
    }
    assert language_for("es-MX") == "es" and language_for("vi") == "en"
    (en_subject, en_body), (es_subject, es_body) = said["en"], said["es-MX"]
    assert en_subject != es_subject
    english = [line for line in en_body.splitlines() if line]
    spanish = [line for line in es_body.splitlines() if line]
    assert len(english) == len(spanish)
    assert all(e != s for e, s in zip(english, spanish, strict=True))  # every line translated


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_drills_update_says_drill_first_in_the_familys_language(language):
    from zoneinfo import ZoneInfo

    from service.reunification.family_texts import StudentNews, update_text

    def said(drill: bool) -> tuple[str, str]:
        return update_text(
            language,
            school="Lincoln Elementary",
            place="the gym",
            students=[StudentNews("Elif Dunmore", None)],
            minutes=30,
            zone=ZoneInfo("America/Chicago"),
            drill=drill,
        )

    word = {"en": "DRILL", "es": "SIMULACRO"}[language]
    (subject, body), (real_subject, real_body) = said(True), said(False)
    assert subject.startswith(f"{word}: ") and body.startswith(f"{word}: ")
    assert word not in real_subject and word not in real_body
    assert body.endswith(real_body)  # the drill's update is the real one, marked
