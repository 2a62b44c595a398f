"""Drills through the HTTP API and the pages, on real SQLite and PostgreSQL: opened as a drill
(and a real incident never one), timed, reported, logged per school and exported as CSV, kept
out of the district's totals, and seen only by those who keep the drill log.

The demo accounts: m.alvarez a crisis lead, r.patel a district leader, a.kim an auditor,
b.osei the principal of Lincoln Elementary, d.chen the principal of Jefferson Middle School,
e.walker a teacher at Jefferson, j.brooks of the partner Eastside Counseling."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.builders import SignedIn, signed_in_app

OPENED = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Mon 23 Nov 2026, 09:00 in Chicago
LINCOLN = "Lincoln Elementary"
JEFFERSON = "Jefferson Middle School"


class Clock:
    """The district's clock, moved on by the test."""

    def __init__(self) -> None:
        self.now = OPENED

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(database_url: str, clock: Clock) -> Iterator[SignedIn]:
    with signed_in_app(database_url, clock=clock) as signed:
        yield signed


class District:
    def __init__(self, world: SignedIn) -> None:
        self.client = world.client
        self.headers = world.headers

    def post(self, who: str, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers=self.headers[who])

    def get(self, who: str, path: str, **params: str) -> Any:
        return self.client.get(path, headers=self.headers[who], params=params)

    def open(self, title: str, *, school: str = LINCOLN, **more: Any) -> str:
        body = {"title": title, "kind": "lockdown", "severity": 2, "schools": [school], **more}
        opened = self.post("m.alvarez", "/api/v1/incidents", body)
        assert opened.status_code == 201, opened.text
        return opened.json()["reference"]

    def review(self, ref: str, what: str, body: dict[str, Any], who: str = "m.alvarez") -> Any:
        return self.post(who, f"/api/v1/incidents/{ref}/{what}", body)


def test_an_incident_opened_as_a_drill_says_so_everywhere_and_a_real_one_never(world):
    d = District(world)
    drill = d.open("Lockdown drill", drill=True)
    real = d.open("Lockdown: intruder reported")

    assert d.get("m.alvarez", f"/api/v1/incidents/{drill}").json()["drill"] is True
    assert d.get("m.alvarez", f"/api/v1/incidents/{real}").json()["drill"] is False
    page = d.get("m.alvarez", f"/incidents/{drill}").text
    assert "This is a drill, not a real incident." in page and 'id="drill-report-link"' in page
    assert "DRILL" not in d.get("m.alvarez", f"/incidents/{real}").text
    card = d.get("m.alvarez", f"/incidents/{drill}/card").text
    assert f'id="card-{drill}-drill"' in card and ">DRILL<" in card
    assert ">DRILL<" not in d.get("m.alvarez", f"/incidents/{real}/card").text
    # The live feed's payload carries it, so the board (and its announcer) can say so at once.
    events = d.get("m.alvarez", "/api/v1/events", after="0").json()["events"]
    assert {e["incident"]["reference"]: e["incident"]["drill"] for e in events} == {
        drill: True,
        real: False,
    }
    timeline = d.get("m.alvarez", f"/incidents/{drill}/timeline").text
    assert "This is a drill" in timeline and f"opened DRILL {drill}" in timeline
    assert "This is a drill" in d.get("m.alvarez", f"/incidents/{drill}/replay").text
    assert "This is a drill" in d.get("m.alvarez", f"/incidents/{drill}/report").text
    assert "This is a drill" not in d.get("m.alvarez", f"/incidents/{real}/report").text

    refused = d.post(
        "m.alvarez",
        "/api/v1/incidents",
        {"title": "x", "kind": "lockdown", "severity": 2, "schools": [LINCOLN], "drill": "yes"},
    )
    assert refused.status_code == 400 and "drill" in refused.text


