"""The accounts API, the admin pages and the auditor's record of account changes, over real
SQLite and PostgreSQL stores: an admin can do each thing and it takes effect at once; every other
role is refused; no password hash or token secret ever leaves; bad input names its field."""

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from service.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.builders import SignedIn, signed_in_app

ADMIN = "admin"
OTHERS = [demo.username for demo in DEMO_ACCOUNTS if demo.role != "admin"]
PASSWORD = "Marigold kettle 1987 harbour"
NEW_ACCOUNT = {
    "username": "p.silva",
    "display_name": "Paula Silva",
    "organisation": "roosevelt-high-school",
    "roles": ["responder"],
    "positions": ["nurse"],
    "password": PASSWORD,
}
INCIDENT = {
    "title": "Fire alarm",
    "kind": "lockdown",
    "severity": 3,
    "schools": ["Roosevelt High School"],
}
# An account made for a script: no password, so an admin issues its tokens.
SCRIPT_ACCOUNT = {k: v for k, v in NEW_ACCOUNT.items() if k != "password"}
TOKEN = re.compile(r"stdy_([0-9a-f]{12})_([0-9a-f]{48})")
# Every endpoint of the accounts API with a well-formed body: refusals must not depend on it.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/accounts", None),
    ("POST", "/api/v1/accounts", NEW_ACCOUNT),
    ("GET", "/api/v1/accounts/k.okafor", None),
    ("POST", "/api/v1/accounts/k.okafor/roles", {"role": "crisis-lead"}),
    ("DELETE", "/api/v1/accounts/k.okafor/roles/responder", None),
    ("PUT", "/api/v1/accounts/k.okafor/positions", {"positions": ["nurse"]}),
    ("PUT", "/api/v1/accounts/k.okafor/password", {"password": PASSWORD}),
    ("POST", "/api/v1/accounts/k.okafor/disable", {"reason": "left"}),
    ("POST", "/api/v1/accounts/k.okafor/enable", None),
    ("POST", "/api/v1/accounts/k.okafor/tokens", {"label": "x"}),
    ("DELETE", "/api/v1/accounts/k.okafor/tokens/0123456789ab", None),
    ("GET", "/api/v1/organisations", None),
    ("POST", "/api/v1/organisations", {"slug": "food-bank", "name": "Food", "kind": "partner"}),
    ("GET", "/admin/accounts", None),
    ("GET", "/admin/accounts/k.okafor", None),
]


@pytest.fixture
def world(database_url: str) -> Iterator[SignedIn]:
    with signed_in_app(database_url) as signed:
        yield signed


def call(world: SignedIn, username: str, method: str, path: str, body: Any = None) -> Any:
    return world.client.request(method, path, json=body, headers=world.headers[username])


def admin(world: SignedIn, method: str, path: str, body: Any = None) -> Any:
    return call(world, ADMIN, method, path, body)


