"""Who viewed an incident, through the web app on real SQLite and PostgreSQL stores: views are
recorded where people see an incident, once per window however often a page refreshes, listed
for auditors only, and kept out of the incident's record, its feed and its integrity check."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from service.bootstrap import open_steady
from service.config import Settings
from service.demo.accounts import DEMO_ACCOUNTS
from service.incidents.application import Steady
from service.views_log.recording import VIEWED_TOPIC, Viewer, ViewLog
from tests.builders import LEAD, SignedIn, signed_in_app
from tests.integration.test_tamper import Rows

AUDITOR = "a.kim"
COUNSELOR = "k.okafor"
START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ORGANISATION_OF = {demo.username: demo.organisation for demo in DEMO_ACCOUNTS}


class Clock:
    def __init__(self) -> None:
        self.now = START + timedelta(minutes=1)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(database_url) -> Iterator[SignedIn]:
    """The app with the demo accounts and one incident with a note; the view log's clock is
    the test's, so refreshes fall in the window the test says."""
    with signed_in_app(database_url) as signed:
        steady: Steady = signed.client.app.state.steady
        signed.ref = steady.open_incident(
            title="Lockdown after a report of a weapon",
            kind="lockdown",
            severity=1,
            schools=["Roosevelt High School"],
            actor=LEAD,
        ).reference
        steady.add_note(signed.ref, "Police on site", actor=LEAD)
        signed.client.app.state.viewing.clock = Clock()
        yield signed


def get(world: SignedIn, username: str, path: str, **params) -> object:
    response = world.client.get(path, headers=world.headers[username], params=params)
    assert response.status_code == 200, (path, response.text[:300])
    return response


def views(world: SignedIn, **filters) -> list[dict]:
    path = f"/api/v1/incidents/{world.ref}/views"
    return get(world, AUDITOR, path, **filters).json()["views"]


def test_a_responder_viewing_the_page_and_api_is_listed_once_per_surface(world):
    clock = world.client.app.state.viewing.clock
    first = clock.now
    for _ in range(3):  # the page fetching itself again on every change of the board
        get(world, COUNSELOR, f"/incidents/{world.ref}")
        clock.now += timedelta(minutes=4)
    get(world, COUNSELOR, f"/api/v1/incidents/{world.ref}")
    get(world, COUNSELOR, f"/api/v1/incidents/{world.ref}/events")
    listed = views(world)
    assert [(v["person"], v["surface"]) for v in listed] == [
        (COUNSELOR, "api"),
        (COUNSELOR, "page"),
    ]
    page = listed[1]
    assert page["role"] == "counselor" and page["roles"] == ["responder"]
    assert page["organisation"] == ORGANISATION_OF[COUNSELOR]
    assert datetime.fromisoformat(page["at"]) == first
    assert page["window"] == {
        "start": START.isoformat(),
        "end": (START + timedelta(minutes=15)).isoformat(),
    }

    clock.now = START + timedelta(minutes=15)  # the next window: one more
    get(world, COUNSELOR, f"/incidents/{world.ref}")
    assert [v["surface"] for v in views(world, person=COUNSELOR)] == ["page", "api", "page"]


def test_every_surface_that_shows_the_incident_is_recorded(world):
    ref = world.ref
    for path, params in [
        (f"/incidents/{ref}/timeline", {}),
        (f"/api/v1/incidents/{ref}/timeline", {}),
        (f"/api/v1/incidents/{ref}/timeline.csv", {}),
        (f"/incidents/{ref}/replay", {"version": "1"}),
        (f"/api/v1/incidents/{ref}/state", {"version": "1"}),
        (f"/api/v1/incidents/{ref}/diff", {"from": "1", "to": "2"}),
        (f"/incidents/{ref}/report", {}),
        (f"/api/v1/incidents/{ref}/export", {}),
        (f"/api/v1/incidents/{ref}/state", {}),
    ]:
        get(world, "r.patel", path, **params)
    # Not views of the incident: the board, its card, the global feed, the integrity check.
    for path in (
        "/",
        f"/incidents/{ref}/card",
        "/api/v1/events",
        f"/api/v1/incidents/{ref}/verify",
    ):
        get(world, AUDITOR, path)
    listed = views(world)
    assert {v["person"] for v in listed} == {"r.patel"}
    assert sorted(v["surface"] for v in listed) == ["api", "export", "replay", "report", "timeline"]
    assert [v["surface"] for v in views(world, surface="replay")] == ["replay"]
    assert views(world, role="district-leader") == listed
    assert views(world, person=COUNSELOR) == []


def test_only_auditors_may_list_who_viewed(world):
    for demo in DEMO_ACCOUNTS:
        headers = world.headers[demo.username]
        api = world.client.get(f"/api/v1/incidents/{world.ref}/views", headers=headers)
        page = world.client.get(f"/incidents/{world.ref}/views", headers=headers)
        want = {"auditor": 200, "partner": 404}.get(demo.role, 403)
        if demo.role == "responder" and demo.username != COUNSELOR:
            want = 404  # another school's incident: to them it does not exist
        assert (api.status_code, page.status_code) == (want, want), demo.username
        if want == 403:
            assert "may not see who viewed an incident" in api.json()["error"]
    unknown = world.client.get(
        "/api/v1/incidents/INC-2026-9999/views", headers=world.headers[AUDITOR]
    )
    assert unknown.status_code == 404 and "no incident INC-2026-9999" in unknown.json()["error"]
    page = world.client.get("/incidents/INC-2026-9999/views", headers=world.headers[AUDITOR])
    assert page.status_code == 404


