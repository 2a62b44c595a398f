"""Partners reached the way a playbook says, over real SQLite and PostgreSQL: an admin lets a
partner stand in for a playbook role (API, admin page, CLI); applying a playbook then assigns
that role's tasks to the partner and shares the incident with it, in the playbook's own save;
the partner's people see exactly those tasks; and assignment takes only who exists."""

import argparse
import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from domain.errors import DomainError
from service.cli.accounts import add_commands
from service.config import Settings
from tests.builders import SignedIn, signed_in_app

EASTSIDE = "eastside-counseling"
ROLE = "partner-mental-health"
ORGS = "/api/v1/organisations"
DEATH = {
    "title": "Death of a student",
    "kind": "death",
    "severity": 2,
    "schools": ["Jefferson Middle School"],
    "summary": "S-1042's family asked that the cause not be shared",
}


@pytest.fixture
def world(database_url: str) -> Iterator[SignedIn]:
    with signed_in_app(database_url) as signed:
        yield signed


def call(world: SignedIn, who: str, method: str, path: str, body: Any = None) -> Any:
    return world.client.request(method, path, json=body, headers=world.headers[who])


def open_death(world: SignedIn) -> str:
    opened = call(world, "m.alvarez", "POST", "/api/v1/incidents", DEATH)
    assert opened.status_code == 201, opened.text
    return opened.json()["reference"]


def test_an_admin_lets_a_partner_stand_in_and_refusals_say_what_there_is(world):
    stood = call(world, "admin", "POST", f"{ORGS}/{EASTSIDE}/stand-ins", {"role": ROLE})
    assert stood.status_code == 201, stood.text
    assert stood.json()["stands_in"] == [ROLE]
    listed = call(world, "admin", "GET", ORGS).json()["organisations"]
    assert {o["slug"]: o["stands_in"] for o in listed}[EASTSIDE] == [ROLE]

    unknown = call(world, "admin", "POST", f"{ORGS}/{EASTSIDE}/stand-ins", {"role": "grief"})
    assert unknown.status_code == 422
    assert "no playbook has a role 'grief'" in unknown.json()["error"]
    assert "partner-mental-health (Community mental-health partner)" in unknown.json()["error"]
    school = call(world, "admin", "POST", f"{ORGS}/lincoln-elementary/stand-ins", {"role": ROLE})
    assert school.status_code == 422 and "not a partner organisation" in school.json()["error"]
    nowhere = call(world, "admin", "POST", f"{ORGS}/nowhere/stand-ins", {"role": ROLE})
    assert nowhere.status_code == 404

    # A second partner for the same role is refused: which of them would get the tasks?
    call(world, "admin", "POST", ORGS, {"slug": "food-bank", "name": "Food", "kind": "partner"})
    second = call(world, "admin", "POST", f"{ORGS}/food-bank/stand-ins", {"role": ROLE})
    assert second.status_code == 422 and "already stands in" in second.json()["error"]

    for who in ("m.alvarez", "j.brooks", "a.kim"):
        refused = call(world, who, "POST", f"{ORGS}/food-bank/stand-ins", {"role": "counselor"})
        assert refused.status_code == 403, who

    ended = call(world, "admin", "DELETE", f"{ORGS}/{EASTSIDE}/stand-ins/{ROLE}")
    assert ended.status_code == 200 and ended.json()["stands_in"] == []
    assert call(world, "admin", "DELETE", f"{ORGS}/{EASTSIDE}/stand-ins/{ROLE}").status_code == 422
    taken = call(world, "admin", "POST", f"{ORGS}/food-bank/stand-ins", {"role": ROLE})
    assert taken.status_code == 201, taken.text

    changes = call(world, "a.kim", "GET", "/api/v1/audit/account-changes?limit=1000").json()
    said = [c["summary"] for c in changes["changes"] if "stand" in c["type"]]
    assert said == [
        "admin (admin) let eastside-counseling stand in for the playbook role "
        "partner-mental-health",
        "admin (admin) ended eastside-counseling's stand-in for the playbook role "
        "partner-mental-health",
        "admin (admin) let food-bank stand in for the playbook role partner-mental-health",
    ]


