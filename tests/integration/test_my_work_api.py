"""My work and the summary across schools through the HTTP API and the pages, on real SQLite and
PostgreSQL, with the district's clock fixed at Monday 23 November 2026, 14:00 in Chicago: who
finds which tasks (by position, by name, by organisation, and not those of incidents they may not
see), grouped by the district's local days; the tasks no one can pick up; the summary's totals.

The demo accounts: k.okafor is the counselor of Roosevelt High School, d.chen the principal of
Jefferson Middle School, j.brooks of the partner Eastside Counseling, r.patel a district leader,
a.kim an auditor, m.alvarez a crisis lead, l.nguyen the district's school psychologist."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.builders import SignedIn, signed_in_app

NOW = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # Mon 23 Nov 2026, 14:00 in Chicago
ROOSEVELT = "Roosevelt High School"
JEFFERSON = "Jefferson Middle School"
EASTSIDE = "eastside-counseling"


@pytest.fixture
def world(database_url: str) -> Iterator[SignedIn]:
    with signed_in_app(database_url, clock=lambda: NOW) as signed:
        yield signed


class District:
    def __init__(self, world: SignedIn) -> None:
        self.client = world.client
        self.headers = world.headers
        self.keys = 0

    def post(self, who: str, path: str, body: dict[str, Any], key: str | None = None) -> Any:
        headers = dict(self.headers[who])
        if key:
            headers["Idempotency-Key"] = key
        return self.client.post(path, json=body, headers=headers)

    def get(self, who: str, path: str) -> Any:
        return self.client.get(path, headers=self.headers[who])

    def open(self, title: str, kind: str = "lockdown", school: str = ROOSEVELT) -> str:
        opened = self.post(
            "m.alvarez",
            "/api/v1/incidents",
            {"title": title, "kind": kind, "severity": 2, "schools": [school]},
        )
        assert opened.status_code == 201, opened.text
        return opened.json()["reference"]

    def task(self, ref: str, title: str, owner: str, due: str | None = None) -> str:
        body = {"title": title, "owner_role": owner, **({"due_at": due} if due else {})}
        added = self.post("m.alvarez", f"/api/v1/incidents/{ref}/tasks", body)
        assert added.status_code == 201, added.text
        return added.json()["task_id"]

    def assign(self, ref: str, task_id: str, kind: str, name: str) -> None:
        body = {"kind": kind, "name": name}
        done = self.post("m.alvarez", f"/api/v1/incidents/{ref}/tasks/{task_id}/assignment", body)
        assert done.status_code == 200, done.text

    def work(self, who: str) -> dict[str, Any]:
        response = self.get(who, "/api/v1/my-work")
        assert response.status_code == 200, response.text
        return response.json()

    def grouped(self, who: str) -> dict[str, list[str]]:
        """Each group's tasks, as "REF TASK title"."""
        return {
            g["group"]: [f"{t['reference']} {t['task_id']} {t['title']}" for t in g["tasks"]]
            for g in self.work(who)["groups"]
        }

    def no_one_holds(self, position: str) -> None:
        """An admin takes the position from whoever holds it (the demo has someone for every
        playbook role), as a district that has not filled it yet would stand."""
        listed = self.client.get("/api/v1/accounts", headers=self.headers["admin"]).json()
        for account in listed["accounts"]:
            if position in account["positions"]:
                kept = [p for p in account["positions"] if p != position]
                taken = self.client.put(
                    f"/api/v1/accounts/{account['username']}/positions",
                    json={"positions": kept},
                    headers=self.headers["admin"],
                )
                assert taken.status_code == 200, taken.text

    def titles(self, who: str) -> list[str]:
        return [t.split(" ", 2)[2] for tasks in self.grouped(who).values() for t in tasks]


