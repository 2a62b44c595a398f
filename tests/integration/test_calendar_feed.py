"""The private calendar feed and the email address, through the HTTP API and the pages, on real
SQLite and PostgreSQL: the feed parses as iCalendar and holds the person's due tasks (in
pseudonyms and references only) in the form calendar applications subscribe to; revoking it
makes its address 404 at once, in this process and in another on the same store.

The demo accounts: k.okafor is the counselor of Roosevelt High School, m.alvarez a crisis lead,
d.chen the principal of Jefferson Middle School."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from litestar.testing import TestClient

from service.bootstrap import open_steady
from service.config import Settings
from tests.builders import SignedIn, signed_in_app
from web.app import create_app

NOW = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # Mon 23 Nov 2026, 14:00 in Chicago
TITLE = "Fight near the gym"


@pytest.fixture
def world(database_url: str) -> Iterator[SignedIn]:
    with signed_in_app(database_url, clock=lambda: NOW) as signed:
        yield signed


def _incident_with_tasks(world: SignedIn) -> tuple[str, dict[str, str]]:
    lead = world.headers["m.alvarez"]
    opened = world.client.post(
        "/api/v1/incidents",
        json={
            "title": TITLE,
            "kind": "threat",
            "severity": 2,
            "schools": ["Roosevelt High School"],
        },
        headers=lead,
    )
    assert opened.status_code == 201, opened.text
    ref = opened.json()["reference"]
    tasks = {}
    for title, due in (
        ("Check on the students who saw it", (NOW + timedelta(days=2)).isoformat()),
        ("Call the families", (NOW - timedelta(hours=3)).isoformat()),
        ("Write up what happened", None),
    ):
        body = {"title": title, "owner_role": "counselor", "due_at": due}
        added = world.client.post(f"/api/v1/incidents/{ref}/tasks", json=body, headers=lead)
        assert added.status_code == 201, added.text
        tasks[title] = added.json()["task_id"]
    return ref, tasks


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_feed_holds_the_persons_due_tasks_as_calendars_read_them(world):
    ref, tasks = _incident_with_tasks(world)
    made = world.client.post("/api/v1/me/calendar-feed", headers=world.headers["k.okafor"])
    assert made.status_code == 201, made.text
    path = _path(made.json()["url"])
    assert path.startswith("/calendar/") and path.endswith(".ics")

    first = world.client.get(path)  # no sign-in: the secret in the address is the credential
    assert first.status_code == 200, first.text
    assert first.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(first.content)
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Steady: your work"
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    check = f"{ref} {tasks['Check on the students who saw it']} Check on the students who saw it"
    call = f"{ref} {tasks['Call the families']} Call the families"
    assert set(events) == {check, call}  # the task with no due time is not in a calendar
    event = events[check]
    assert event.decoded("DTSTART") == NOW + timedelta(days=2)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)  # UTC: no VTIMEZONE needed
    assert event.decoded("DTSTAMP") == NOW
    assert str(event["URL"]).endswith(
        f"/incidents/{ref}#task-{tasks['Check on the students who saw it']}"
    )
    assert TITLE.encode() not in first.content

    again = Calendar.from_ical(world.client.get(path).content)
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == {
        str(e["UID"]) for e in events.values()
    }  # the same items keep their UIDs: a calendar updates them rather than doubling them

    # Someone else's feed holds their own work: the principal of another school has none here.
    other = world.client.post("/api/v1/me/calendar-feed", headers=world.headers["d.chen"])
    theirs = Calendar.from_ical(world.client.get(_path(other.json()["url"])).content)
    assert list(theirs.walk("VEVENT")) == []


def test_a_revoked_or_replaced_feed_is_404_at_once_in_every_process(world, database_url):
    _incident_with_tasks(world)
    headers = world.headers["k.okafor"]
    old = _path(world.client.post("/api/v1/me/calendar-feed", headers=headers).json()["url"])
    new = _path(world.client.post("/api/v1/me/calendar-feed", headers=headers).json()["url"])
    assert world.client.get(old).status_code == 404  # replaced by the new one
    assert world.client.get(new).status_code == 200
    steady = open_steady(Settings(database_url=database_url))
    with TestClient(create_app(steady, Settings(database_url=database_url))) as elsewhere:
        assert elsewhere.get(new).status_code == 200
        revoked = world.client.delete("/api/v1/me/calendar-feed", headers=headers)
        assert revoked.status_code == 200, revoked.text
        assert world.client.get(new).status_code == 404
        assert elsewhere.get(new).status_code == 404
    again = world.client.delete("/api/v1/me/calendar-feed", headers=headers)
    assert again.status_code == 422
    assert again.json()["error"] == "you have no calendar feed to revoke; make one first"
    assert world.client.get("/calendar/not-a-feed.ics").status_code == 404


def test_people_set_their_own_email_and_admins_set_anyones(world):
    mine = world.client.put(
        "/api/v1/me/email",
        json={"email": "Kemi.Okafor@Riverside.Example"},
        headers=world.headers["k.okafor"],
    )
    assert mine.status_code == 200, mine.text
    assert mine.json()["email"] == "Kemi.Okafor@riverside.example"
    wrong = world.client.put(
        "/api/v1/me/email", json={"email": "kemi at riverside"}, headers=world.headers["k.okafor"]
    )
    assert wrong.status_code == 400
    assert "'kemi at riverside' is not an email address" in wrong.json()["error"]
    assert world.accounts.account("k.okafor").email == "Kemi.Okafor@riverside.example"
    changes = world.client.get(
        "/api/v1/audit/account-changes?account=k.okafor&limit=1000", headers=world.headers["a.kim"]
    ).json()["changes"]
    assert changes[-1]["summary"] == (
        "k.okafor (counselor) set the email address of k.okafor to Kemi.Okafor@riverside.example"
    )

    # An admin sets anyone's, over the API or on the account's page; empty removes it.
    removed = world.client.put(
        "/api/v1/accounts/d.chen/email", json={"email": ""}, headers=world.headers["admin"]
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["email"] == ""
    refused = world.client.put(
        "/api/v1/accounts/d.chen/email",
        json={"email": "d.chen@riverside.example"},
        headers=world.headers["k.okafor"],
    )
    assert refused.status_code == 403
    world.sign_in(world.client, "admin")
    page = world.client.post(
        "/admin/accounts/d.chen/email",
        data={
            "email": "david.chen@riverside.example",
            "_csrf_token": world.client.cookies.get("csrftoken", ""),
        },
    )
    assert page.status_code == 200, page.text
    assert "Steady emails d.chen at david.chen@riverside.example." in page.text
    assert world.accounts.account("d.chen").email == "david.chen@riverside.example"


def test_the_account_page_sets_the_email_and_shows_a_new_feed_address_once(world):
    browser = world.client
    world.sign_in(browser, "k.okafor")
    page = browser.get("/account")
    assert page.status_code == 200
    assert 'value="k.okafor@riverside.example"' in page.text  # the demo's address
    assert "You have no calendar feed." in page.text

    def post(path: str, **data: str):
        return browser.post(
            path, data={**data, "_csrf_token": browser.cookies.get("csrftoken", "")}
        )

    refused = post("/account/email", email="kemi@")
    assert refused.status_code == 400
    assert "&#39;kemi@&#39; is not an email address" in refused.text
    saved = post("/account/email", email="kemi.okafor@riverside.example")
    assert "Steady emails you at kemi.okafor@riverside.example." in saved.text

    made = post("/account/calendar-feed")
    assert made.status_code == 200
    shown = made.text.split('<code id="feed-url">')[1].split("</code>")[0]
    path = _path(shown)
    assert world.client.get(path).status_code == 200
    later = browser.get("/account")
    assert "You have a calendar feed, made" in later.text
    assert path not in later.text  # shown once: Steady keeps only its digest
    revoked = post("/account/calendar-feed/revoke")
    assert "Revoked your calendar feed: its address stops working." in revoked.text
    assert world.client.get(path).status_code == 404
