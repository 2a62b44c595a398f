"""The school calendars through the API, the incident page and the `steady calendar` command,
on real SQLite and PostgreSQL stores: admins import, leads, district leaders and auditors read,
everyone else is refused, and the incident page says which calendar its due dates count on."""

import json
from collections.abc import Iterator

import pytest

from service.demo.calendar import DEMO_CALENDAR
from tests.builders import SignedIn, signed_in_app
from tests.cli_runs import steady as run_steady

ICS = DEMO_CALENDAR.read_text(encoding="utf-8")
INCIDENT = {
    "title": "Death of a student",
    "kind": "death",
    "severity": 2,
    "schools": ["Lincoln Elementary"],
}


@pytest.fixture
def world(database_url: str) -> Iterator[SignedIn]:
    with signed_in_app(database_url) as signed:
        yield signed


def test_an_admin_imports_the_district_calendar_and_others_read_it(world: SignedIn):
    client, headers = world.client, world.headers
    before = client.get("/api/v1/calendars/district", headers=headers["m.alvarez"]).json()
    assert before["own"] is False
    assert before["description"].startswith("No school calendar is loaded")

    answer = client.put("/api/v1/calendars/district", json={"ics": ICS}, headers=headers["admin"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == "Riverside USD 2026-27 calendar"
    assert answer.json()["school_years"][0] == {
        "first_day": "2026-08-17",
        "last_day": "2027-05-28",
    }
    for reader in ("m.alvarez", "r.patel", "a.kim"):
        shown = client.get("/api/v1/calendars/district", headers=headers[reader]).json()
        assert shown["own"] is True and shown["imported_by"] == "admin"
        assert "2026-12-24" in shown["days_without_school"]
    school = client.get(
        "/api/v1/calendars/schools/lincoln-elementary", headers=headers["r.patel"]
    ).json()
    assert school["own"] is False
    assert school["description"].startswith("Riverside USD 2026-27 calendar (the district's")


@pytest.mark.parametrize("username", ["m.alvarez", "r.patel", "k.okafor", "j.brooks", "a.kim"])
def test_only_admins_import(world: SignedIn, username: str):
    answer = world.client.put(
        "/api/v1/calendars/district", json={"ics": ICS}, headers=world.headers[username]
    )
    assert answer.status_code == 403
    shown = world.client.get("/api/v1/calendars/district", headers=world.headers["a.kim"])
    assert shown.json()["own"] is False  # nothing was imported


@pytest.mark.parametrize("username", ["k.okafor", "j.brooks"])
def test_responders_and_partners_do_not_read_the_calendar_api(world: SignedIn, username: str):
    answer = world.client.get("/api/v1/calendars/district", headers=world.headers[username])
    assert answer.status_code == 403


def test_refusals_say_what_to_fix(world: SignedIn):
    client, admin = world.client, world.headers["admin"]
    bad = client.put("/api/v1/calendars/district", json={"ics": "Thanksgiving"}, headers=admin)
    assert bad.status_code == 422
    assert "not an iCalendar file" in bad.json()["error"]
    neither = client.put("/api/v1/calendars/district", json={}, headers=admin)
    assert neither.status_code == 422  # valid by the document: neither field is required
    assert "`ics`" in neither.json()["error"] and neither.json()["field"] == "ics"
    unknown = client.put("/api/v1/calendars/schools/hillside", json={"ics": ICS}, headers=admin)
    assert unknown.status_code == 404
    assert "there is no school 'hillside'" in unknown.json()["error"]


def test_the_incident_page_says_which_calendar_due_dates_count_on(world: SignedIn):
    client, headers = world.client, world.headers
    ref = client.post("/api/v1/incidents", json=INCIDENT, headers=headers["m.alvarez"]).json()[
        "reference"
    ]
    page = client.get(f"/incidents/{ref}", headers=headers["m.alvarez"])
    assert "No school calendar is loaded: school days are Monday to Friday." in page.text
    client.put("/api/v1/calendars/district", json={"ics": ICS}, headers=headers["admin"])
    page = client.get(f"/incidents/{ref}", headers=headers["m.alvarez"])
    assert "Due dates count school days on Riverside USD 2026-27 calendar." in page.text


def test_the_calendar_command_imports_and_shows(database_url: str, tmp_path):
    assert run_steady(database_url, "orgs", "list").returncode == 0
    added = run_steady(
        database_url, "orgs", "add", "lincoln-elementary", "--name", "Lincoln", "--kind", "school"
    )
    assert added.returncode == 0, added.stderr
    imported = run_steady(database_url, "calendar", "import", str(DEMO_CALENDAR))
    assert imported.returncode == 0, imported.stderr
    assert "Imported Riverside USD 2026-27 calendar for the district" in imported.stdout
    shown = json.loads(run_steady(database_url, "calendar", "show", "--json").stdout)
    assert shown["next_school_year_starts"] is not None
    assert shown["source"] == DEMO_CALENDAR.name and shown["imported_by"].startswith("cli")
    school = run_steady(database_url, "calendar", "show", "--school", "lincoln-elementary")
    assert "the district's: lincoln-elementary has no calendar of its own" in school.stdout

    not_ics = tmp_path / "dates.csv"
    not_ics.write_text("2026-11-26,Thanksgiving\n")
    refused = run_steady(database_url, "calendar", "import", str(not_ics))
    assert refused.returncode == 1
    assert "steady: this is not an iCalendar file" in refused.stderr
    missing = run_steady(database_url, "calendar", "import", str(tmp_path / "none.ics"))
    assert missing.returncode == 1 and "there is no file" in missing.stderr


def test_the_demo_loads_its_calendar_once(sqlite_url: str):
    assert run_steady(sqlite_url, "demo").returncode == 0
    shown = json.loads(run_steady(sqlite_url, "calendar", "show", "--json").stdout)
    assert shown["description"] == "Riverside USD 2026-27 calendar"
    assert shown["school_years"] == [
        {"first_day": "2026-08-17", "last_day": "2027-05-28"},
        {"first_day": "2027-08-16", "last_day": None},
    ]
    assert run_steady(sqlite_url, "demo").returncode == 0
    again = json.loads(run_steady(sqlite_url, "calendar", "show", "--json").stdout)
    assert again["imports"] == 1  # seeding again imports nothing
