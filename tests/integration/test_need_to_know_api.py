"""Need-to-know inside the district through the API and the pages, on real SQLite and PostgreSQL:
a responder of another school finds no such incident; a confidential case is a count to a
district leader and to its school's responders, whole to its case team; marking it is in the
timeline. The demo accounts: k.okafor is of Roosevelt High School, d.chen of Jefferson Middle
School, l.nguyen of the district with the two elementary schools given, r.patel a district leader.
"""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.builders import SignedIn, signed_in_app

ROOSEVELT = "Roosevelt High School"
CASE_TITLE = "S-3307 disclosed thoughts of self-harm to a teacher"
INCIDENT_READS = [
    "/api/v1/incidents/{ref}",
    "/api/v1/incidents/{ref}/events",
    "/api/v1/incidents/{ref}/timeline",
    "/api/v1/incidents/{ref}/export",
    "/incidents/{ref}",
    "/incidents/{ref}/card",
    "/incidents/{ref}/timeline",
]


@pytest.fixture
def world(database_url: str) -> Iterator[SignedIn]:
    with signed_in_app(database_url) as signed:
        yield signed


class People:
    def __init__(self, world: SignedIn) -> None:
        self.client = world.client
        self.headers = world.headers

    def post(self, who: str, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers=self.headers[who])

    def get(self, who: str, path: str) -> Any:
        return self.client.get(path, headers=self.headers[who])

    def open(self, title: str, kind: str, school: str = ROOSEVELT) -> str:
        opened = self.post(
            "m.alvarez",
            "/api/v1/incidents",
            {"title": title, "kind": kind, "severity": 2, "schools": [school]},
        )
        assert opened.status_code == 201, opened.text
        ref = opened.json()["reference"]
        task = self.post(
            "m.alvarez",
            f"/api/v1/incidents/{ref}/tasks",
            {"title": "Call the family", "owner_role": "counselor"},
        )
        assert task.status_code == 201, task.text
        return ref

    def listed(self, who: str) -> dict[str, Any]:
        response = self.get(who, "/api/v1/incidents?all=true")
        assert response.status_code == 200, response.text
        return response.json()

    def references(self, who: str) -> list[str]:
        return [i["reference"] for i in self.listed(who)["incidents"]]

    def events_about(self, who: str, ref: str) -> list[dict[str, Any]]:
        events = self.get(who, "/api/v1/events?limit=1000").json()["events"]
        return [e for e in events if e["incident"]["reference"] == ref]


def test_a_responder_of_another_school_finds_no_such_incident(world):
    people = People(world)
    ref = people.open("Lockdown after a report of a weapon", "lockdown")
    for path in [*INCIDENT_READS, "/api/v1/incidents/{ref}/tasks/T1/status"]:
        path = path.format(ref=ref)
        if path.endswith("/status"):
            response = people.post("d.chen", path, {"status": "in_progress"})
        else:
            response = people.get("d.chen", path)
        assert response.status_code == 404, (path, response.text[:200])
    note = people.post("d.chen", f"/api/v1/incidents/{ref}/notes", {"text": "hello"})
    assert note.status_code == 404
    assert ref not in people.references("d.chen")
    assert people.events_about("d.chen", ref) == []
    assert ref not in people.get("d.chen", "/").text
    # Their own school's counselor sees it and acts on her own task.
    assert ref in people.references("k.okafor")
    done = people.post("k.okafor", f"/api/v1/incidents/{ref}/tasks/T1/status", {"status": "done"})
    assert done.status_code == 200, done.text


def test_schools_given_by_an_admin_and_a_task_named_to_someone_let_them_in(world):
    people = People(world)
    ref = people.open("Evacuation after a gas leak", "evacuation")
    assert people.get("l.nguyen", f"/api/v1/incidents/{ref}").status_code == 404
    given = world.client.put(
        "/api/v1/accounts/l.nguyen/schools",
        json={"schools": ["roosevelt-high-school"]},
        headers=world.headers["admin"],
    )
    assert given.status_code == 200 and given.json()["schools"] == ["roosevelt-high-school"]
    assert people.get("l.nguyen", f"/api/v1/incidents/{ref}").status_code == 200
    not_a_school = world.client.put(
        "/api/v1/accounts/l.nguyen/schools",
        json={"schools": ["eastside-counseling"]},
        headers=world.headers["admin"],
    )
    assert not_a_school.status_code in (400, 422) and "school" in not_a_school.json()["error"]
    changes = world.client.get(
        "/api/v1/audit/account-changes?account=l.nguyen", headers=world.headers["a.kim"]
    ).json()
    assert "set the schools of l.nguyen to roosevelt-high-school" in str(changes)

    assert people.get("d.chen", f"/api/v1/incidents/{ref}").status_code == 404
    assigned = people.post(
        "m.alvarez",
        f"/api/v1/incidents/{ref}/tasks/T1/assignment",
        {"kind": "person", "name": "d.chen"},
    )
    assert assigned.status_code == 200, assigned.text
    assert people.get("d.chen", f"/api/v1/incidents/{ref}").status_code == 200
    assert ref in people.references("d.chen")


