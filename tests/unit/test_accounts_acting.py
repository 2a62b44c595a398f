"""An admin manages accounts but cannot act as anyone: tokens are issued by their owner (or, for
a script's account without a password, by an admin), an event made with a token records who
issued it, and a role is never granted to oneself."""

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher

from domain.incident import Incident
from domain.people import Actor
from service.access.permissions import Forbidden
from service.accounts.service import Accounts
from service.incidents.application import Steady

ADMIN = Actor("cli:root", "admin")
PASSWORD = "a long enough password"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def accounts() -> Accounts:
    accounts = Accounts(Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"}), hasher=CHEAP)
    accounts.add_organisation("riverside-usd", "Riverside USD", "district", actor=ADMIN)
    for username, role, password in [
        ("admin", "admin", PASSWORD),
        ("second.admin", "admin", PASSWORD),
        ("m.alvarez", "crisis-lead", PASSWORD),
        ("nightly.sync", "crisis-lead", None),
    ]:
        accounts.add_user(
            username,
            display_name=username,
            organisation="riverside-usd",
            roles=[role],
            password=password,
            actor=ADMIN,
        )
    return accounts


def as_admin(accounts: Accounts, username: str = "admin") -> Actor:
    return accounts.account(username).acting_as("admin")


def test_an_admin_cannot_issue_a_token_for_a_person_who_signs_in_with_a_password(accounts):
    with pytest.raises(Forbidden, match=r"only m\.alvarez can issue"):
        accounts.issue_token("m.alvarez", "mine now", actor=as_admin(accounts))
    with pytest.raises(Forbidden, match=r"only m\.alvarez can issue"):
        accounts.issue_token("m.alvarez", "mine now", actor=ADMIN)  # nor from the command line
    assert accounts.account("m.alvarez").tokens == {}


def test_the_owner_issues_their_own_and_an_admin_issues_a_scripts(accounts):
    owner = accounts.account("m.alvarez").acting_as()
    token = accounts.issue_token("m.alvarez", "my laptop", actor=owner)
    assert accounts.authenticate_token(token).username == "m.alvarez"
    script = accounts.issue_token("nightly.sync", "cron", actor=as_admin(accounts))
    assert accounts.authenticate_token(script).username == "nightly.sync"


def test_an_actor_made_with_a_token_records_who_issued_it(accounts):
    token = accounts.issue_token("nightly.sync", "cron", actor=as_admin(accounts))
    token_id = token.split("_")[1]
    actor = accounts.account("nightly.sync").acting_as(token_id=token_id)
    assert actor.user == "nightly.sync" and actor.role == "crisis-lead"
    assert actor.token == token_id and actor.token_issued_by == "admin"
    assert Actor.from_dict(actor.as_dict()) == actor
    # Without a token, the stored shape is the old one: {"user", "role"} only.
    assert accounts.account("m.alvarez").acting_as().as_dict() == {
        "user": "m.alvarez",
        "role": "crisis-lead",
    }


def test_an_event_stored_before_actors_named_tokens_still_loads():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    incident = Incident.open(
        reference="INC-2026-0001",
        title="Storm",
        kind="severe-weather",
        severity=3,
        schools=["Lincoln Elementary"],
        summary="",
        occurred_at=NOW,
        actor=Actor("m.alvarez", "crisis-lead", token="0123456789ab", token_issued_by="admin"),
        at=NOW,
    )
    stored = app.mapper.to_stored_event(incident.pending_events[0])
    state = json.loads(stored.state)
    assert state["actor"]["token_issued_by"] == "admin"
    state["actor"] = {"user": "m.alvarez", "role": "crisis-lead"}  # the shape stored until now
    old = app.mapper.to_domain_event(replace(stored, state=json.dumps(state).encode()))
    assert old.by == Actor("m.alvarez", "crisis-lead")
    assert old.by.token is None and old.by.token_issued_by is None
    assert Incident.Opened.mutate(old, None).opened_by.user == "m.alvarez"


def test_an_admin_cannot_grant_themselves_a_role_but_another_admin_can(accounts):
    with pytest.raises(Forbidden, match="another admin"):
        accounts.grant_role("admin", "auditor", actor=as_admin(accounts))
    assert accounts.account("admin").roles == ["admin"]
    accounts.grant_role("admin", "auditor", actor=as_admin(accounts, "second.admin"))
    assert accounts.account("admin").roles == ["admin", "auditor"]
