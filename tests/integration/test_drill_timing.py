"""A drill is timed by its stations: the drill report's "start to the last student reunified"
is when reunification released the last student, until a lead records a moment of their own
(then theirs counts)."""

from collections.abc import Iterator
from datetime import timedelta

import pytest

from service.demo.rosters import seed_demo_roster
from tests.builders import LEAD, signed_in_app
from tests.integration.test_reunification import SITE, post, student


@pytest.fixture
def world(database_url: str) -> Iterator:
    with signed_in_app(database_url) as world:
        state = world.client.app.state
        seed_demo_roster(state.rosters)
        world.ref = state.steady.open_incident(
            title="Lockdown drill", kind="lockdown", severity=3,
            schools=["Roosevelt High School"], actor=LEAD, drill=True,
        ).reference  # fmt: skip
        yield world


def report(world) -> dict:
    answer = world.client.get(
        f"/api/v1/incidents/{world.ref}/drill-report", headers=world.headers["m.alvarez"]
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def release(world, name: str, guardian: str) -> None:
    [case] = post(world, "k.okafor", "/check-ins", {
        "guardian_name": guardian, "id_shown": "Licence", "students": [student(world, name)]
    }).json()["cases"]  # fmt: skip
    number = case["number"]
    post(world, "k.okafor", f"/cases/{number}/verification", {"id_matches": True})
    post(world, "k.okafor", f"/cases/{number}/fetched")
    answer = post(world, "k.okafor", f"/cases/{number}/answer", {"comfortable": True})
    assert answer.json()["status"] == "released", answer.text


def test_the_last_release_times_the_drill_until_a_lead_records_the_moment(world):
    assert report(world)["to_last_student_reunified"]["text"] == "not recorded"
    assert post(world, "k.okafor", "", {"place": SITE}).status_code == 201
    release(world, "ben hollis", "Bruno Hollis")
    reunifications = world.client.app.state.reunifications
    first = reunifications.last_reunified_at(world.ref)
    timed = report(world)["to_last_student_reunified"]
    assert (timed["source"], timed["recorded_by"]) == ("reunification", None)
    assert (
        timed["moment"][:19]
        == first.astimezone(world.client.app.state.steady.zone).isoformat()[:19]
    )

    release(world, "cleo oakes", "Carla Oakes")
    later = reunifications.last_reunified_at(world.ref)
    assert later > first
    assert report(world)["to_last_student_reunified"]["seconds_from_start"] >= int(
        (first - world.client.app.state.steady.incident(world.ref).created_on).total_seconds()
    )

    # A lead's recorded moment counts over what the stations saw.
    steady = world.client.app.state.steady
    opened = steady.incident(world.ref).created_on
    steady.record_reunification_completed(world.ref, moment=opened + timedelta(minutes=1),
                                          actor=LEAD)  # fmt: skip
    timed = report(world)["to_last_student_reunified"]
    assert (timed["source"], timed["text"]) == ("recorded", "1 min")
    page = world.client.get(f"/incidents/{world.ref}/drill-report",
                            headers=world.headers["m.alvarez"])  # fmt: skip
    assert "recorded by m.alvarez" in page.text


def test_every_reunification_station_says_drill(world):
    assert post(world, "k.okafor", "", {"place": SITE}).status_code == 201
    base = f"/incidents/{world.ref}/reunification"
    for path in (base, f"{base}/check-in", f"{base}/checker", f"{base}/reunifier"):
        page = world.client.get(path, headers=world.headers["k.okafor"])
        assert page.status_code == 200, (path, page.text[:300])
        assert 'id="drill-banner"' in page.text and "This is a drill" in page.text, path


def test_class_accounting_times_the_drill_and_names_the_classes_late_or_silent(database_url):
    from tests.integration.test_accounting_api import MORNING

    now = [MORNING]
    with signed_in_app(database_url, clock=lambda: now[0]) as world:
        state = world.client.app.state
        seed_demo_roster(state.rosters)
        ref = state.steady.open_incident(
            title="Lockdown drill", kind="lockdown", severity=3,
            schools=["Lincoln Elementary"], actor=LEAD, drill=True,
        ).reference  # fmt: skip
        world.ref = ref
        client, h = world.client, world.headers
        base = f"/api/v1/incidents/{ref}/accounting"

        def send(who: str, teacher: str, minutes: int) -> None:
            now[0] = MORNING + timedelta(minutes=minutes)
            [mine] = client.get(f"{base}/mine", headers=h[teacher]).json()["classes"]
            sheet = client.get(f"{base}/classes/{mine['class_id']}", headers=h[teacher]).json()
            marks = [{"student": s["person"], "status": "accounted"} for s in sheet["students"]]
            sent = client.post(
                f"{base}/classes/{mine['class_id']}/reports", json={"marks": marks},
                headers=h[who],
            )  # fmt: skip
            assert sent.status_code == 200, sent.text

        send("h.sato", "h.sato", 2)
        early = report(world)
        assert early["classes_reported"] == 1
        assert early["late_classes"] == [{
            "class": "Grade 3 homeroom", "first_reported_at": None,
            "after_start": "did not report", "seconds_from_start": None,
        }]  # fmt: skip
        assert early["to_everyone_accounted_for"]["text"] == "not recorded"

        send("m.alvarez", "m.bell", 8)  # Mr Bell is out: the lead reports his class
        for teacher in ("h.sato", "m.bell", "b.osei"):
            me = client.post(f"{base}/staff", json={"status": "safe"}, headers=h[teacher])
            assert me.status_code == 200, me.text
        done = report(world)
        assert done["classes_reported"] == 2
        assert [(c["class"], c["after_start"]) for c in done["late_classes"]] == [
            ("Grade 3 homeroom", "8 min")
        ]
        timed = done["to_everyone_accounted_for"]
        assert (timed["source"], timed["text"]) == ("class accounting", "8 min")
        page = client.get(f"/incidents/{ref}/drill-report", headers=h["m.alvarez"])
        assert "as class accounting saw it" in page.text and "Grade 3 homeroom" in page.text


def test_every_accounting_page_says_drill(database_url):
    with signed_in_app(database_url) as world:
        state = world.client.app.state
        seed_demo_roster(state.rosters)
        ref = state.steady.open_incident(
            title="Evacuation drill", kind="evacuation", severity=3,
            schools=["Lincoln Elementary"], actor=LEAD, drill=True,
        ).reference  # fmt: skip
        client, h = world.client, world.headers
        [mine] = client.get(f"/api/v1/incidents/{ref}/accounting/mine", headers=h["h.sato"]).json()[
            "classes"
        ]
        base = f"/incidents/{ref}/accounting"
        for who, path in (
            ("h.sato", f"{base}/mine"),
            ("h.sato", f"{base}/classes/{mine['class_id']}"),
            ("m.alvarez", base),
        ):
            page = client.get(path, headers=h[who])
            assert page.status_code == 200, (path, page.text[:300])
            assert 'id="drill-banner"' in page.text, path