def test_the_page_lists_who_viewed_and_the_history_pages_link_to_it_for_auditors(world):
    get(world, COUNSELOR, f"/incidents/{world.ref}")
    get(world, "r.patel", f"/api/v1/incidents/{world.ref}/export")
    page = get(world, AUDITOR, f"/incidents/{world.ref}/views").text
    assert "Who viewed this incident" in page and "2 views" in page
    assert COUNSELOR in page and "Incident page" in page and "Export" in page
    assert "Lockdown after a report of a weapon" in page
    filtered = get(world, AUDITOR, f"/incidents/{world.ref}/views", surface="export").text
    assert "1 of 2 views match" in filtered and COUNSELOR not in filtered.split('id="views"')[1]
    refused = world.client.get(
        f"/incidents/{world.ref}/views", params={"surface": "card"}, headers=world.headers[AUDITOR]
    )
    assert refused.status_code == 422 and "no surface called" in refused.text

    link = f'href="/incidents/{world.ref}/views"'
    assert link in get(world, AUDITOR, f"/incidents/{world.ref}/timeline").text
    assert link not in get(world, "r.patel", f"/incidents/{world.ref}/timeline").text


def test_views_stay_out_of_the_timeline_export_feed_and_verify(world):
    before = {
        "timeline": get(world, AUDITOR, f"/api/v1/incidents/{world.ref}/timeline").json(),
        "events": get(world, AUDITOR, f"/api/v1/incidents/{world.ref}/events").json(),
    }
    for username in ("m.alvarez", COUNSELOR, "r.patel"):
        get(world, username, f"/incidents/{world.ref}")
        get(world, username, f"/api/v1/incidents/{world.ref}")
    assert len(views(world)) == 8  # three people on the page and the API; the auditor's two
    assert (
        get(world, AUDITOR, f"/api/v1/incidents/{world.ref}/timeline").json()
        == (before["timeline"])
    )
    assert get(world, AUDITOR, f"/api/v1/incidents/{world.ref}/events").json() == before["events"]
    export = get(world, AUDITOR, f"/api/v1/incidents/{world.ref}/export").json()
    assert export["event_count"] == 2
    assert {e["type"] for e in export["events"]} == {"incident_opened", "note_added"}
    feed = get(world, AUDITOR, "/api/v1/events").json()["events"]
    assert [e["type"] for e in feed] == ["incident_opened", "note_added"]
    check = get(world, AUDITOR, f"/api/v1/incidents/{world.ref}/verify").json()
    assert check["intact"] and check["events"] == 2
    every = get(world, AUDITOR, "/api/v1/verify").json()
    assert every["intact"] and [c["incident"]["reference"] for c in every["incidents"]] == [
        world.ref
    ]


def test_who_viewed_is_encrypted_at_rest_like_every_event(world, database_url):
    get(world, COUNSELOR, f"/incidents/{world.ref}")
    assert len(views(world)) == 1
    rows = Rows(database_url, world.client.app.state.steady.find(world.ref))
    try:
        stored = rows.run("SELECT originator_id, state FROM {table} WHERE topic = ?", VIEWED_TOPIC)
    finally:
        rows.close()
    assert len(stored) == 1
    for clear in (COUNSELOR, "okafor", "counselor", ORGANISATION_OF[COUNSELOR]):
        assert clear.encode() not in bytes(stored[0][1]) and clear not in str(stored[0][0])


def test_a_failing_view_log_never_keeps_anyone_from_the_incident(world, caplog):
    viewlog: ViewLog = world.client.app.state.viewing

    def broken(pending: list) -> None:
        raise OSError("the store refused the write")

    viewlog._save = broken  # type: ignore[method-assign]
    page = get(world, COUNSELOR, f"/incidents/{world.ref}")
    assert "Police on site" in page.text
    assert viewlog.flush()
    assert f"could not record 1 view(s) of {world.ref}" in caplog.text
    del viewlog._save  # the store is back: the next view in the same window is recorded
    get(world, COUNSELOR, f"/incidents/{world.ref}")
    assert [v["person"] for v in views(world)] == [COUNSELOR]


def test_concurrent_viewers_and_a_second_process_lose_and_double_nothing(database_url):
    settings = Settings(database_url=database_url)
    one, two = open_steady(settings), open_steady(settings)
    ref = one.open_incident(
        title="Evacuation", kind="lockdown", severity=2, schools=["Lincoln Elementary"], actor=LEAD
    ).reference
    clock = Clock()
    first, second = ViewLog(one, clock=clock, batch=3), ViewLog(two, clock=clock, batch=3)
    people = [
        Viewer(f"staff.{n}", "teacher", ("responder",), "lincoln-elementary") for n in range(30)
    ]
    try:
        for person in people:  # every person seen by both processes in the same window
            assert first.record(person, ref, "page") and second.record(person, ref, "page")
        first.close()
        second.close()
        listed = ViewLog(one).viewings(ref).views
        assert sorted(v.user for v in listed) == sorted(p.user for p in people)
    finally:
        one.close()
        two.close()