def board_status(world: SignedIn, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return world.client.get("/api/v1/incidents", headers=headers).status_code


def signs_in(world: SignedIn, username: str, password: str) -> bool:
    browser = TestClient(world.client.app)
    browser.get("/signin")
    response = browser.post(
        "/signin",
        data={
            "username": username,
            "password": password,
            "_csrf_token": browser.cookies.get("csrftoken", ""),
        },
        follow_redirects=False,
    )
    return response.status_code == 303


# -- what an admin can do -----------------------------------------------------------------------


def test_an_admin_adds_an_account_that_can_then_sign_in(world):
    added = admin(world, "POST", "/api/v1/accounts", NEW_ACCOUNT)
    assert added.status_code == 201, added.text
    view = added.json()
    assert view["username"] == "p.silva" and view["roles"] == ["responder"]
    assert view["positions"] == ["nurse"] and view["has_password"] is True
    assert view["created_by"] == "admin (admin)"
    listed = admin(world, "GET", "/api/v1/accounts").json()
    assert "p.silva" in [a["username"] for a in listed["accounts"]]
    assert listed["admins"] == ["admin"]
    assert signs_in(world, "p.silva", PASSWORD)
    again = admin(world, "POST", "/api/v1/accounts", NEW_ACCOUNT)
    assert again.status_code == 409 and "taken" in again.json()["error"]


def test_granted_and_revoked_roles_and_positions_take_effect_at_once(world):
    counselor = world.headers["k.okafor"]
    assert (
        world.client.post("/api/v1/incidents", json=INCIDENT, headers=counselor).status_code == 403
    )
    granted = admin(world, "POST", "/api/v1/accounts/k.okafor/roles", {"role": "crisis-lead"})
    assert granted.status_code == 200 and granted.json()["roles"] == ["crisis-lead", "responder"]
    assert (
        world.client.post("/api/v1/incidents", json=INCIDENT, headers=counselor).status_code == 201
    )
    revoked = admin(world, "DELETE", "/api/v1/accounts/k.okafor/roles/crisis-lead")
    assert revoked.status_code == 200 and revoked.json()["roles"] == ["responder"]
    assert (
        world.client.post("/api/v1/incidents", json=INCIDENT, headers=counselor).status_code == 403
    )
    only = admin(world, "DELETE", "/api/v1/accounts/k.okafor/roles/responder")
    assert only.status_code == 422 and "only role" in only.json()["error"]
    positions = {"positions": ["counselor", "social-worker"]}
    changed = admin(world, "PUT", "/api/v1/accounts/k.okafor/positions", positions)
    assert changed.json()["positions"] == ["counselor", "social-worker"]


def test_a_token_is_shown_once_works_and_stops_when_revoked(world):
    admin(world, "POST", "/api/v1/accounts", {**SCRIPT_ACCOUNT, "username": "export.bot"})
    issued = admin(world, "POST", "/api/v1/accounts/export.bot/tokens", {"label": "nightly export"})
    assert issued.status_code == 201, issued.text
    body = issued.json()
    token = body["token"]
    assert TOKEN.fullmatch(token) and body["token_id"] == TOKEN.fullmatch(token).group(1)
    assert "shown only now" in body["note"]
    assert board_status(world, token) == 200
    shown = admin(world, "GET", "/api/v1/accounts/export.bot").json()
    labels = {t["id"]: t["label"] for t in shown["tokens"]}
    assert labels[body["token_id"]] == "nightly export"
    assert token not in admin(world, "GET", "/api/v1/accounts").text
    revoked = admin(world, "DELETE", f"/api/v1/accounts/export.bot/tokens/{body['token_id']}")
    assert revoked.status_code == 200
    assert next(t for t in revoked.json()["tokens"] if t["id"] == body["token_id"])["revoked_at"]
    assert board_status(world, token) == 401
    twice = admin(world, "DELETE", f"/api/v1/accounts/export.bot/tokens/{body['token_id']}")
    assert twice.status_code == 422 and "already revoked" in twice.json()["error"]


def test_a_disabled_account_is_locked_out_until_enabled_and_the_last_admin_stays(world):
    token = world.headers["r.patel"]["Authorization"].removeprefix("Bearer ")
    disabled = admin(world, "POST", "/api/v1/accounts/r.patel/disable", {"reason": "on leave"})
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    assert board_status(world, token) == 401
    assert not signs_in(world, "r.patel", DEMO_PASSWORD)
    enabled = admin(world, "POST", "/api/v1/accounts/r.patel/enable")
    assert enabled.status_code == 200 and enabled.json()["disabled"] is False
    assert board_status(world, token) == 200
    last = admin(world, "POST", "/api/v1/accounts/admin/disable", {"reason": "testing"})
    assert last.status_code == 422 and "last enabled admin" in last.json()["error"]


def test_an_admin_sets_a_password_and_adds_organisations(world):
    changed = admin(world, "PUT", "/api/v1/accounts/d.chen/password", {"password": PASSWORD})
    assert changed.status_code == 200
    assert signs_in(world, "d.chen", PASSWORD) and not signs_in(world, "d.chen", DEMO_PASSWORD)
    food_bank = {"slug": "food-bank", "name": "Riverside Food Bank", "kind": "partner"}
    added = admin(world, "POST", "/api/v1/organisations", food_bank)
    assert added.status_code == 201 and added.json() == {**food_bank, "stands_in": []}
    listed = admin(world, "GET", "/api/v1/organisations").json()["organisations"]
    assert {**food_bank, "stands_in": []} in listed and listed[0]["kind"] == "district"
    assert admin(world, "POST", "/api/v1/organisations", food_bank).status_code == 409
    volunteer = {**NEW_ACCOUNT, "organisation": "food-bank", "positions": []}
    refused = admin(world, "POST", "/api/v1/accounts", volunteer)
    assert refused.status_code == 422 and "only the partner role" in refused.json()["error"]
    partner = admin(world, "POST", "/api/v1/accounts", {**volunteer, "roles": ["partner"]})
    assert partner.status_code == 201 and partner.json()["organisation"] == "food-bank"


# -- who may ------------------------------------------------------------------------------------


def test_every_other_role_is_refused_whatever_it_sends(world):
    for username in OTHERS:
        for method, path, body in ENDPOINTS:
            response = call(world, username, method, path, body)
            assert response.status_code == 403, (username, method, path, response.text[:200])
            if path.startswith("/api/"):
                assert "may not add accounts, grant and revoke roles" in response.json()["error"]
        garbage = call(world, username, "POST", "/api/v1/accounts", {"username": 7})
        assert garbage.status_code == 403  # refused before the body is read
    for method, path, body in ENDPOINTS:
        response = world.client.request(method, path, json=body, follow_redirects=False)
        expected = 401 if path.startswith("/api/") else 303
        assert response.status_code == expected, (method, path)
    # Nothing a refused request asked for happened.
    accounts = admin(world, "GET", "/api/v1/accounts").json()["accounts"]
    okafor = next(a for a in accounts if a["username"] == "k.okafor")
    assert okafor["roles"] == ["responder"] and not okafor["disabled"]
    assert "p.silva" not in [a["username"] for a in accounts]


def test_account_changes_are_for_auditors_only(world):
    for username in [ADMIN, *OTHERS]:
        response = call(world, username, "GET", "/api/v1/audit/account-changes")
        assert response.status_code == (200 if username == "a.kim" else 403), username


# -- the auditor's record -------------------------------------------------------------------------


def test_auditors_see_who_granted_what_to_whom_and_when(world):
    admin(world, "POST", "/api/v1/accounts", SCRIPT_ACCOUNT)
    admin(world, "POST", "/api/v1/accounts/p.silva/roles", {"role": "district-leader"})
    admin(world, "POST", "/api/v1/accounts/p.silva/tokens", {"label": "sync"})
    admin(world, "POST", "/api/v1/accounts/p.silva/disable", {"reason": "left the district"})
    auditor = world.headers["a.kim"]
    changes = world.client.get(
        "/api/v1/audit/account-changes", params={"account": "p.silva"}, headers=auditor
    ).json()["changes"]
    assert [c["type"] for c in changes] == [
        "account_created",
        "role_granted",
        "token_issued",
        "account_disabled",
        "sessions_ended",  # disabling ends every session
    ]
    assert all(c["account"] == "p.silva" for c in changes)
    admin_token = world.headers[ADMIN]["Authorization"].split("_")[1]
    # The admin acted with a token she issued herself: each change says so.
    assert all(
        c["actor"]
        == {"user": "admin", "role": "admin", "token": admin_token, "token_issued_by": "admin"}
        for c in changes
    )
    granted = changes[1]
    assert granted["details"] == {"role": "district-leader"}
    assert granted["summary"] == "admin (admin) granted the role district-leader to p.silva"
    assert changes[-2]["summary"] == "admin (admin) disabled p.silva: left the district"
    assert changes[-1]["summary"] == "admin (admin) ended every session of p.silva (disabled)"
    assert granted["at"] <= changes[-1]["at"]
    assert changes == sorted(changes, key=lambda c: c["position"])

    everything = world.client.get("/api/v1/audit/account-changes?limit=1000", headers=auditor)
    kinds = {c["type"] for c in everything.json()["changes"]}
    assert {"organisation_created", "account_created", "token_issued"} <= kinds
    first = world.client.get("/api/v1/audit/account-changes?limit=2", headers=auditor).json()
    assert len(first["changes"]) == 2
    after = first["last_position"]
    rest = world.client.get(f"/api/v1/audit/account-changes?after={after}", headers=auditor)
    assert rest.json()["changes"][0]["position"] > after


# -- secrets --------------------------------------------------------------------------------------


def test_no_password_hash_or_token_secret_ever_leaves(world):
    admin(world, "POST", "/api/v1/accounts", SCRIPT_ACCOUNT)
    token = admin(world, "POST", "/api/v1/accounts/p.silva/tokens", {"label": "cron"}).json()
    secret = TOKEN.fullmatch(token["token"]).group(2)
    digest = hashlib.sha256(secret.encode()).hexdigest()
    admin(world, "PUT", "/api/v1/accounts/p.silva/password", {"password": PASSWORD + "!"})
    auditor = world.headers["a.kim"]
    answers = [
        admin(world, "GET", "/api/v1/accounts").text,
        admin(world, "GET", "/api/v1/accounts/p.silva").text,
        admin(world, "POST", "/api/v1/accounts/p.silva/disable", {"reason": "x"}).text,
        admin(world, "GET", "/admin/accounts").text,
        admin(world, "GET", "/admin/accounts/p.silva").text,
        world.client.get("/api/v1/audit/account-changes?limit=1000", headers=auditor).text,
        world.client.get("/schema/openapi.json").text,
    ]
    for text in answers:
        assert "$argon2" not in text and "password_hash" not in text
        assert secret not in text and digest not in text and "secret_digest" not in text
        assert PASSWORD not in text


# -- bad input ------------------------------------------------------------------------------------


def new(**changes: Any) -> dict[str, Any]:
    return {**NEW_ACCOUNT, **changes}


def org(slug: str = "food", kind: str = "partner") -> dict[str, str]:
    return {"slug": slug, "name": "Food bank", "kind": kind}


ACCOUNTS = "/api/v1/accounts"
OKAFOR = "/api/v1/accounts/k.okafor"
BAD_INPUT = [
    ("POST", ACCOUNTS, new(username="P Silva"), "username", "not valid"),
    ("POST", ACCOUNTS, new(display_name=" "), "display_name", "empty"),
    ("POST", ACCOUNTS, new(roles=[]), "roles", "at least one role"),
    ("POST", ACCOUNTS, new(roles=["boss"]), "roles", "unknown role 'boss'"),
    ("POST", ACCOUNTS, new(positions=["Head Nurse"]), "positions", "not valid"),
    ("POST", ACCOUNTS, new(password="short"), "password", "at least 12"),
    ("POST", ACCOUNTS, {"username": "p.silva"}, "display_name", "required"),
    ("POST", f"{OKAFOR}/roles", {"role": "boss"}, "role", "unknown role"),
    ("PUT", f"{OKAFOR}/positions", {"positions": "nurse"}, "positions", "list"),
    ("PUT", f"{OKAFOR}/password", {"password": "k.okafor"}, "password", "too short"),
    ("POST", f"{OKAFOR}/tokens", {"label": ""}, "label", "empty"),
    ("DELETE", f"{OKAFOR}/tokens/nope", None, "token_id", "not a token id"),
    ("POST", "/api/v1/organisations", org(slug="Food Bank"), "slug", "not valid"),
    ("POST", "/api/v1/organisations", org(kind="club"), "kind", "unknown kind"),
]


@pytest.mark.parametrize(("method", "path", "body", "field", "words"), BAD_INPUT)
def test_bad_input_is_a_400_naming_the_field(world, method, path, body, field, words):
    response = admin(world, method, path, body)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["field"] == field and words in answer["error"], answer


# Well-formed, but naming something there is none of: a 404 naming the field, as an unknown id in
# the path is (the API's document can say what an id looks like, never which ones exist).
UNKNOWN = [
    ("POST", ACCOUNTS, new(organisation="nowhere"), "organisation", "no organisation 'nowhere'"),
    ("PUT", f"{OKAFOR}/schools", {"schools": ["nowhere"]}, "schools", "no school 'nowhere'"),
]


@pytest.mark.parametrize(("method", "path", "body", "field", "words"), UNKNOWN)
def test_naming_what_there_is_none_of_is_a_404_naming_the_field(
    world, method, path, body, field, words
):
    response = admin(world, method, path, body)
    assert response.status_code == 404, response.text
    answer = response.json()
    assert answer["field"] == field and words in answer["error"], answer
    unknown_token = admin(world, "DELETE", f"{OKAFOR}/tokens/0123456789ab")
    assert unknown_token.status_code == 404 and "no token" in unknown_token.json()["error"]


def test_bad_paging_of_account_changes_names_the_parameter(world):
    auditor = world.headers["a.kim"]
    for query, field in [("limit=0", "limit"), ("after=-1", "after"), ("account=A B", "account")]:
        response = world.client.get(f"/api/v1/audit/account-changes?{query}", headers=auditor)
        assert response.status_code == 400 and response.json()["field"] == field, query
    missing = admin(world, "GET", "/api/v1/accounts/nobody")
    assert missing.status_code == 404 and "no account 'nobody'" in missing.json()["error"]


# -- the admin pages ------------------------------------------------------------------------------


def browser_for(world: SignedIn, username: str) -> TestClient:
    """A client signed in through the form, with its own cookies, as a browser is."""
    browser = TestClient(world.client.app)
    world.sign_in(browser, username)
    return browser


def form(browser: TestClient, **fields: Any) -> dict[str, Any]:
    return {**fields, "_csrf_token": browser.cookies.get("csrftoken", "")}


def test_the_admin_pages_add_an_account_and_show_a_token_once(world):
    browser = browser_for(world, ADMIN)
    listing = browser.get("/admin/accounts")
    assert listing.status_code == 200
    assert 'href="/admin/accounts" aria-current="page">Accounts<' in listing.text
    assert 'id="account-k.okafor"' in listing.text and "Kemi Okafor" in listing.text

    fields = {k: v for k, v in NEW_ACCOUNT.items() if k not in ("positions", "roles")}
    forged = browser.post("/admin/accounts", data={**fields, "roles": "responder"})
    assert forged.status_code == 403  # no CSRF token

    short = form(browser, **{**fields, "password": "short", "roles": ["responder", "auditor"]})
    refused = browser.post("/admin/accounts", data=short)
    assert refused.status_code == 400
    assert "The password is too short: use at least 12 characters" in refused.text
    assert 'aria-invalid="true" aria-describedby="account-password-hint' in refused.text
    assert 'value="p.silva"' in refused.text and 'value="short"' not in refused.text

    done = browser.post(
        "/admin/accounts",
        data=form(browser, **fields, roles=["responder", "auditor"], positions="nurse, teacher"),
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin/accounts/p.silva"
    page = browser.get("/admin/accounts/p.silva").text
    assert "Added p.silva." in page and "nurse, teacher" in page
    assert "Added p.silva." not in browser.get("/admin/accounts/p.silva").text  # shown once

    assert 'id="owner-issues-tokens"' in page  # she has a password: only she issues hers
    script = {**fields, "username": "export.bot", "password": ""}
    browser.post("/admin/accounts", data=form(browser, **script, roles=["auditor"]))
    issued = browser.post("/admin/accounts/export.bot/tokens", data=form(browser, label="exports"))
    assert issued.status_code == 200 and "Steady will not show it again" in issued.text
    token = TOKEN.search(issued.text)
    assert token is not None and board_status(world, token.group(0)) == 200
    again = browser.get("/admin/accounts/export.bot").text
    assert "exports" in again and token.group(0) not in again and token.group(2) not in again


def test_the_admin_pages_change_roles_and_disable_with_a_reason(world):
    browser = browser_for(world, ADMIN)
    path = "/admin/accounts/l.nguyen"
    granted = browser.post(f"{path}/grant-role", data=form(browser, role="auditor"))
    assert (
        granted.status_code == 200 and "Granted Auditor (reads only) to l.nguyen." in granted.text
    )
    revoked = browser.post(f"{path}/revoke-role", data=form(browser, role="auditor"))
    assert "Revoked Auditor (reads only) from l.nguyen." in revoked.text
    only = browser.post(f"{path}/revoke-role", data=form(browser, role="responder"))
    assert only.status_code == 422 and "only role of l.nguyen" in only.text

    no_reason = browser.post(f"{path}/disable", data=form(browser))
    assert no_reason.status_code == 400 and "Say why the account is disabled" in no_reason.text
    disabled = browser.post(f"{path}/disable", data=form(browser, reason="left the district"))
    assert "Disabled l.nguyen" in disabled.text and 'id="account-status">Disabled<' in disabled.text
    token = world.headers["l.nguyen"]["Authorization"].removeprefix("Bearer ")
    assert board_status(world, token) == 401
    enabled = browser.post(f"{path}/enable", data=form(browser))
    assert "Enabled l.nguyen" in enabled.text and board_status(world, token) == 200

    organisation = form(browser, slug="food-bank", name="Riverside Food Bank", kind="partner")
    added = browser.post("/admin/organisations", data=organisation)
    assert "Added the organisation Riverside Food Bank (food-bank)." in added.text
    taken = browser.post("/admin/organisations", data=organisation)
    assert taken.status_code == 409 and "already an organisation" in taken.text


def test_the_admin_pages_are_for_admins_only(world):
    lead = browser_for(world, "m.alvarez")
    refused = lead.get("/admin/accounts")
    assert refused.status_code == 403 and "Not for your role" in refused.text
    assert 'href="/admin/accounts"' not in lead.get("/").text  # no Accounts link in the nav
    posted = lead.post("/admin/accounts/k.okafor/disable", data=form(lead, reason="x"))
    assert posted.status_code == 403
    stranger = TestClient(world.client.app)
    page = stranger.get("/admin/accounts/k.okafor", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/signin?next=/admin/accounts/k.okafor"
