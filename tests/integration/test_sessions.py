"""Sessions end on the server: sign-out, a new password and disabling stop every copy of the
cookie, on every instance, and close the live feed of whatever was revoked."""

from collections.abc import Iterator

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.config import Settings
from tests.builders import FAST_HASHER, SignedIn, signed_in_app
from web.access.sessions import CSRF_COOKIE, SESSION_COOKIE
from web.app import create_app

NEW_PASSWORD = "Lantern orchard 2031 pebble"


@pytest.fixture
def fresh(sqlite_url) -> Iterator[SignedIn]:
    with signed_in_app(sqlite_url) as signed:
        yield signed


def browser_of(signed: SignedIn, username: str) -> TestClient:
    browser = TestClient(signed.client.app)  # not entered: that would stop the app
    signed.sign_in(browser, username)
    return browser


def copy_of(browser: TestClient, app=None) -> TestClient:
    """Another client holding a copy of the browser's session cookie (a stolen cookie)."""
    thief = TestClient(app or browser.app)
    thief.cookies.set(SESSION_COOKIE, browser.cookies.get(SESSION_COOKIE) or "")
    return thief


def admin_of(signed: SignedIn):
    return signed.accounts.account("admin").acting_as()


def sign_out(browser: TestClient) -> None:
    response = browser.post(
        "/signout",
        data={"_csrf_token": browser.cookies.get(CSRF_COOKIE, "")},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(fresh):
    browser = browser_of(fresh, "k.okafor")
    thief = copy_of(browser)
    other_device = browser_of(fresh, "k.okafor")
    assert thief.get("/api/v1/incidents").status_code == 200
    sign_out(browser)
    assert thief.get("/api/v1/incidents").status_code == 401
    # Sign-out ends every session of the account, the other device's too.
    assert other_device.get("/api/v1/incidents").status_code == 401
    assert browser_of(fresh, "k.okafor").get("/api/v1/incidents").status_code == 200


def test_a_new_password_ends_every_session(fresh):
    browser = browser_of(fresh, "k.okafor")
    thief = copy_of(browser)
    fresh.accounts.set_password("k.okafor", NEW_PASSWORD, actor=admin_of(fresh))
    assert browser.get("/api/v1/incidents").status_code == 401
    assert thief.get("/api/v1/incidents").status_code == 401


def test_a_disabled_and_enabled_again_account_needs_a_new_sign_in(fresh):
    browser = browser_of(fresh, "k.okafor")
    fresh.accounts.disable("k.okafor", actor=admin_of(fresh), reason="lost laptop")
    fresh.accounts.enable("k.okafor", actor=admin_of(fresh))
    assert copy_of(browser).get("/api/v1/incidents").status_code == 401
    assert browser_of(fresh, "k.okafor").get("/api/v1/incidents").status_code == 200


def test_sign_out_through_one_instance_ends_the_session_on_another(postgres_url):
    with signed_in_app(postgres_url) as one:
        settings = Settings(database_url=postgres_url)
        steady = open_steady(settings)
        accounts = Accounts(steady, hasher=FAST_HASHER)
        with TestClient(create_app(steady, settings, accounts=accounts)) as two:
            browser = browser_of(one, "k.okafor")
            on_two = copy_of(browser, two.app)
            assert on_two.get("/api/v1/incidents").status_code == 200
            sign_out(browser)
            assert on_two.get("/api/v1/incidents").status_code == 401


def test_the_csrf_token_is_bound_to_the_session_and_renewed_at_sign_in(fresh):
    browser = TestClient(fresh.client.app)
    browser.get("/signin")
    before = browser.cookies.get(CSRF_COOKIE)
    fresh.sign_in(browser, "k.okafor")
    after = browser.cookies.get(CSRF_COOKIE)
    assert before and after and before != after
    path = "/api/v1/incidents/INC-2026-0001/notes"
    # An attacker's own csrftoken pair, planted beside the victim's session, is refused.
    attacker = TestClient(fresh.client.app)
    attacker.get("/signin")
    planted = attacker.cookies.get(CSRF_COOKIE) or ""
    victim = copy_of(browser)
    victim.cookies.set(CSRF_COOKIE, planted)
    forged = victim.post(path, json={"text": "forged"}, headers={"X-CSRFToken": planted})
    assert forged.status_code == 403 and "CSRF" in forged.json()["error"]
    # The pre-sign-in token no longer works either.
    victim.cookies.set(CSRF_COOKIE, before or "")
    stale = victim.post(path, json={"text": "stale"}, headers={"X-CSRFToken": before or ""})
    assert stale.status_code == 403


def test_strict_transport_security_over_https_only(fresh):
    secure = TestClient(fresh.client.app, base_url="https://testserver.local")
    hsts = secure.get("/signin").headers.get("strict-transport-security", "")
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 15552000
    assert "strict-transport-security" not in fresh.client.get("/signin").headers


def test_a_valid_token_is_never_blocked_by_password_failures(fresh):
    client = TestClient(fresh.client.app)
    client.get("/signin")
    for _ in range(6):
        client.post(
            "/signin",
            data={
                "username": "m.alvarez",
                "password": "a wrong guess",
                "_csrf_token": client.cookies.get(CSRF_COOKIE, ""),
            },
        )
    headers = fresh.headers["m.alvarez"]
    assert client.get("/api/v1/incidents", headers=headers).status_code == 200
    with client.websocket_connect("/ws/board", headers=headers) as socket:
        assert socket.receive_json()["type"] == "caught_up"


# -- the live feed ----------------------------------------------------------------------------


def closed_code(socket: WebSocketTestSession) -> int:
    """Reads until the server closes the socket (heartbeats come every half second)."""
    for _ in range(20):
        try:
            message = socket.receive_json()
        except WebSocketDisconnect as closed:
            return closed.code
        assert message["type"] in ("heartbeat", "caught_up"), message
    raise AssertionError("the socket stayed open")


def caught_up(socket: WebSocketTestSession) -> WebSocketTestSession:
    assert socket.receive_json()["type"] == "caught_up"
    return socket


def test_revoking_a_token_or_disabling_closes_the_live_feed(fresh):
    admin = admin_of(fresh)
    owner = fresh.accounts.account("r.patel").acting_as()
    token = fresh.accounts.issue_token("r.patel", "second", actor=owner)
    second = {"Authorization": f"Bearer {token}"}
    with fresh.client.websocket_connect("/ws/board?after=999999", headers=second) as socket:
        caught_up(socket)
        fresh.accounts.revoke_token("r.patel", token.split("_")[1], actor=admin)
        assert closed_code(socket) == 1008
    headers = fresh.headers["r.patel"]
    with fresh.client.websocket_connect("/ws/board?after=999999", headers=headers) as socket:
        caught_up(socket)
        fresh.accounts.disable("r.patel", actor=admin, reason="left")
        assert closed_code(socket) == 1008


def test_a_role_taken_away_closes_the_live_feed(fresh):
    admin = admin_of(fresh)
    fresh.accounts.grant_role("r.patel", "admin", actor=admin)
    headers = fresh.headers["r.patel"]
    with fresh.client.websocket_connect("/ws/board?after=999999", headers=headers) as socket:
        caught_up(socket)
        fresh.accounts.revoke_role("r.patel", "district-leader", actor=admin)
        assert closed_code(socket) == 1008


def test_an_ended_session_closes_the_live_feed(fresh):
    browser = browser_of(fresh, "r.patel")
    with browser.websocket_connect("/ws/board?after=999999") as socket:
        caught_up(socket)
        sign_out(browser_of(fresh, "r.patel"))  # signing out anywhere ends them all
        assert closed_code(socket) == 1008
