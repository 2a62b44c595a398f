"""The demo district's affected people (service/demo/people.py), seeded in-process on real
SQLite and PostgreSQL at a fixed school-day morning: people in every tier on the demo incidents,
the demo counselor's check-ins overdue, due today and this week, each outcome recorded, the
referrals and the urgent task of a warning sign; seeding again adds nothing; and a district
leader finds no name of the demo's identities on any incident page, timeline or board."""

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient

from domain.check_ins import OUTCOMES
from service.accounts.service import Accounts
from service.bootstrap import Parts, assemble, open_steady
from service.config import Settings
from service.demo.accounts import DEMO_PASSWORD
from service.demo.clock import DemoClock
from service.demo.district import seed_demo_district
from service.demo.people import PEOPLE
from tests.builders import FAST_HASHER
from web.app import create_app_from
from web.follow_ups.reading import follow_ups_of

ZONE = ZoneInfo("America/Chicago")
# A Tuesday of the demo calendar's year, before the first check-ins of the day fall due (an
# hour into the school day): the student's death was in January, across Martin Luther King day.
NOW = datetime(2027, 2, 9, 7, 30, tzinfo=ZONE)
DEATH = "Death of an 8th-grade student (off campus)"


class Demo:
    def __init__(self, database_url: str, now: datetime) -> None:
        self.settings = Settings(database_url=database_url, timezone="America/Chicago")
        self.clock = DemoClock(lambda: self.now)
        self.now = now
        self.steady = open_steady(self.settings, clock=self.clock)
        self.parts: Parts = assemble(
            self.steady, self.settings, accounts=Accounts(self.steady, hasher=FAST_HASHER)
        )

    def seed(self) -> list[str]:
        return seed_demo_district(self.parts, self.clock, self.now)

    def incident_ref(self, title: str) -> str:
        return next(i.reference for i in self.steady.incidents() if i.title == title)


@pytest.fixture
def demo(database_url: str) -> Iterator[Demo]:
    seeded = Demo(database_url, NOW)
    seeded.seed()
    yield seeded
    seeded.steady.close()


def test_people_in_every_tier_and_the_counselors_day(demo: Demo) -> None:
    people = demo.parts.people
    death = demo.incident_ref(DEATH)
    on_death = people.on_incident(death)
    kinds = Counter(p.kind for p in on_death)
    assert (kinds["student"], kinds["staff"], kinds["family"]) == (12, 3, 1)
    assert {int(p.tier(death)) for p in on_death} == {1, 2, 3}
    # Every open incident of the demo has its people, each triaged, with a counselor.
    for incident in demo.steady.incidents():
        on = people.on_incident(incident.reference)
        assert on and all(p.tier(incident.reference) and p.counselors for p in on), incident.title

    # The demo counselor's list, grouped as My follow-ups shows it.
    okafor = demo.parts.accounts.account("k.okafor")
    mine = follow_ups_of(okafor, demo.parts.follow_ups_due, NOW, ZONE)
    groups = {g["group"]: len(g["check_ins"]) for g in mine["groups"]}
    assert groups["overdue"] >= 1 and groups["today"] >= 1 and groups["this_week"] >= 1
    assert mine["overdue"] == groups["overdue"]
    recorded = [
        (c.recorded.outcome, c.recorded.by.user)
        for p in people.everyone()
        for incident in p.incidents
        for c in demo.parts.follow_ups.follow_ups(p.reference, incident).check_ins.values()
        if c.recorded
    ]
    assert {o for o, by in recorded if by == "k.okafor"} == set(OUTCOMES)

    # The warning sign: raised to tier 3 on a re-triage, with its urgent task for the counselor.
    raised = [p for p in on_death if any(t.raised for t in p.triages)]
    assert len(raised) == 1 and int(raised[0].tier(death)) == 3
    assert [int(t.tier) for t in raised[0].triages] == [2, 3]
    urgent = [t for t in demo.steady.incident(death).tasks.values() if t.urgent]
    assert [(raised[0].reference in t.title, t.assignee.name) for t in urgent] == [
        (True, "k.okafor")
    ]
    # Referrals: to the partner (with the identity shared with it) and the school psychologist.
    referrals = [(r.to, p) for p in on_death for r in p.referrals_on(death)]
    assert {to for to, _ in referrals} == {"eastside-counseling", "school-psychologist"}
    assert any("eastside-counseling" in p.shared_with for to, p in referrals)
    assert raised[0].shared_with == {"eastside-counseling"}


def test_seeding_again_adds_nothing_even_days_later(demo: Demo) -> None:
    before = demo.steady.last_position()
    people = len(demo.parts.people.everyone())
    demo.seed()
    demo.now = NOW + timedelta(days=1, hours=3)
    demo.seed()
    assert demo.steady.last_position() == before
    assert len(demo.parts.people.everyone()) == people
    # The demo's affected people are on its incidents; the rest are the roster's.
    on_incidents = [p for p in demo.parts.people.everyone() if p.incidents]
    assert len(on_incidents) == len(PEOPLE)


def made_up_words() -> set[str]:
    """Every name and id of the demo's identities."""
    found = set()
    for person in PEOPLE:
        identity = person.identity
        found |= {identity["name"], identity.get("person_id", "")}
        found |= {g["name"] for g in identity.get("guardians", [])}
        found |= {g["contact"] for g in identity.get("guardians", [])}
    return found - {""}


def sign_in(client: TestClient, username: str) -> None:
    client.get("/signin")
    response = client.post(
        "/signin",
        data={
            "username": username,
            "password": DEMO_PASSWORD,
            "_csrf_token": client.cookies.get("csrftoken", ""),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_a_district_leader_sees_pseudonyms_and_no_name(demo: Demo) -> None:
    death = demo.incident_ref(DEATH)
    refs = [i.reference for i in demo.steady.incidents()]
    secret = made_up_words()
    assert len(secret) > 40
    app = create_app_from(demo.parts, heartbeat_seconds=0.5, poll_seconds=0.2)
    with TestClient(app) as client:
        sign_in(client, "r.patel")
        pages = {"board": client.get("/")}
        for ref in refs:
            for path in ("", "/timeline", "/card", "/report", "/replay"):
                pages[ref + path] = client.get(f"/incidents/{ref}{path}")
            pages[f"api {ref}"] = client.get(f"/api/v1/incidents/{ref}")
            pages[f"api {ref} timeline"] = client.get(f"/api/v1/incidents/{ref}/timeline")
    shown = {name: r.text for name, r in pages.items() if r.status_code == 200}
    assert {"board", death, f"{death}/timeline"} <= set(shown)
    # The people are there, by pseudonym ...
    assert "P-0001" in shown[f"api {death} timeline"]
    # ... and none of their names, ids or contacts is, anywhere.
    leaks = {(page, word) for page, text in shown.items() for word in secret if word in text}
    assert leaks == set()