def test_a_responders_tasks_by_position_and_by_name_fall_into_local_days(world):
    d = District(world)
    ref = d.open("Lockdown after a report of a weapon")
    late = d.task(ref, "Call the family", "counselor", "2026-11-23T13:00:00-06:00")
    tonight = d.task(ref, "Check in with S-1042", "counselor", "2026-11-23T23:30:00-06:00")
    wednesday = d.task(ref, "Debrief the staff", "counselor", "2026-11-25T09:00:00-06:00")
    monday = d.task(ref, "Plan the return", "counselor", "2026-11-30T08:00:00-06:00")
    whenever = d.task(ref, "Write to the families", "counselor")
    d.task(ref, "Meet the police", "principal", "2026-11-23T15:00:00-06:00")
    named = d.task(ref, "Cover the support room", "principal", "2026-11-24T10:00:00-06:00")
    d.assign(ref, named, "person", "k.okafor")
    elsewhere = d.open("Threat at Jefferson", school=JEFFERSON)
    witnesses = d.task(elsewhere, "Counsel the witnesses", "counselor", "2026-11-23T16:00:00-06:00")
    assert "Counsel the witnesses" not in d.titles("k.okafor")  # not his school's
    jefferson_named = d.task(elsewhere, "Share the roster", "principal")
    d.assign(elsewhere, jefferson_named, "person", "k.okafor")

    assert d.grouped("k.okafor") == {
        "overdue": [f"{ref} {late} Call the family"],
        # Named on a Jefferson task, he sees that incident, and its counselor's task is his too.
        # 23:30 in Chicago is 05:30 UTC on the 24th: still today in the district.
        "today": [
            f"{elsewhere} {witnesses} Counsel the witnesses",
            f"{ref} {tonight} Check in with S-1042",
        ],
        "this_week": [
            f"{ref} {named} Cover the support room",
            f"{ref} {wednesday} Debrief the staff",
        ],
        "later": [f"{ref} {monday} Plan the return"],
        "no_due_date": [
            f"{ref} {whenever} Write to the families",
            f"{elsewhere} {jefferson_named} Share the roster",
        ],
    }
    rows = {
        t["task_id"]: t
        for g in d.work("k.okafor")["groups"]
        for t in g["tasks"]
        if t["reference"] == ref
    }
    assert rows[named]["why"] == "name" and rows[late]["why"] == "position"
    assert rows[tonight]["due_local"] == "2026-11-23T23:30:00-06:00"
    assert rows[late]["overdue"] and rows[late]["owner_role_title"] == "Counselor"
    assert rows[late]["next_statuses"] == ["in_progress", "blocked", "done"]
    assert rows[late]["incident_title"] == "Lockdown after a report of a weapon"

    # d.chen, Jefferson's principal, gets Jefferson's principal work, not Roosevelt's.
    chen = d.titles("d.chen")
    assert "Meet the police" not in chen and "Cover the support room" not in chen
    assert "Share the roster" not in chen  # given to k.okafor by name: his, not the position's
    assert d.titles("a.kim") == [] and d.titles("r.patel") == []  # no positions, no tasks

    page = d.get("k.okafor", "/my-work")
    assert page.status_code == 200
    for heading in ("Overdue", "Due today", "Due this week", "Later", "No due date"):
        assert f">{heading} <" in page.text
    assert page.text.count('data-action="done"') == 8
    assert 'href="/my-work"' in d.get("k.okafor", "/").text  # the board links to it


def test_the_counselor_sees_a_shared_incident_counted_and_a_case_only_on_its_team(world):
    d = District(world)
    ref = d.open("Shooting two blocks from school", kind="community-violence")
    theirs = d.task(ref, "Offer a support session", "counselor", "2026-11-24T09:00:00-06:00")
    d.task(ref, "Open the support room", "counselor", "2026-11-24T09:00:00-06:00")
    d.assign(ref, theirs, "partner", EASTSIDE)
    assert d.titles("j.brooks") == []  # not shared yet: the incident does not exist for them
    shared = d.post("m.alvarez", f"/api/v1/incidents/{ref}/shares", {"organisation": EASTSIDE})
    assert shared.status_code == 201, shared.text
    work = d.work("j.brooks")
    assert d.titles("j.brooks") == ["Offer a support session"]
    assert work["groups"][2]["tasks"][0]["why"] == "organisation"
    assert work["no_one_holds"] == []
    assert d.titles("k.okafor") == ["Open the support room"]  # the partner's is theirs now

    case = d.open("S-3307 disclosed thoughts of self-harm", kind="self-harm-risk")
    d.task(case, "Stay with the student", "counselor", "2026-11-23T12:00:00-06:00")
    assert "Stay with the student" not in d.titles("k.okafor")  # confidential: not his
    joined = d.post("m.alvarez", f"/api/v1/incidents/{case}/case-team", {"username": "k.okafor"})
    assert joined.status_code == 201, joined.text
    assert d.grouped("k.okafor")["overdue"] == [f"{case} T1 Stay with the student"]


def test_marking_a_task_done_takes_it_off_my_work_once(world):
    d = District(world)
    ref = d.open("Lockdown after a report of a weapon")
    first = d.task(ref, "Call the family", "counselor", "2026-11-23T18:00:00-06:00")
    d.task(ref, "Debrief the staff", "counselor", "2026-11-23T19:00:00-06:00")
    row = d.work("k.okafor")["groups"][1]["tasks"][0]
    path = f"/api/v1/incidents/{ref}/tasks/{first}/status"
    body = {"status": "done", "note": "", "based_on_version": row["incident_version"]}
    done = d.post("k.okafor", path, body, key="my-work-1")
    again = d.post("k.okafor", path, body, key="my-work-1")  # the phone's retry
    assert done.status_code == again.status_code == 200, done.text
    assert again.json() == done.json()
    assert d.titles("k.okafor") == ["Debrief the staff"]
    events = d.get("m.alvarez", f"/api/v1/incidents/{ref}/events").json()["events"]
    assert [e["type"] for e in events].count("task_status_changed") == 1