def test_a_drill_is_timed_from_its_start_and_reported(world, clock):
    d = District(world)
    ref = d.open("Lockdown drill, first term", drill=True)
    clock.now = OPENED + timedelta(minutes=20)
    first = d.review(ref, "everyone-accounted-for", {"moment": "2026-11-23T09:07:30"})
    assert first.status_code == 200, first.text
    assert first.json()["recorded"] is True
    again = d.review(ref, "everyone-accounted-for", {})
    assert again.json()["recorded"] is False
    assert again.json()["moment"] == "2026-11-23T09:07:30-06:00"  # the first one stands
    assert d.review(ref, "reunification-completed", {}).status_code == 200  # now: 20 min
    assert d.review(ref, "participants", {"count": 432, "note": "all classes"}).status_code == 200
    added = d.review(ref, "changes-to-make", {"text": "The gym door does not lock"})
    assert added.status_code == 201 and added.json()["change_id"] == "C1"
    bad = d.review(ref, "participants", {"count": 0})
    assert bad.status_code in (400, 422) and "participants" in bad.text
    future = d.review(ref, "reunification-completed", {"moment": "2026-11-23T11:00:00"})
    assert future.status_code == 200 and future.json()["recorded"] is False
    clock.now = OPENED + timedelta(minutes=41, seconds=10)
    closed = d.post(
        "m.alvarez", f"/api/v1/incidents/{ref}/close", {"review_summary": "Calm; one door"}
    )
    assert closed.status_code == 200, closed.text

    report = d.get("b.osei", f"/api/v1/incidents/{ref}/drill-report")
    assert report.status_code == 200, report.text
    r = report.json()
    assert (r["drill"], r["schools"], r["type"], r["status"]) == (
        True,
        [LINCOLN],
        "lockdown",
        "closed",
    )
    assert r["started_at"] == "2026-11-23T09:00:00-06:00" and r["school_year"] == "2026-27"
    assert r["participants"] == {"count": 432, "note": "all classes"}
    assert r["to_everyone_accounted_for"]["seconds_from_start"] == 450
    assert r["to_everyone_accounted_for"]["text"] == "7 min 30 s"
    assert r["to_last_student_reunified"]["seconds_from_start"] == 20 * 60
    assert r["duration"] == {"minutes": 42, "seconds": 41 * 60 + 10, "text": "41 min 10 s"}
    assert r["late_classes"] == [] and r["classes_reported"] == 0
    assert r["what_to_change"]["review_summary"] == "Calm; one door"
    assert [i["text"] for i in r["what_to_change"]["items"]] == ["The gym door does not lock"]

    page = d.get("b.osei", f"/incidents/{ref}/drill-report").text
    assert "7 min 30 s" in page and "432" in page and "The gym door does not lock" in page
    assert "No class reports are recorded for this drill." in page

    real = d.open("Real lockdown")
    missing = d.get("m.alvarez", f"/api/v1/incidents/{real}/drill-report")
    assert missing.status_code == 404 and "not a drill" in missing.json()["error"]
    # The times matter to a real incident's review too: they are recorded on it as well.
    clock.now += timedelta(minutes=3)
    assert d.review(real, "everyone-accounted-for", {}).status_code == 200
    view = d.get("m.alvarez", f"/api/v1/incidents/{real}").json()
    assert view["review"]["everyone_accounted_for"]["seconds_from_start"] == 180
    report_page = d.get("m.alvarez", f"/incidents/{real}/report").text
    assert "Everyone accounted for" in report_page and "3 min after it was opened" in report_page


def test_the_drill_log_exports_as_csv_with_a_header_and_quoting(world, clock):
    d = District(world)
    ref = d.open('Lockdown drill, "hold" first', drill=True)
    d.review(ref, "participants", {"count": 310})
    clock.now = OPENED + timedelta(minutes=12)
    d.post("m.alvarez", f"/api/v1/incidents/{ref}/close", {"review_summary": "Done"})
    formula = d.open("=HYPERLINK(1)", drill=True, school=JEFFERSON)
    d.open("A real lockdown")

    response = d.get("r.patel", "/drills.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.splitlines()[1].startswith(JEFFERSON)  # newest first
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "school",
        "date",
        "time",
        "time_zone",
        "type",
        "participants",
        "duration_minutes",
        "reference",
        "title",
        "status",
    ]
    by_ref = {row[7]: row for row in rows[1:]}
    assert set(by_ref) == {ref, formula}  # never the real incident
    assert by_ref[ref] == [
        LINCOLN,
        "2026-11-23",
        "09:00",
        "America/Chicago",
        "Lockdown or secure",
        "310",
        "12",
        ref,
        'Lockdown drill, "hold" first',
        "closed",
    ]
    assert '"Lockdown drill, ""hold"" first"' in response.text  # quoted as CSV quotes
    assert by_ref[formula][8] == "'=HYPERLINK(1)" and by_ref[formula][9] == "under way"

    lincoln = list(csv.reader(io.StringIO(d.get("r.patel", "/drills.csv", school=LINCOLN).text)))
    assert [row[7] for row in lincoln[1:]] == [ref]
    last_year = d.get("r.patel", "/drills.csv", school_year="2025-26").text
    assert last_year.splitlines() == [",".join(rows[0])]  # the header alone
    log = d.get("a.kim", "/api/v1/drills", school_year="2026-27").json()
    assert [row["reference"] for row in log["drills"]] == [formula, ref]
    assert log["drills"][1]["participants"] == 310 and log["drills"][1]["duration_minutes"] == 12
    bad = d.get("a.kim", "/api/v1/drills", school_year="2026")
    assert bad.status_code == 400 and "such as 2026-27" in bad.json()["error"]
    page = d.get("m.alvarez", "/drills").text
    assert ref in page and formula in page and "A real lockdown" not in page