def test_applying_a_playbook_gives_the_stand_in_its_tasks_and_the_partner_sees_only_those(world):
    call(world, "admin", "POST", f"{ORGS}/{EASTSIDE}/stand-ins", {"role": ROLE})
    ref = open_death(world)
    base = f"/api/v1/incidents/{ref}"
    note = call(world, "m.alvarez", "POST", base + "/notes", {"text": "District only"})
    before = note.json()["version"]

    applied = call(world, "m.alvarez", "POST", base + "/playbooks",
                   {"playbook_id": "death-of-student-or-staff"})  # fmt: skip
    assert applied.status_code == 201, applied.text
    result = applied.json()
    partner_tasks = result["partner_tasks"][EASTSIDE]
    assert partner_tasks and result["shared_with"] == [EASTSIDE]

    lead_view = call(world, "m.alvarez", "GET", base).json()
    assert [s["organisation"] for s in lead_view["shares"]] == [EASTSIDE]
    mine = [t for t in lead_view["task_list"] if t["assignee"]]
    assert [t["id"] for t in mine] == partner_tasks
    assert {t["owner_role"] for t in mine} == {ROLE}
    assert all(t["assignee"] == {"kind": "partner", "name": EASTSIDE} for t in mine)

    # The lead who applied the playbook did it all, in one save: no one else's event between.
    events = call(world, "m.alvarez", "GET", base + "/events").json()["events"]
    handed = [e for e in events if e["version"] > before]
    assert [e["type"] for e in handed] == [
        "playbook_applied",
        "incident_shared",
        *["task_assigned"] * len(partner_tasks),
    ]
    assert {e["actor"]["user"] for e in handed} == {"m.alvarez"}
    assert result["version"] == handed[-1]["version"]

    seen = call(world, "j.brooks", "GET", base)
    assert seen.status_code == 200, seen.text
    assert [t["id"] for t in seen.json()["task_list"]] == partner_tasks
    assert seen.json()["notes"] == [] and "District only" not in seen.text
    assert DEATH["summary"] not in seen.text and seen.json()["playbooks"] == []
    feed = call(world, "j.brooks", "GET", base + "/events").json()["events"]
    assert [e["type"] for e in feed] == ["incident_shared"] + ["task_assigned"] * len(partner_tasks)
    assert [e["data"]["task_id"] for e in feed[1:]] == partner_tasks
    everything = call(world, "j.brooks", "GET", "/api/v1/events?limit=1000").json()["events"]
    assert [e["type"] for e in everything] == [e["type"] for e in feed]

    # Replay: before the playbook, neither the tasks nor the share; at its version, both.
    then = call(world, "m.alvarez", "GET", f"{base}/state?version={before}").json()
    assert then["shares"] == [] and then["task_list"] == []
    now = call(world, "m.alvarez", "GET", f"{base}/state?version={result['version']}").json()
    assert [s["organisation"] for s in now["shares"]] == [EASTSIDE]
    assert [t["id"] for t in now["task_list"] if t["assignee"]] == partner_tasks

    # Started by the partner: theirs to work on, through the same API.
    started = call(world, "j.brooks", "POST", f"{base}/tasks/{partner_tasks[0]}/status",
                   {"status": "in_progress"})  # fmt: skip
    assert started.status_code == 200, started.text


def test_assignment_takes_only_people_positions_and_partners_that_exist(world):
    ref = open_death(world)
    base = f"/api/v1/incidents/{ref}"
    call(world, "m.alvarez", "POST", base + "/tasks", {"title": "Call", "owner_role": "counselor"})

    def assign(kind: str, name: str) -> Any:
        return call(world, "m.alvarez", "POST", base + "/tasks/T1/assignment",
                    {"kind": kind, "name": name})  # fmt: skip

    nobody = assign("person", "k.okafro")
    assert nobody.status_code == 404
    assert "no one who can take a task called 'k.okafro'" in nobody.json()["error"]
    assert "k.okafor" in nobody.json()["error"] and "j.brooks" not in nobody.json()["error"]
    partner_person = assign("person", "j.brooks")  # reached through their organisation
    assert partner_person.status_code == 404
    position = assign("role", "counsellor")
    assert position.status_code == 404 and "no position 'counsellor'" in position.json()["error"]
    assert "counselor" in position.json()["error"]
    unknown_partner = assign("partner", "the counseling people")
    assert unknown_partner.status_code == 404 and EASTSIDE in unknown_partner.json()["error"]
    assert "steady orgs" not in unknown_partner.json()["error"]

    assert assign("person", "K.Okafor").status_code == 200
    assert assign("role", "school-psychologist").status_code == 200
    assert assign("partner", EASTSIDE).status_code == 200
    task = call(world, "m.alvarez", "GET", base).json()["task_list"][0]
    assert task["assignee"] == {"kind": "partner", "name": EASTSIDE}


