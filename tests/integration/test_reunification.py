"""Reunification on a real store (SQLite and PostgreSQL), through the JSON API, the station
pages and the outbox: the demo roster's students reunited with their guardians; a custody alert
and an adult not listed stop the case for a lead; a student is released once; who may see,
run and decide; the families' updates in their language through a real SMTP server."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.people import Actor
from service.accounts.service import Accounts
from service.bootstrap import assemble, open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from service.demo.rosters import seed_demo_roster
from tests.builders import FAST_HASHER, LEAD, signed_in_app
from tests.integration.test_people_pages import csrf
from tests.outbox_smtp import SmtpServer

SITE = "Gym at Jefferson Middle School"


def lockdown(
    steady, school: str = "Roosevelt High School", kind: str = "lockdown", drill: bool = False
) -> str:
    return steady.open_incident(
        title="Lockdown: police activity nearby", kind=kind, severity=2, schools=[school],
        actor=LEAD, drill=drill,
    ).reference  # fmt: skip


@pytest.fixture
def world(database_url: str) -> Iterator:
    with signed_in_app(database_url) as world:
        state = world.client.app.state
        seed_demo_roster(state.rosters)
        world.ref = lockdown(state.steady)
        yield world


def student(world, name: str) -> str:
    found = world.client.get(
        f"/api/v1/incidents/{world.ref}/reunification/students",
        params={"q": name},
        headers=world.headers["k.okafor"],
    )
    assert found.status_code == 200, found.text
    [one] = found.json()["students"]
    return one["student"]


def post(world, user: str, path: str, body: dict | None = None):
    return world.client.post(
        f"/api/v1/incidents/{world.ref}/reunification{path}",
        json=body if body is not None else {},
        headers=world.headers[user],
    )


def test_stations_through_the_api_release_once_and_stop_for_a_lead(world):
    opened = post(world, "k.okafor", "", {"place": SITE})
    assert opened.status_code == 201, opened.text
    assert opened.json()["counts"] == {
        "reunified": 0, "students_waiting": 0, "guardians_waiting": 0, "stopped": 0
    }  # fmt: skip
    ben = student(world, "ben hollis")
    bruno = {"guardian_name": "Bruno Hollis", "id_shown": "Licence", "students": [ben]}
    checked = post(world, "k.okafor", "/check-ins", bruno)
    assert checked.status_code == 201, checked.text
    [case] = checked.json()["cases"]
    number = case["number"]
    verified = post(world, "k.okafor", f"/cases/{number}/verification", {"id_matches": True})
    assert verified.json()["status"] == "verified", verified.text
    assert post(world, "k.okafor", f"/cases/{number}/fetched").json()["status"] == "fetched"
    released = post(world, "k.okafor", f"/cases/{number}/answer", {"comfortable": True})
    assert released.json()["status"] == "released"
    assert [s["what"] for s in released.json()["steps"]] == [
        "checked_in", "verified", "fetched", "asked", "released"
    ]  # fmt: skip
    assert {s["by"] for s in released.json()["steps"]} == {"k.okafor"}

    # A student is released once: checking them in again says when and to whom.
    again = post(world, "k.okafor", "/check-ins", bruno)
    assert again.status_code == 422
    assert "was already released at" in again.text and "to Bruno Hollis" in again.text

    # A custody alert stops the case, however listed the adult: the counselor may not decide.
    hugo = student(world, "hugo zeller")
    [alert] = post(world, "k.okafor", "/check-ins",
                   {"guardian_name": "Hector Zeller", "id_shown": "Licence", "students": [hugo]},
                   ).json()["cases"]  # fmt: skip
    stopped = post(
        world, "k.okafor", f"/cases/{alert['number']}/verification", {"id_matches": True}
    )
    assert stopped.json()["status"] == "stopped"
    assert stopped.json()["stop_reasons"] == ["custody_alert"]
    refused = post(world, "k.okafor", f"/cases/{alert['number']}/decision",
                   {"release": True, "reason": "I know him"})  # fmt: skip
    assert refused.status_code == 403 and "a crisis lead or the school's principal" in refused.text
    decided = post(world, "m.alvarez", f"/cases/{alert['number']}/decision",
                   {"release": True, "reason": "Court order seen: father may collect"})  # fmt: skip
    assert decided.json()["status"] == "verified", decided.text

    # An adult not listed as a guardian stops the case; a lead refuses.
    cleo = student(world, "cleo oakes")
    [unlisted] = post(world, "k.okafor", "/check-ins",
                      {"guardian_name": "Uncle Bob", "id_shown": "Licence", "students": [cleo]},
                      ).json()["cases"]  # fmt: skip
    not_listed = post(world, "k.okafor", f"/cases/{unlisted['number']}/verification",
                      {"id_matches": True})  # fmt: skip
    assert not_listed.json()["stop_reasons"] == ["not_listed"]
    state = world.client.get(f"/api/v1/incidents/{world.ref}/reunification",
                             headers=world.headers["a.kim"]).json()  # fmt: skip
    assert state["counts"] == {
        "reunified": 1, "students_waiting": 2, "guardians_waiting": 2, "stopped": 1
    }  # fmt: skip
    post(world, "m.alvarez", f"/cases/{unlisted['number']}/decision",
         {"release": False, "reason": "Not on the card; mother reached by phone"})  # fmt: skip
    reunifications = world.client.app.state.reunifications
    assert reunifications.counts(world.ref).stopped == 0
    # Once the incident is closed, its stations take nothing more.
    world.client.app.state.steady.close_incident(world.ref, "All students home.", actor=LEAD)
    closed = post(world, "k.okafor", f"/cases/{alert['number']}/fetched")
    assert closed.status_code == 422 and "is closed, and its reunification with it" in closed.text
    assert reunifications.last_reunified_at(world.ref) == datetime.fromisoformat(
        released.json()["released_at"]
    )


def test_who_may_see_run_and_decide(world):
    assert post(world, "m.alvarez", "", {"place": SITE}).status_code == 201
    path = f"/api/v1/incidents/{world.ref}/reunification"
    get = world.client.get
    assert get(path, headers=world.headers["a.kim"]).status_code == 200  # auditor reads
    assert get(path, headers=world.headers["r.patel"]).status_code == 200  # district leader
    # A partner never: not even that the incident (unshared with them) exists.
    assert get(path, headers=world.headers["j.brooks"]).status_code == 404
    assert get(path, headers=world.headers["d.harris"]).status_code == 404
    assert get(path, headers=world.headers["d.chen"]).status_code == 404  # another school's
    assert get(path, headers=world.headers["t.santos"]).status_code == 403  # help desk
    body = {"guardian_name": "Bruno Hollis", "id_shown": "Licence", "students": ["P-0001"]}
    assert post(world, "a.kim", "/check-ins", body).status_code == 403  # auditors only read
    page = get(f"/incidents/{world.ref}/reunification", headers=world.headers["j.brooks"])
    assert page.status_code == 404 and SITE not in page.text
    # Shared with the partner's organisation, the incident is theirs to see: reunification not.
    world.client.app.state.steady.share_incident(
        world.ref, "eastside-counseling", "Eastside Counseling", actor=LEAD
    )
    assert get(path, headers=world.headers["j.brooks"]).status_code == 403


def test_only_the_kinds_that_send_students_home_open_it(world):
    state = world.client.app.state
    world.ref = lockdown(state.steady, kind="community-violence")
    refused = post(world, "m.alvarez", "", {"place": SITE})
    assert refused.status_code == 422 and "not on one of kind 'community-violence'" in refused.text
    world.ref = lockdown(state.steady, kind="evacuation")
    assert post(world, "m.alvarez", "", {"place": SITE}).status_code == 201
    assert post(world, "m.alvarez", "", {"place": SITE}).status_code == 422  # open already


def test_the_stations_pages_take_a_family_through_and_show_the_counts(world):
    client = world.client
    world.sign_in(client, "m.alvarez")
    base = f"/incidents/{world.ref}/reunification"
    overview = client.get(base)
    assert overview.status_code == 200 and "Reunification is not open" in overview.text
    opened = client.post(f"{base}/open", data={"place": SITE, "_csrf_token": csrf(overview.text)})
    assert opened.status_code == 200 and f"Reunification is open at {SITE}" in opened.text
    search = client.get(f"{base}/check-in", params={"q": "Dunmore"})
    assert "Elif Dunmore" in search.text
    elif_ref = student(world, "elif dunmore")
    checked = client.post(f"{base}/check-ins", data={
        "name": "Edith Dunmore", "id_shown": "Passport", "students": elif_ref,
        "_csrf_token": csrf(search.text)})  # fmt: skip
    assert "Checked in: case C-1" in checked.text
    checker = client.get(f"{base}/checker")
    assert "Edith Dunmore" in checker.text and "Guardians on the roster" in checker.text
    token = {"_csrf_token": csrf(checker.text)}
    verified = client.post(f"{base}/cases/C-1/verify", data={"id_matches": "yes", **token})
    assert "Case C-1 verified" in verified.text
    client.post(f"{base}/cases/C-1/fetch", data=token)
    released = client.post(f"{base}/cases/C-1/ask", data={"comfortable": "yes", **token})
    assert "Case C-1: released" in released.text
    live = client.get(f"{base}/live")
    assert '<dd id="count-reunified">1</dd>' in live.text
    # A second release of the same student is refused on the page, saying to whom.
    again = client.post(f"{base}/check-ins", data={
        "name": "Someone Else", "id_shown": "Licence", "students": elif_ref, **token})  # fmt: skip
    assert again.status_code == 422 and "to Edith Dunmore" in again.text


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_families_get_updates_in_their_language_and_a_last_one_once_picked_up(database_url, smtp):
    settings = Settings(
        database_url=database_url, smtp_url=smtp.url, reunification_update_minutes=20
    )
    clock = Clock(datetime(2026, 12, 4, 16, 0, tzinfo=UTC))
    steady = open_steady(settings, clock=clock)
    try:
        accounts = Accounts(steady, hasher=FAST_HASHER)
        seed_demo_accounts(accounts)
        parts = assemble(steady, settings, accounts=accounts)
        seed_demo_roster(parts.rosters)
        ref = lockdown(steady)
        reunify = parts.reunifications
        reunify.open(ref, SITE, LEAD)
        reminders = parts.reminders
        assert reminders is not None

        def run() -> None:
            asyncio.run(reminders.run_once(clock()))

        run()
        bruno = smtp.inbox.to("bruno.hollis@family.example")
        assert [str(m["Subject"]) for m in bruno] == [
            "Roosevelt High School: family reunification is under way"
        ]
        text = bruno[0].get_content()
        assert SITE in text and "bring a photo ID" in text
        assert "Ben Hollis is safe and waiting" in text and "Cleo" not in text  # only theirs
        edith = smtp.inbox.to("edith.dunmore@family.example")  # the roster says Spanish
        assert str(edith[0]["Subject"]) == (
            "Roosevelt High School: la reunificación familiar está en curso"
        )
        assert "identificación con foto" in edith[0].get_content()
        before = len(smtp.inbox.received)
        run()  # the same update is not sent twice
        assert len(smtp.inbox.received) == before

        ben = reunify.search(ref, "Ben Hollis")[0].person_ref
        [case] = reunify.check_in(
            ref, "Bruno Hollis", "Licence", [ben], Actor("k.okafor", "responder")
        )
        reunify.verify(ref, case, id_matches=True, actor=LEAD)
        reunify.fetch(ref, case, LEAD)
        reunify.ask(ref, case, comfortable=True, actor=LEAD)
        clock.now += timedelta(minutes=1)
        run()
        last = smtp.inbox.to("bruno.hollis@family.example", "Roosevelt High School: your student")
        assert len(last) == 1 and "Ben Hollis was picked up at 10:00" in last[0].get_content()
        assert len(smtp.inbox.received) == before + 1  # no one else heard, no one twice
        clock.now += timedelta(minutes=20)
        run()  # the next update: every family still waiting, not Bruno's
        assert len(smtp.inbox.to("bruno.hollis@family.example")) == 2
        assert len(smtp.inbox.to("carla.oakes@family.example")) == 2
    finally:
        steady.close()


def test_names_at_the_stations_are_not_stored_in_clear_text(world, database_url):
    from tests.integration.test_privacy_at_rest import all_stored_bytes

    post(world, "m.alvarez", "", {"place": SITE})
    ben = student(world, "ben hollis")
    body = {
        "guardian_name": "Wilhelmina Quarrington",
        "id_shown": "Passport 99X",
        "students": [ben],
    }
    [case] = post(world, "k.okafor", "/check-ins", body).json()["cases"]
    post(world, "k.okafor", f"/cases/{case['number']}/verification", {"id_matches": True})
    post(world, "m.alvarez", f"/cases/{case['number']}/decision",
         {"release": False, "reason": "Quarrington is not on the card"})  # fmt: skip
    stored = all_stored_bytes(database_url, uuid4())
    assert b"reunification" in stored.lower()  # the stream is there, by its topics
    for secret in (b"Quarrington", b"Passport 99X", SITE.encode(), b"Ben Hollis"):
        assert secret not in stored


def test_a_drills_families_are_told_it_is_a_drill_first(database_url, smtp):
    settings = Settings(database_url=database_url, smtp_url=smtp.url)
    clock = Clock(datetime(2026, 12, 4, 16, 0, tzinfo=UTC))
    steady = open_steady(settings, clock=clock)
    try:
        accounts = Accounts(steady, hasher=FAST_HASHER)
        seed_demo_accounts(accounts)
        parts = assemble(steady, settings, accounts=accounts)
        seed_demo_roster(parts.rosters)
        parts.reunifications.open(lockdown(steady, drill=True), SITE, LEAD)
        assert parts.reminders is not None
        asyncio.run(parts.reminders.run_once(clock()))
        [bruno] = smtp.inbox.to("bruno.hollis@family.example")
        assert str(bruno["Subject"]) == (
            "DRILL: Roosevelt High School: family reunification is under way"
        )
        assert bruno.get_content().startswith("DRILL: this is a practice")
        [edith] = smtp.inbox.to("edith.dunmore@family.example")
        assert str(edith["Subject"]).startswith("SIMULACRO: ")
    finally:
        steady.close()