def test_only_those_who_keep_the_drill_log_see_it(world):
    d = District(world)
    lincoln = d.open("Lincoln lockdown drill", drill=True)
    jefferson = d.open("Jefferson evacuation drill", drill=True, school=JEFFERSON)
    both = d.post(
        "m.alvarez",
        "/api/v1/incidents",
        {
            "title": "Shelter drill, two schools",
            "kind": "evacuation",
            "severity": 3,
            "schools": [LINCOLN, JEFFERSON],
            "drill": True,
        },
    ).json()["reference"]

    for who in ("m.alvarez", "r.patel", "a.kim"):
        rows = d.get(who, "/api/v1/drills").json()["drills"]
        assert sorted((r["reference"], r["school"]) for r in rows) == [
            (lincoln, LINCOLN),
            (jefferson, JEFFERSON),
            (both, JEFFERSON),
            (both, LINCOLN),
        ], who
    # A principal keeps their own school's log (a row per school), and no other school's drill.
    osei = d.get("b.osei", "/api/v1/drills").json()["drills"]
    assert [(r["reference"], r["school"]) for r in osei] == [(both, LINCOLN), (lincoln, LINCOLN)]
    assert jefferson not in d.get("b.osei", "/drills").text
    assert d.get("b.osei", f"/api/v1/incidents/{jefferson}/drill-report").status_code == 404
    assert [r["reference"] for r in d.get("d.chen", "/api/v1/drills").json()["drills"]] == [
        both,
        jefferson,
    ]
    # Never partners; not a teacher either (the log is the school administrators').
    for who, path in (
        ("j.brooks", "/api/v1/drills"),
        ("j.brooks", "/drills.csv"),
        ("j.brooks", "/drills"),
        ("e.walker", "/api/v1/drills"),
        ("e.walker", "/drills.csv"),
        ("e.walker", f"/api/v1/incidents/{jefferson}/drill-report"),
    ):
        refused = d.get(who, path)
        assert refused.status_code in (403, 404), (who, path, refused.status_code)
        assert jefferson not in refused.text and lincoln not in refused.text
    assert d.get("j.brooks", "/api/v1/drills").status_code == 403
    assert "drill log" in d.get("e.walker", "/api/v1/drills").json()["error"]
    assert 'href="/drills"' not in d.get("e.walker", "/").text
    assert 'href="/drills"' in d.get("b.osei", "/").text
    # Only crisis leads record the review.
    refused = d.review(lincoln, "everyone-accounted-for", {}, who="r.patel")
    assert refused.status_code == 403
    assert d.review(lincoln, "changes-to-make", {"text": "x"}, who="b.osei").status_code == 403