def test_a_confidential_case_is_a_count_to_a_district_leader_and_whole_to_its_case_team(world):
    people = People(world)
    case = people.open(CASE_TITLE, "self-harm-risk")
    ordinary = people.open("Lockdown after a report of a weapon", "lockdown")

    leader = people.listed("r.patel")
    assert case not in [i["reference"] for i in leader["incidents"]]
    assert ordinary in [i["reference"] for i in leader["incidents"]]
    assert leader["confidential"] == [{"school": ROOSEVELT, "count": 1}]
    board = people.get("r.patel", "/").text
    assert "1 confidential case" in board and CASE_TITLE not in board and case not in board
    assert CASE_TITLE not in str(people.get("r.patel", "/api/v1/events?limit=1000").json())
    # Their school's counselor, not on the case team, also only counts it; d.chen of another
    # school does not even count it.
    assert people.listed("k.okafor")["confidential"] == [{"school": ROOSEVELT, "count": 1}]
    assert people.listed("d.chen")["confidential"] == []
    for who in ("r.patel", "k.okafor", "d.chen", "l.nguyen", "j.brooks"):
        for path in INCIDENT_READS:
            response = people.get(who, path.format(ref=case))
            assert response.status_code == 404, (who, path)
    for who in ("m.alvarez", "a.kim"):
        assert people.get(who, f"/api/v1/incidents/{case}").status_code == 200
    verify = people.get("r.patel", "/api/v1/verify").json()["incidents"]
    assert case not in [c["incident"]["reference"] for c in verify]

    # Only a crisis lead chooses the case team.
    refused = people.post("r.patel", f"/api/v1/incidents/{case}/case-team", {"username": "x"})
    assert refused.status_code == 404  # it does not exist for them
    partner = people.post(
        "m.alvarez", f"/api/v1/incidents/{case}/case-team", {"username": "j.brooks"}
    )
    # Well-formed, refused by the rule of who may join: a 422 naming the field.
    assert partner.status_code == 422 and partner.json()["field"] == "username"
    nobody = people.post("m.alvarez", f"/api/v1/incidents/{case}/case-team", {"username": "x.y"})
    assert nobody.status_code == 404 and nobody.json()["field"] == "username"
    added = people.post(
        "m.alvarez", f"/api/v1/incidents/{case}/case-team", {"username": "k.okafor"}
    )
    assert added.status_code == 201, added.text
    shown = people.get("k.okafor", f"/api/v1/incidents/{case}")
    assert shown.status_code == 200 and shown.json()["title"] == CASE_TITLE
    assert shown.json()["case_team"] == ["k.okafor"] and shown.json()["confidential"]
    assert case in people.references("k.okafor")
    assert people.listed("k.okafor")["confidential"] == []
    assert {"incident_opened", "case_team_member_added"} <= {
        e["type"] for e in people.events_about("k.okafor", case)
    }
    done = people.post("k.okafor", f"/api/v1/incidents/{case}/tasks/T1/status", {"status": "done"})
    assert done.status_code == 200, done.text
    assert people.listed("r.patel")["confidential"] == [{"school": ROOSEVELT, "count": 1}]

    removed = people.post(
        "m.alvarez", f"/api/v1/incidents/{case}/case-team/k.okafor/remove", {"reason": "handed on"}
    )
    assert removed.status_code == 200, removed.text
    assert people.get("k.okafor", f"/api/v1/incidents/{case}").status_code == 404
    assert people.events_about("k.okafor", case) == []


def test_marking_an_incident_confidential_is_in_its_timeline_and_hides_it(world):
    people = People(world)
    ref = people.open("Threat written on a bathroom wall naming one student", "threat")
    assert people.get("r.patel", f"/api/v1/incidents/{ref}").status_code == 200
    refused = people.post("r.patel", f"/api/v1/incidents/{ref}/confidential", {})
    assert refused.status_code == 403
    assert "may not mark an incident confidential" in refused.json()["error"]
    marked = people.post(
        "m.alvarez", f"/api/v1/incidents/{ref}/confidential", {"reason": "names one student"}
    )
    assert marked.status_code == 200, marked.text
    assert people.get("r.patel", f"/api/v1/incidents/{ref}").status_code == 404
    assert people.get("k.okafor", f"/api/v1/incidents/{ref}").status_code == 404
    assert people.listed("r.patel")["confidential"] == [{"school": ROOSEVELT, "count": 1}]
    again = people.post("m.alvarez", f"/api/v1/incidents/{ref}/confidential", {})
    assert again.status_code == 422 and "already marked" in again.json()["error"]

    entries = people.get("a.kim", f"/api/v1/incidents/{ref}/timeline").json()["entries"]
    marking = [e for e in entries if e["type"] == "incident_marked_confidential"]
    assert [e["text"] for e in marking] == [
        "m.alvarez (crisis-lead) marked the incident confidential: only crisis leads, its case "
        "team and auditors see it (names one student)"
    ]
    unmarked = people.post(
        "m.alvarez", f"/api/v1/incidents/{ref}/confidential/end", {"reason": "a hoax"}
    )
    assert unmarked.status_code == 200, unmarked.text
    assert people.get("r.patel", f"/api/v1/incidents/{ref}").status_code == 200
    page = people.get("a.kim", f"/incidents/{ref}/timeline").text
    assert "marked the incident confidential" in page and "unmarked the incident" in page
    replayed = people.get("a.kim", f"/api/v1/incidents/{ref}/state?version=3").json()
    assert replayed["confidential"] and replayed["marked_confidential"]