def test_the_incident_page_offers_a_choice_of_who_exists_only_to_the_lead(world):
    ref = open_death(world)
    call(world, "m.alvarez", "POST", f"/api/v1/incidents/{ref}/tasks",
         {"title": "Call", "owner_role": "counselor"})  # fmt: skip
    lead = browser_for(world, "m.alvarez")
    page = lead.get(f"/incidents/{ref}").text
    assert '<select id="dialog-assignee"' in page and 'id="dialog-line"' not in page
    assert 'value="k.okafor" data-kind="person">Kemi Okafor (k.okafor)<' in page
    assert 'value="counselor" data-kind="role"' in page
    assert f'value="{EASTSIDE}" data-kind="partner">Eastside Counseling' in page
    assert "(not shared yet)" in page
    assert 'value="j.brooks"' not in page and 'value="admin"' not in page
    counselor = browser_for(world, "k.okafor").get(f"/incidents/{ref}").text
    assert "dialog-assignee" not in counselor and "Kemi Okafor (k.okafor)" not in counselor


def browser_for(world: SignedIn, username: str) -> TestClient:
    browser = TestClient(world.client.app)
    world.sign_in(browser, username)
    return browser


def test_the_admin_page_sets_and_ends_a_stand_in(world):
    browser = browser_for(world, "admin")
    listing = browser.get("/admin/accounts").text
    assert 'id="stand-in-form"' in listing and "No partner stands in" in listing

    def form(**fields: str) -> dict[str, str]:
        return {**fields, "_csrf_token": browser.cookies.get("csrftoken", "")}

    added = browser.post("/admin/organisations/stand-ins", data=form(slug=EASTSIDE, role=ROLE))
    assert added.status_code == 200, added.text
    assert "stands in for Community mental-health partner" in added.text
    refused = browser.post(
        "/admin/organisations/stand-ins", data=form(slug="lincoln-elementary", role=ROLE)
    )
    assert refused.status_code == 422 and "not a partner organisation" in refused.text
    unknown = browser.post("/admin/organisations/stand-ins", data=form(slug=EASTSIDE, role="x"))
    assert unknown.status_code == 422 and "No playbook has a role" in unknown.text
    ended = browser.post("/admin/organisations/stand-ins/end", data=form(slug=EASTSIDE, role=ROLE))
    assert ended.status_code == 200 and "no longer stands in" in ended.text
    assert world.accounts.organisation(EASTSIDE).stands_in == []


def test_the_cli_sets_lists_and_ends_a_stand_in(world, database_url, capsys):
    def run(*argv: str) -> str:
        parser = argparse.ArgumentParser(prog="steady")
        add_commands(parser.add_subparsers())
        args = parser.parse_args(argv)
        args.run(args, Settings(database_url=database_url))
        return capsys.readouterr().out

    assert "eastside-counseling stands in for partner-mental-health" in run(
        "orgs", "stand-in", EASTSIDE, ROLE
    )
    assert "(stands in for partner-mental-health)" in run("orgs", "list")
    listed = json.loads(run("orgs", "list", "--json"))
    assert {o["slug"]: o["stands_in"] for o in listed}[EASTSIDE] == [ROLE]
    with pytest.raises(DomainError, match="no playbook has a role 'grief'"):
        run("orgs", "stand-in", EASTSIDE, "grief")
    with pytest.raises(DomainError, match="not a partner organisation"):
        run("orgs", "stand-in", "riverside-usd", ROLE)
    assert "no longer stands in" in run("orgs", "end-stand-in", EASTSIDE, ROLE)


def test_the_demo_hands_eastside_the_mental_health_tasks_of_its_playbooks(database_url):
    from service.bootstrap import open_steady
    from tests.cli_runs import steady as run_steady

    seeded = run_steady(database_url, "demo")
    assert seeded.returncode == 0, seeded.stderr
    with open_steady(Settings(database_url=database_url)) as app:
        assert app.stand_ins()[ROLE].organisation == EASTSIDE
        by_title = {i.title: i for i in app.incidents(include_closed=True)}
        for title in (
            "Death of an 8th-grade student (off campus)",
            "Lockdown after a report of a weapon near campus",
        ):
            incident = by_title[title]
            theirs = [t for t in incident.tasks.values() if t.owner_role == ROLE]
            assert theirs, title
            assert all(t.assignee is not None and t.assignee.name == EASTSIDE for t in theirs)
            assert EASTSIDE in incident.shares, title
        bullying = by_title["Report of repeated harassment in a 5th-grade class"]
        assert bullying.shares == {}  # its playbook has no community mental-health role
