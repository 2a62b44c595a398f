"""Accounting for all persons through the API, on SQLite and PostgreSQL: opening a lockdown
gives each teacher their class's list; a report is recorded mark by mark and the commander's
counts follow; a teacher cannot see or write another's class, a partner sees nothing, and bad
reports are refused saying what was wrong."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from service.demo.rosters import seed_demo_roster
from tests.builders import LEAD, signed_in_app

MORNING = datetime(2026, 12, 3, 9, 15, tzinfo=ZoneInfo("America/Chicago"))


def opened(world, kind: str = "lockdown", school: str = "Lincoln Elementary") -> str:
    app = world.client.app
    seed_demo_roster(app.state.rosters)
    return app.state.steady.open_incident(
        title=f"{kind} at {school}",
        kind=kind,
        severity=1,
        schools=[school],
        actor=LEAD,
    ).reference


def test_a_lockdown_gives_each_teacher_their_class_and_the_commander_counts(database_url):
    now = [MORNING]
    with signed_in_app(database_url, clock=lambda: now[0]) as world:
        ref = opened(world)
        client, h = world.client, world.headers
        base = f"/api/v1/incidents/{ref}/accounting"

        mine = client.get(f"{base}/mine", headers=h["h.sato"])
        assert mine.status_code == 200, mine.text
        assert [c["title"] for c in mine.json()["classes"]] == ["Grade 2 homeroom"]
        class_id = mine.json()["classes"][0]["class_id"]
        assert mine.json()["me"]["status"] == "unknown"  # on the roster as Lincoln's staff
        bell = client.get(f"{base}/mine", headers=h["m.bell"]).json()["classes"]
        assert [c["title"] for c in bell] == ["Grade 3 homeroom"]

        sheet = client.get(f"{base}/classes/{class_id}", headers=h["h.sato"]).json()
        students = sheet["students"]
        assert len(students) >= 5 and all(s["status"] == "unknown" for s in students)
        assert sheet["location"] == "Room 11" and all(s["name"] for s in students)
        refs = [s["person"] for s in students]

        picture = client.get(base, headers=h["m.alvarez"]).json()
        assert picture["classes_reported"] == 0 and picture["counts"]["unknown"] > 0
        assert {c["title"] for c in picture["not_reported"]} == {
            "Grade 2 homeroom",
            "Grade 3 homeroom",
        }

        # An extra student from Mr Bell's class, found by name.
        other = client.get(f"{base}/classes/{bell[0]['class_id']}", headers=h["m.bell"]).json()
        extra = other["students"][0]
        found = client.get(
            f"{base}/classes/{class_id}/students",
            params={"name": extra["name"].split()[0]},
            headers=h["h.sato"],
        ).json()["students"]
        assert extra["person"] in [s["person"] for s in found]

        marks = [{"student": r, "status": "accounted"} for r in refs[2:]]
        marks += [
            {"student": refs[0], "status": "missing", "last_seen": "restroom, 9:05"},
            {"student": refs[1], "status": "with-adult", "with_adult": "the nurse"},
            {"student": extra["person"], "status": "accounted"},
        ]
        sent = client.post(
            f"{base}/classes/{class_id}/reports",
            json={"marks": marks, "location": "the gym"},
            headers=h["h.sato"],
        )
        assert sent.status_code == 200, sent.text
        assert sent.json()["counts"]["unknown"] == 0 and sent.json()["location"] == "the gym"
        assert [s["extra"] for s in sent.json()["students"]][-1] is True

        picture = client.get(base, headers=h["m.alvarez"]).json()
        assert picture["classes_reported"] == 1 and picture["share_reported"] == 0.5
        lincoln = picture["schools"][0]
        assert lincoln["by_location"]["the gym"]["accounted"] == len(refs) - 2 + 1
        assert [m["last_seen"] for m in picture["missing"]] == ["restroom, 9:05"]
        assert picture["missing"][0]["name"] == students[0]["name"]
        assert [c["title"] for c in picture["not_reported"]] == ["Grade 3 homeroom"]
        # The extra is one of Mr Bell's: counted once, as accounted for.
        assert lincoln["counts"]["total"] == len(refs) + len(other["students"])
        assert picture["everyone_accounted_for_at"] is None

        # Found: marked again, the last mark counts and the first stays an event.
        again = client.post(
            f"{base}/classes/{class_id}/reports",
            json={"marks": [{"student": refs[0], "status": "accounted"}]},
            headers=h["h.sato"],
        )
        assert again.status_code == 200
        assert client.get(base, headers=h["m.alvarez"]).json()["missing"] == []

        # Mr Bell is absent: the crisis lead reports his class; the staff report themselves.
        now[0] = MORNING + timedelta(minutes=6)
        rest = [{"student": s["person"], "status": "accounted"} for s in other["students"]]
        assert (
            client.post(
                f"{base}/classes/{bell[0]['class_id']}/reports",
                json={"marks": rest},
                headers=h["m.alvarez"],
            ).status_code
            == 200
        )
        for teacher in ("h.sato", "m.bell", "b.osei"):
            me = client.post(
                f"{base}/staff", json={"status": "safe", "where": "gym"}, headers=h[teacher]
            )
            assert me.status_code == 200, me.text
        picture = client.get(base, headers=h["m.alvarez"]).json()
        assert picture["counts"]["unknown"] == 0 and picture["classes_reported"] == 2
        assert picture["staff_not_accounted"] == []
        assert picture["everyone_accounted_for_at"] == now[0].isoformat()
        accounting = world.client.app.state.accounting
        assert accounting.everyone_accounted_for_at(ref) == now[0]
        assert [row[1] for row in accounting.classes_first_reported(ref)] == [
            "Grade 3 homeroom",  # reported last
            "Grade 2 homeroom",
        ]


def test_a_teacher_sees_and_writes_only_their_class_and_a_partner_nothing(database_url):
    with signed_in_app(database_url, clock=lambda: MORNING) as world:
        ref = opened(world)
        client, h = world.client, world.headers
        base = f"/api/v1/incidents/{ref}/accounting"
        theirs = client.get(f"{base}/mine", headers=h["m.bell"]).json()["classes"][0]["class_id"]
        mark = {"marks": [{"student": "P-0001", "status": "accounted"}]}

        read = client.get(f"{base}/classes/{theirs}", headers=h["h.sato"])
        assert read.status_code == 403 and "own class" in read.json()["error"]
        write = client.post(f"{base}/classes/{theirs}/reports", json=mark, headers=h["h.sato"])
        assert write.status_code == 403
        assert client.get(base, headers=h["h.sato"]).status_code == 403  # no commander view

        for partner in ("j.brooks", "d.harris"):
            for path in (base, f"{base}/mine", f"{base}/classes/{theirs}"):
                answer = client.get(path, headers=h[partner])
                assert answer.status_code in (403, 404), (partner, path, answer.text)
                assert "homeroom" not in answer.text
            write = client.post(f"{base}/classes/{theirs}/reports", json=mark, headers=h[partner])
            assert write.status_code in (403, 404)
        # Staff account for themselves only; a crisis lead for anyone on the roster.
        bell = client.get(f"{base}/mine", headers=h["m.bell"]).json()["me"]["person"]
        for_bell = {"status": "safe", "person": bell}
        refused = client.post(f"{base}/staff", json=for_bell, headers=h["h.sato"])
        assert refused.status_code == 403 and "only for themselves" in refused.json()["error"]
        done = client.post(f"{base}/staff", json=for_bell, headers=h["m.alvarez"])
        assert done.status_code == 200 and done.json()["account"] == "m.bell"
        # The principal of the school sees the commander's view; of another school, not.
        assert client.get(base, headers=h["b.osei"]).status_code == 200
        assert client.get(base, headers=h["d.chen"]).status_code in (403, 404)
        assert client.get(base, headers=h["a.kim"]).status_code == 200  # auditor reads
        assert (
            client.post(f"{base}/staff", json={"status": "safe"}, headers=h["a.kim"]).status_code
            == 403
        )


def test_bad_reports_are_refused_saying_what_was_wrong(sqlite_url):
    with signed_in_app(sqlite_url, clock=lambda: MORNING) as world:
        ref = opened(world)
        client, h = world.client, world.headers
        base = f"/api/v1/incidents/{ref}/accounting"
        class_id = client.get(f"{base}/mine", headers=h["h.sato"]).json()["classes"][0]["class_id"]
        sheet = client.get(f"{base}/classes/{class_id}", headers=h["h.sato"]).json()
        student = sheet["students"][0]["person"]
        post = f"{base}/classes/{class_id}/reports"

        unknown = client.post(
            post,
            json={"marks": [{"student": "P-9999", "status": "accounted"}]},
            headers=h["h.sato"],
        )
        assert unknown.status_code == 422
        assert "no student 'P-9999' is on Grade 2 homeroom's list" in unknown.json()["error"]
        status = client.post(
            post, json={"marks": [{"student": student, "status": "here"}]}, headers=h["h.sato"]
        )
        assert status.status_code == 422
        assert "unknown status 'here'" in status.json()["error"]
        assert "accounted, missing, injured, absent, with-adult" in status.json()["error"]
        adult = client.post(
            post,
            json={"marks": [{"student": student, "status": "with-adult"}]},
            headers=h["h.sato"],
        )
        assert adult.status_code == 422 and "which adult" in adult.json()["error"]
        empty = client.post(post, json={"marks": []}, headers=h["h.sato"])
        assert empty.status_code == 422 and "holds nothing" in empty.json()["error"]
        nowhere = client.get(f"{base}/classes/c-nope", headers=h["h.sato"])
        assert nowhere.status_code == 404 and "no class 'c-nope'" in nowhere.json()["error"]
        # Nothing was recorded by the refusals.
        assert client.get(base, headers=h["m.alvarez"]).json()["classes_reported"] == 0

        other = world.client.app.state.steady.open_incident(
            title="A threat", kind="threat", severity=2, schools=["Lincoln Elementary"], actor=LEAD
        ).reference
        answer = client.get(f"/api/v1/incidents/{other}/accounting", headers=h["m.alvarez"])
        assert answer.status_code == 404 and "only hold, lockdown" in answer.json()["error"]

        # Once the incident is closed, its accounting is its record: no more reports.
        good = {"marks": [{"student": student, "status": "accounted"}]}
        steady = world.client.app.state.steady
        steady.close_incident(ref, "All clear; everyone home.", actor=LEAD)
        late = client.post(post, json=good, headers=h["h.sato"])
        assert late.status_code == 422 and "is closed" in late.json()["error"]
        me = client.post(f"{base}/staff", json={"status": "safe"}, headers=h["h.sato"])
        assert me.status_code == 422 and "reopen the incident" in me.json()["error"]
        assert client.get(base, headers=h["m.alvarez"]).json()["classes_reported"] == 0


def test_an_erased_identity_leaves_the_class_list_at_once(sqlite_url):
    with signed_in_app(sqlite_url, clock=lambda: MORNING) as world:
        ref = opened(world)
        client, h = world.client, world.headers
        base = f"/api/v1/incidents/{ref}/accounting"
        class_id = client.get(f"{base}/mine", headers=h["h.sato"]).json()["classes"][0]["class_id"]
        first = client.get(f"{base}/classes/{class_id}", headers=h["h.sato"]).json()["students"]
        gone = first[0]
        assert gone["name"]
        world.client.app.state.people.erase_identity(gone["person"], "the family asked", actor=LEAD)
        now = client.get(f"{base}/classes/{class_id}", headers=h["h.sato"]).json()["students"]
        listed = {s["person"]: s["name"] for s in now}
        assert listed[gone["person"]] == ""  # still on the list, by pseudonym, to account for
        assert gone["name"] not in listed.values()
        found = client.get(
            f"{base}/classes/{class_id}/students",
            params={"name": gone["name"].split()[0]},
            headers=h["h.sato"],
        ).json()["students"]
        assert gone["person"] not in [s["person"] for s in found]
