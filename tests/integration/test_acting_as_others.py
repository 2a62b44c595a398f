"""An admin cannot act as anyone, through the API, the admin pages or the command line: tokens
for a person's account are issued by that person only, events made with a token record who
issued it, and no one grants themselves a role."""

import argparse
import io
import sys
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.cli.accounts import add_commands
from service.config import Settings
from service.demo.accounts import DEMO_PASSWORD
from tests.builders import SignedIn, bearer, signed_in_app

INCIDENT = {
    "title": "Fire alarm",
    "kind": "lockdown",
    "severity": 3,
    "schools": ["Roosevelt High School"],
}
SCRIPT = {
    "username": "nightly.sync",
    "display_name": "Nightly sync",
    "organisation": "riverside-usd",
    "roles": ["crisis-lead"],
}


@pytest.fixture
def world(database_url: str) -> Iterator[SignedIn]:
    with signed_in_app(database_url) as signed:
        yield signed


def browser_of(world: SignedIn, username: str) -> TestClient:
    browser = TestClient(world.client.app)
    world.sign_in(browser, username)
    return browser


def test_an_admin_issues_no_token_for_a_person_and_is_told_why(world):
    admin = world.headers["admin"]
    refused = world.client.post(
        "/api/v1/accounts/m.alvarez/tokens", json={"label": "mine now"}, headers=admin
    )
    assert refused.status_code == 403, refused.text
    assert "only m.alvarez can issue" in refused.json()["error"]
    assert "accounts made for scripts" in refused.json()["error"]
    browser = browser_of(world, "admin")
    page = browser.get("/admin/accounts/m.alvarez")
    assert 'id="owner-issues-tokens"' in page.text and 'id="issue-token-form"' not in page.text
    form = browser.post(
        "/admin/accounts/m.alvarez/tokens",
        data={"label": "mine now", "_csrf_token": browser.cookies.get("csrftoken", "")},
    )
    assert form.status_code == 403 and "Only m.alvarez can issue" in form.text
    assert "stdy_" not in form.text
    tokens = world.accounts.account("m.alvarez").tokens
    assert [t.label for t in tokens.values()] == ["tests"]  # the one the lead issued herself


def test_a_person_issues_their_own_token_signed_in_with_their_password(world):
    browser = browser_of(world, "m.alvarez")
    csrf = {"X-CSRFToken": browser.cookies.get("csrftoken", "")}
    issued = browser.post("/api/v1/me/tokens", json={"label": "my laptop"}, headers=csrf)
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    assert world.client.get("/api/v1/incidents", headers=bearer(token)).status_code == 200
    # A token cannot mint more of itself: it would outlive its own revocation.
    minted = world.client.post("/api/v1/me/tokens", json={"label": "more"}, headers=bearer(token))
    assert minted.status_code == 403 and "signed in with your password" in minted.json()["error"]
    page = browser.get("/account/tokens")
    assert page.status_code == 200 and "my laptop" in page.text
    form = browser.post(
        "/account/tokens",
        data={"label": "from the page", "_csrf_token": browser.cookies.get("csrftoken", "")},
    )
    assert form.status_code == 200 and 'id="token-secret"' in form.text


def test_events_made_with_a_token_record_who_issued_it(world):
    admin = world.headers["admin"]
    added = world.client.post("/api/v1/accounts", json=SCRIPT, headers=admin)
    assert added.status_code == 201, added.text
    issued = world.client.post(
        "/api/v1/accounts/nightly.sync/tokens", json={"label": "cron"}, headers=admin
    )
    assert issued.status_code == 201, issued.text
    token, token_id = issued.json()["token"], issued.json()["token_id"]
    opened = world.client.post("/api/v1/incidents", json=INCIDENT, headers=bearer(token))
    assert opened.status_code == 201, opened.text
    ref = opened.json()["reference"]
    events = world.client.get(f"/api/v1/incidents/{ref}/events", headers=world.headers["a.kim"])
    actor = events.json()["events"][0]["actor"]
    assert actor == {
        "user": "nightly.sync",
        "role": "crisis-lead",
        "token": token_id,
        "token_issued_by": "admin",
    }


def test_no_one_grants_themselves_a_role_another_admin_must(world):
    admin = world.headers["admin"]
    refused = world.client.post(
        "/api/v1/accounts/admin/roles", json={"role": "auditor"}, headers=admin
    )
    assert refused.status_code == 403 and "another admin" in refused.json()["error"]
    browser = browser_of(world, "admin")
    assert 'id="no-self-grant"' in browser.get("/admin/accounts/admin").text
    form = browser.post(
        "/admin/accounts/admin/grant-role",
        data={"role": "auditor", "_csrf_token": browser.cookies.get("csrftoken", "")},
    )
    assert form.status_code == 403 and "another admin" in form.text
    assert world.accounts.account("admin").roles == ["admin"]
    second = {**SCRIPT, "username": "second.admin", "roles": ["admin"], "password": DEMO_PASSWORD}
    assert world.client.post("/api/v1/accounts", json=second, headers=admin).status_code == 201
    other = browser_of(world, "second.admin")
    granted = other.post(
        "/api/v1/accounts/admin/roles",
        json={"role": "auditor"},
        headers={"X-CSRFToken": other.cookies.get("csrftoken", "")},
    )
    assert granted.status_code == 200 and granted.json()["roles"] == ["admin", "auditor"]


def test_the_command_line_issues_a_persons_token_only_with_their_password(
    database_url, capsys, monkeypatch
):
    settings = Settings(database_url=database_url)
    with signed_in_app(database_url):
        pass  # seeds the demo accounts

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        parser = argparse.ArgumentParser(prog="steady")
        add_commands(parser.add_subparsers())
        args = parser.parse_args(argv)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            status = args.run(args, settings) or 0
        except Exception as error:  # what service.cli.main prints on stderr, with exit status 1
            print(error, file=sys.stderr)
            status = 1
        out, err = capsys.readouterr()
        return status, out, err

    status, out, err = run("users", "token", "m.alvarez")
    assert status == 1 and "stdy_" not in out and "only they can issue" in err
    status, out, err = run("users", "token", "m.alvarez", "--password-stdin", stdin="wrong one\n")
    assert status == 1 and "stdy_" not in out and "no token was issued" in err
    status, out, _ = run(
        "users", "token", "m.alvarez", "--password-stdin", stdin=f"{DEMO_PASSWORD}\n"
    )
    assert status == 0 and out.startswith("stdy_")
    with open_steady(settings) as steady:
        token = Accounts(steady).account("m.alvarez").tokens[out.split("_")[1]]
        assert token.issued_by.user == "m.alvarez"  # issued by her, not by `cli:...`