def test_a_lead_sees_the_tasks_no_one_can_pick_up_until_someone_holds_the_role(world):
    d = District(world)
    d.no_one_holds("family-liaison")
    ref = d.open("Death of a student", kind="death")
    liaison = d.task(ref, "Name a family liaison", "family-liaison", "2026-11-23T17:00:00-06:00")
    d.task(ref, "Call the family", "counselor")
    nurse = d.task(ref, "Check on the nurse's office", "family-liaison")
    d.assign(ref, nurse, "person", "k.okafor")  # someone has it by name: not flagged
    unheld = d.work("m.alvarez")["no_one_holds"]
    assert [(r["role"], r["title"], [t["task_id"] for t in r["tasks"]]) for r in unheld] == [
        ("family-liaison", "Family liaison", [liaison])
    ]
    assert d.work("k.okafor")["no_one_holds"] == []  # leads are the ones who assign
    lead_page = d.get("m.alvarez", f"/incidents/{ref}").text
    assert "No one holds the role of family liaison: assign it" in lead_page
    assert 'id="unheld-tasks"' in lead_page
    responder_page = d.get("k.okafor", f"/incidents/{ref}").text
    assert "No one holds the role of family liaison: a crisis lead can assign it" in responder_page
    assert 'id="unheld-tasks"' not in responder_page
    assert "Tasks no one can pick up" in d.get("m.alvarez", "/my-work").text

    # An admin gives l.nguyen the position: the role is held, on every surface, at once.
    given = d.client.put(
        "/api/v1/accounts/l.nguyen/positions",
        json={"positions": ["school-psychologist", "family-liaison"]},
        headers=d.headers["admin"],
    )
    assert given.status_code == 200, given.text
    assert d.work("m.alvarez")["no_one_holds"] == []
    assert "No one holds" not in d.get("m.alvarez", f"/incidents/{ref}").text
    assert "Tasks no one can pick up" not in d.get("m.alvarez", "/my-work").text


def test_the_summary_counts_across_schools_and_a_confidential_case_only_by_school(world):
    d = District(world)
    d.no_one_holds("family-liaison")
    ref = d.open("Lockdown after a report of a weapon")
    d.task(ref, "Call the family", "counselor", "2026-11-23T09:00:00-06:00")
    d.task(ref, "Name a family liaison", "family-liaison", "2026-11-23T10:00:00-06:00")
    other = d.open("Threat at Jefferson", school=JEFFERSON)
    d.task(other, "Meet the staff", "principal", "2026-11-23T11:00:00-06:00")
    d.task(other, "Tell the families", "family-liaison")
    case = d.open("S-3307 disclosed thoughts of self-harm", kind="self-harm-risk")
    d.task(case, "Stay with the student", "counselor", "2026-11-23T12:00:00-06:00")
    d.task(case, "Call the guardian", "family-liaison")

    leader = d.get("r.patel", "/api/v1/summary")
    assert leader.status_code == 200, leader.text
    summary = leader.json()
    assert summary["open_incidents"] == {
        "total": 2,
        "confidential": 1,
        "by_school": [
            {"school": JEFFERSON, "open": 1, "confidential": 0},
            {"school": ROOSEVELT, "open": 1, "confidential": 1},
        ],
    }
    # The confidential case's overdue task and its waiting role are in no figure of theirs.
    assert summary["overdue_tasks"] == {
        "total": 3,
        "by_school": [
            {
                "school": JEFFERSON,
                "total": 1,
                "by_role": [{"role": "principal", "title": "Principal", "count": 1}],
            },
            {
                "school": ROOSEVELT,
                "total": 2,
                "by_role": [
                    {"role": "counselor", "title": "Counselor", "count": 1},
                    {"role": "family-liaison", "title": "Family liaison", "count": 1},
                ],
            },
        ],
    }
    assert summary["roles_no_one_holds"] == [
        {"role": "family-liaison", "title": "Family liaison", "open_tasks": 2, "incidents": 2}
    ]
    assert "S-3307" not in leader.text and case not in leader.text
    page = d.get("r.patel", "/summary")
    assert page.status_code == 200 and "S-3307" not in page.text
    assert "Family liaison" in page.text and 'href="/summary"' in page.text

    # The auditor sees the case whole: it counts in every figure.
    audit = d.get("a.kim", "/api/v1/summary").json()
    assert audit["open_incidents"]["total"] == 3 and audit["open_incidents"]["confidential"] == 0
    assert audit["overdue_tasks"]["total"] == 4
    assert audit["roles_no_one_holds"][0]["open_tasks"] == 3
    for who in ("k.okafor", "j.brooks", "admin"):
        assert d.get(who, "/api/v1/summary").status_code == 403
        assert d.get(who, "/summary").status_code == 403
    assert d.get("admin", "/api/v1/my-work").status_code == 403