def test_drills_are_left_out_of_the_summary_and_recovery(world):
    d = District(world)
    d.open("Lockdown drill", drill=True)
    d.open("Evacuation drill", drill=True, school=JEFFERSON)
    d.open("Lockdown: intruder reported")

    summary = d.get("r.patel", "/api/v1/summary").json()
    assert summary["open_incidents"]["total"] == 1
    assert summary["open_incidents"]["by_school"] == [
        {"school": LINCOLN, "open": 1, "confidential": 0}
    ]
    assert summary["drills_under_way"] == 2
    page = d.get("r.patel", "/summary").text
    assert "2 drills are under way and counted in no figure here" in page
    # Someone recorded on a drill (a role-play, say) is in no recovery figure.
    drill = d.open("Evacuation drill with a role-play casualty", drill=True, school=LINCOLN)
    person = {"kind": "student", "school": LINCOLN, "how_affected": "Role-play", "grade": "4"}
    assert d.post("m.alvarez", f"/api/v1/incidents/{drill}/people", person).status_code == 201
    recovery = d.get("r.patel", "/api/v1/recovery").json()
    assert recovery["drills_left_out"] == 3
    assert recovery["totals"]["people"] == 0 and recovery["by_school"] == []


def test_the_demo_district_has_a_past_lockdown_drill_at_lincoln_in_its_log(world, clock):
    from service.demo.incidents import seed_demo

    steady = world.client.app.state.steady
    clock.now = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    seed_demo(steady, clock.now, steady.zone)
    rows = District(world).get("b.osei", "/api/v1/drills").json()["drills"]
    assert len(rows) == 1, rows
    (row,) = rows
    assert (row["school"], row["type"], row["status"], row["participants"]) == (
        LINCOLN,
        "lockdown",
        "closed",
        418,
    )
    assert row["duration_minutes"] == 45
    report = District(world).get("b.osei", f"/api/v1/incidents/{row['reference']}/drill-report")
    r = report.json()
    assert r["to_everyone_accounted_for"]["text"] == "8 min 30 s"
    assert r["to_last_student_reunified"]["text"] == "31 min"
    assert len(r["what_to_change"]["items"]) == 2
    # Seeding again adds nothing.
    seed_demo(steady, clock.now, steady.zone)
    assert len(District(world).get("a.kim", "/api/v1/drills").json()["drills"]) == 1


def test_the_report_names_the_classes_class_accounting_says_reported_late(world):
    from service.drills.report import ClassReport

    d = District(world)
    ref = d.open("Lockdown drill", drill=True)

    class Reported:
        """Class accounting's answer, through the interface the report is built against."""

        def reported(self, incident_ref: str) -> list[ClassReport]:
            assert incident_ref == ref
            return [
                ClassReport("Room 4, grade 2", OPENED + timedelta(minutes=3)),
                ClassReport("Gym, PE", OPENED + timedelta(minutes=9, seconds=40)),
            ]

    world.client.app.state.drills.class_reports = Reported()
    r = d.get("m.alvarez", f"/api/v1/incidents/{ref}/drill-report").json()
    assert r["classes_reported"] == 2
    assert [(c["class"], c["after_start"]) for c in r["late_classes"]] == [
        ("Gym, PE", "9 min 40 s")
    ]
    page = d.get("m.alvarez", f"/incidents/{ref}/drill-report").text
    assert "Gym, PE" in page and "Room 4, grade 2" not in page


def test_the_report_forms_record_the_review_and_say_what_was_wrong(world, clock):
    import re

    d = District(world)
    ref = d.open("Lockdown drill", drill=True)
    world.sign_in(world.client, "m.alvarez")
    path = f"/incidents/{ref}/drill-report"
    page = world.client.get(path).text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)

    def send(what: str, **data: str) -> Any:
        return world.client.post(
            f"{path}/{what}", data={"_csrf_token": token, **data}, follow_redirects=False
        )

    refused = send("participants", count="about 400")
    assert refused.status_code == 422
    assert "participants must be a whole number of people, such as 432" in refused.text
    assert "not recorded" in refused.text  # the report again, nothing recorded
    done = send("participants", count="418", note="all rooms")
    assert done.status_code == 303 and done.headers["location"] == path
    assert "Recorded: 418 participants." in world.client.get(path).text
    clock.now = OPENED + timedelta(minutes=30)
    assert send("everyone-accounted-for", moment="2026-11-23T09:08").status_code == 303
    again = world.client.get(path)
    assert "8 min" in again.text
    send("everyone-accounted-for")
    assert "already recorded as accounted for" in world.client.get(path).text
    bad = send("reunification-completed", moment="half past nine")
    assert bad.status_code == 422 and "is not a moment" in bad.text
