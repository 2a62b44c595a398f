"""Affected people through the API on real SQLite and PostgreSQL: pseudonyms everywhere an
incident shows, need-to-know for the identity (the counselor and crisis leads; a partner only once
shared; not a responder of another school, a district leader or an auditor), each view of it in
the person's history, a warning sign's urgent task, and the errors a person can cause.

Demo accounts: m.alvarez crisis lead; k.okafor Roosevelt's counselor; d.chen of Jefferson;
r.patel district leader; a.kim auditor; j.brooks of Eastside Counseling (partner); admin."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.builders import SignedIn, signed_in_app

NAME = "Quillon Abernathy-Roe"
ROOSEVELT = "Roosevelt High School"


@pytest.fixture
def world(database_url: str) -> Iterator[SignedIn]:
    with signed_in_app(database_url) as signed:
        yield signed


class Api:
    def __init__(self, world: SignedIn) -> None:
        self.client, self.headers = world.client, world.headers

    def post(self, who: str, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers=self.headers[who])

    def get(self, who: str, path: str) -> Any:
        return self.client.get(path, headers=self.headers[who])

    def incident(self) -> str:
        opened = self.post(
            "m.alvarez",
            "/api/v1/incidents",
            {"title": "Death of a student", "kind": "death", "severity": 2, "schools": [ROOSEVELT]},
        )
        assert opened.status_code == 201, opened.text
        return opened.json()["reference"]

    def person(self, ref: str, name: str = NAME, student_id: str = "S-5551") -> str:
        recorded = self.post(
            "m.alvarez",
            f"/api/v1/incidents/{ref}/people",
            {
                "kind": "student",
                "school": ROOSEVELT,
                "grade": "11",
                "how_affected": "was in the classroom next door",
                "identity": {"name": name, "person_id": student_id, "language": "Spanish"},
            },
        )
        assert recorded.status_code == 201, recorded.text
        return recorded.json()["reference"]


def test_a_warning_sign_makes_tier_3_and_an_urgent_task_and_names_stay_out_of_the_incident(world):
    api = Api(world)
    hooked: list[tuple] = []
    world.client.app.state.people.after_triage.append(lambda *given: hooked.append(given))
    ref = api.incident()
    person = api.person(ref)
    assert person.startswith("P-")
    triaged = api.post(
        "k.okafor",
        f"/api/v1/people/{person}/triage",
        {
            "incident": ref,
            "tier": 2,
            "reason": "lost a close friend",
            "factors": ["emotional_proximity"],
            "warning_signs": ["panic"],
            "counselor": "k.okafor",
        },
    )
    assert triaged.status_code == 201, triaged.text
    triage = triaged.json()["triage"]
    assert triage["tier"] == 3 and triage["raised_by_warning_signs"]
    assert triage["reason"].startswith("Raised to tier 3 (intensive) from tier 2 (targeted)")
    tasks = api.get("m.alvarez", f"/api/v1/incidents/{ref}").json()["task_list"]
    urgent = [t for t in tasks if t["title"] == f"Refer {person} to intensive support today"]
    assert len(urgent) == 1 and urgent[0]["due_at"] and urgent[0]["urgent"] is True
    assert urgent[0]["assignee"]["name"] == "k.okafor"
    # The follow-up plans' hook heard of it: who, where, the tier, the counselor, who triaged.
    assert [(p, i, int(t), c, a.user) for p, i, t, c, a in hooked] == [
        (person, ref, 3, "k.okafor", "k.okafor")
    ]
    # A re-triage is a new event: the history keeps both, and no second urgent task.
    again = api.post(
        "k.okafor",
        f"/api/v1/people/{person}/triage",
        {"incident": ref, "tier": 3, "reason": "still panicking", "warning_signs": ["panic"]},
    )
    assert again.status_code == 201, again.text
    shown = api.get("m.alvarez", f"/api/v1/people/{person}").json()
    assert [t["reason"][-15:] for t in shown["incidents"][0]["triages"]][1] == "still panicking"
    assert len(shown["incidents"][0]["triages"]) == 2
    tasks = api.get("m.alvarez", f"/api/v1/incidents/{ref}").json()["task_list"]
    assert sum(t["urgent"] for t in tasks) == 1
    # The name is nowhere an incident shows.
    for path in [
        f"/api/v1/incidents/{ref}",
        f"/api/v1/incidents/{ref}/events",
        f"/api/v1/incidents/{ref}/timeline",
        f"/api/v1/incidents/{ref}/export",
        f"/api/v1/incidents/{ref}/people",
        f"/api/v1/people/{person}",
        f"/incidents/{ref}",
        "/api/v1/events?limit=1000",
        "/",
    ]:
        response = api.get("m.alvarez", path)
        assert response.status_code == 200, (path, response.text[:200])
        assert NAME not in response.text, path
    assert person in api.get("m.alvarez", f"/api/v1/incidents/{ref}/people").text


def test_only_the_counselor_and_crisis_leads_see_the_identity_and_each_view_is_recorded(world):
    api = Api(world)
    ref = api.incident()
    person = api.person(ref)
    path = f"/api/v1/people/{person}/identity"
    # Before she is the counselor, Roosevelt's counselor sees the person but not who they are.
    assert api.get("k.okafor", f"/api/v1/people/{person}").status_code == 200
    refused = api.get("k.okafor", path)
    assert refused.status_code == 403 and "counselor" in refused.json()["error"]
    # Nor may she replace what she may not see.
    assert api.post("k.okafor", path, {"name": "Someone Else"}).status_code == 403
    api.post(
        "m.alvarez",
        f"/api/v1/people/{person}/counselor",
        {"incident": ref, "counselor": "k.okafor"},
    )
    seen = api.get("k.okafor", path)
    assert seen.status_code == 200 and seen.json()["identity"]["name"] == NAME
    assert api.get("m.alvarez", path).json()["identity"]["language"] == "Spanish"
    # Once she is the counselor she may correct it too.
    assert api.post("k.okafor", path, {"name": NAME, "person_id": "S-5551"}).status_code == 200
    # An auditor and a district leader see the pseudonymous record, never the identity.
    for who in ("a.kim", "r.patel"):
        assert api.get(who, f"/api/v1/people/{person}").status_code == 200
        assert api.get(who, path).status_code == 403
    # A responder of another school finds no such person, nor them on the incident.
    assert api.get("d.chen", f"/api/v1/people/{person}").status_code == 404
    assert api.get("d.chen", path).status_code == 404
    # Every view is in the person's history, for those who read it.
    views = api.get("a.kim", f"/api/v1/people/{person}").json()["identity"]["views"]
    assert [(v["by"]["user"], v["surface"]) for v in views] == [
        ("k.okafor", "api"),
        ("m.alvarez", "api"),
    ]


def test_a_partner_sees_only_their_referral_and_the_identity_only_while_shared(world):
    api = Api(world)
    ref = api.incident()
    person = api.person(ref)
    other = api.person(ref, name="Someone Else", student_id="S-7777")
    assert api.get("j.brooks", f"/api/v1/people/{person}").status_code == 404
    referred = api.post(
        "m.alvarez",
        f"/api/v1/people/{person}/referrals",
        {
            "incident": ref,
            "to_kind": "partner",
            "to": "eastside-counseling",
            "reason": "panic attacks since the event",
            "asked_to": "assess and offer counselling this week",
        },
    )
    assert referred.status_code == 201, referred.text
    seen = api.get("j.brooks", f"/api/v1/people/{person}")
    assert seen.status_code == 200
    body = seen.json()
    assert set(body) == {"reference", "referrals", "identity"}  # no school, grade, triage
    assert body["referrals"][0]["asked_to"] == "assess and offer counselling this week"
    assert api.get("j.brooks", f"/api/v1/people/{other}").status_code == 404
    identity = f"/api/v1/people/{person}/identity"
    assert api.get("j.brooks", identity).status_code == 403
    # A lead shares it: an event naming the organisation; then ends it.
    shared = api.post("m.alvarez", f"{identity}/shares", {"organisation": "eastside-counseling"})
    assert shared.status_code == 201, shared.text
    assert api.get("j.brooks", identity).json()["identity"]["name"] == NAME
    ended = api.post(
        "m.alvarez", f"{identity}/shares/eastside-counseling/end", {"reason": "assessment done"}
    )
    assert ended.status_code == 200, ended.text
    assert api.get("j.brooks", identity).status_code == 403
    # The partner accepts their referral; they may not refer or triage.
    accepted = api.post(
        "j.brooks", f"/api/v1/people/{person}/referrals/R1/status", {"status": "accepted"}
    )
    assert accepted.status_code == 200 and accepted.json()["referral"]["status"] == "accepted"
    assert (
        api.post(
            "j.brooks",
            f"/api/v1/people/{person}/triage",
            {"incident": ref, "tier": 1, "reason": "x"},
        ).status_code
        == 403
    )


def test_errors_say_what_was_wrong(world):
    api = Api(world)
    ref = api.incident()
    person = api.person(ref)
    other = api.incident()
    cases = [
        (
            f"/api/v1/people/{person}/triage",
            {"incident": ref, "tier": 5, "reason": "x"},
            422,
            "tier",
        ),
        (
            f"/api/v1/people/{person}/triage",
            {"incident": other, "tier": 1, "reason": "x"},
            422,
            "not recorded on",
        ),
        (
            f"/api/v1/people/{person}/triage",
            {"incident": ref, "tier": 1, "reason": "x", "counselor": "no.one"},
            422,
            "no account",
        ),
        (
            f"/api/v1/people/{person}/referrals",
            {
                "incident": ref,
                "to_kind": "partner",
                "to": "riverside-usd",
                "reason": "r",
                "asked_to": "a",
            },
            422,
            "not a partner organisation",
        ),
        (
            f"/api/v1/incidents/{ref}/people",
            {"kind": "staff", "school": ROOSEVELT, "grade": "3", "how_affected": "x"},
            422,
            "grade is for students only",
        ),
        (
            "/api/v1/people/P-9999/triage",
            {"incident": ref, "tier": 1, "reason": "x"},
            404,
            "no person",
        ),
    ]
    for path, body, status, words in cases:
        response = api.post("m.alvarez", path, body)
        assert response.status_code == status, (path, body, response.text)
        assert words in response.text, response.text
    assert api.get("m.alvarez", "/api/v1/people/nobody").status_code == 404
    # Erasure is an admin's, and is then final.
    erase = f"/api/v1/people/{person}/erase"
    assert api.post("m.alvarez", erase, {"reason": "asked"}).status_code == 403
    erased = api.post("admin", erase, {"reason": "the family asked"})
    assert erased.status_code == 200, erased.text
    status = api.get("m.alvarez", f"/api/v1/people/{person}").json()["identity"]
    assert status["erased"] and status["erased_reason"] == "the family asked"
    gone = api.get("m.alvarez", f"/api/v1/people/{person}/identity")
    assert gone.status_code == 404 and "erased" in gone.json()["error"]
    assert api.post("admin", erase, {"reason": "again"}).status_code == 422
