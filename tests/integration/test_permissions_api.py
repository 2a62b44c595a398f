"""Every demo account (one per role) against every endpoint, page and the live feed: 2xx where the
permission matrix allows the action, 403 where it does not, and 404 for a partner on any incident
not shared with their organisation, a responder on another school's incident, and anyone but
crisis leads, auditors and the case team on a confidential one (to them it does not exist).
What a partner sees inside a shared incident is tested in test_sharing.py. Then signing in: no
credentials, CSRF, throttling, disabled accounts."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from service.access.permissions import ACTIONS, MATRIX
from service.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from service.incidents.application import Steady
from tests.builders import LEAD, SignedIn, signed_in_app

# One person of each kind the rules tell apart: every role, and responders at a school, at
# another school and at the district office for two schools. The demo's other staff hold more
# positions of the same kinds, and would only multiply the matrix.
USERS = ["admin", "m.alvarez", "k.okafor", "d.chen", "l.nguyen", "r.patel", "j.brooks", "a.kim"]
ROLE_OF = {demo.username: demo.role for demo in DEMO_ACCOUNTS}
PARTNER = "j.brooks"
PARTNER_ORG = "eastside-counseling"
# The walk's incidents are at Roosevelt High School: the only responder of that school.
OF_THE_SCHOOL = {"k.okafor"}
CASE_TEAM = "l.nguyen"  # of the district, with neither Roosevelt given nor a task named to her


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {ref}: the incident; {note}: a note the caller wrote
    action: str
    body: dict[str, Any] | None = None
    prepare: str = "shared"  # "shared" reads one incident; others make a fresh one
    ok: int = 200

    @property
    def on_incident(self) -> bool:
        return "{ref}" in self.path


INC = "/api/v1/incidents/{ref}"
ENDPOINTS = [
    Endpoint("GET", "/api/v1/incidents", "view_board"),
    Endpoint("GET", "/api/v1/events", "view_board"),
    Endpoint("GET", INC, "view_incident"),
    Endpoint("GET", INC + "/events", "view_incident"),
    Endpoint("GET", INC + "/state", "view_incident"),
    Endpoint("GET", INC + "/state?version=1", "replay"),
    Endpoint("GET", INC + "/diff?from=1&to=2", "replay"),
    Endpoint("GET", INC + "/timeline", "view_timeline"),
    Endpoint("GET", INC + "/timeline.csv", "view_timeline"),
    Endpoint("GET", INC + "/export", "export"),
    Endpoint("GET", INC + "/verify", "verify"),
    Endpoint("GET", "/api/v1/verify", "verify"),
    Endpoint(
        "POST",
        "/api/v1/incidents",
        "open_incident",
        ok=201,
        prepare="none",
        body={
            "title": "Fire alarm",
            "kind": "lockdown",
            "severity": 3,
            "schools": ["Roosevelt High School"],
        },
    ),
    Endpoint(
        "POST",
        INC + "/playbooks",
        "apply_playbook",
        {"playbook_id": "lockdown-or-threat"},
        "fresh",
        201,
    ),
    Endpoint(
        "POST",
        INC + "/tasks",
        "assign_task",
        {"title": "Gate", "owner_role": "nurse"},
        "fresh",
        201,
    ),
    Endpoint("POST", INC + "/tasks/T1/status", "update_task", {"status": "in_progress"}, "fresh"),
    Endpoint(
        "POST",
        INC + "/tasks/T1/assignment",
        "assign_task",
        {"kind": "person", "name": "l.nguyen"},
        "fresh",
    ),
    Endpoint("POST", INC + "/notes", "add_note", {"text": "Buses at 3"}, "fresh", 201),
    Endpoint(
        "POST",
        INC + "/notes/{note}/corrections",
        "correct_note",
        {"text": "Buses at 3:15", "reason": "typo"},
        "own-note",
        201,
    ),
    Endpoint("POST", INC + "/severity", "change_severity", {"severity": 2}, "fresh"),
    Endpoint("POST", INC + "/phase", "advance_phase", {"phase": "stabilization"}, "fresh"),
    Endpoint(
        "POST",
        INC + "/close",
        "close_incident",
        {"review_summary": "Done", "open_tasks": "done"},
        "fresh",
    ),
    Endpoint(
        "POST",
        INC + "/tasks/T1/schedule",
        "replan_task",
        {"due_at": "2026-12-01T09:00", "reason": "Family away"},
        "fresh",
    ),
    Endpoint("POST", INC + "/reopen", "reopen_incident", {"reason": "Follow-up"}, "closed"),
    Endpoint(
        "POST", INC + "/shares", "share_incident", {"organisation": PARTNER_ORG}, "fresh", 201
    ),
    Endpoint(
        "POST",
        INC + f"/shares/{PARTNER_ORG}/end",
        "share_incident",
        {"reason": "Groups ended"},
        "partner-shared",
    ),
    Endpoint(
        "POST",
        INC + "/notes/N1/shares",
        "share_incident",
        {"organisation": PARTNER_ORG},
        "partner-shared",
        201,
    ),
    Endpoint(
        "POST", INC + "/confidential", "restrict_incident", {"reason": "one student"}, "fresh"
    ),
    Endpoint("POST", INC + "/confidential/end", "restrict_incident", {"reason": "hoax"}, "marked"),
    Endpoint(
        "POST", INC + "/case-team", "restrict_incident", {"username": "k.okafor"}, "fresh", 201
    ),
    Endpoint("POST", INC + "/case-team/l.nguyen/remove", "restrict_incident", {}, "case-team"),
    Endpoint("GET", INC + "/views", "view_audit_log"),
    Endpoint("GET", "/api/v1/accounts", "manage_accounts", prepare="none"),
    Endpoint("GET", "/api/v1/accounts/k.okafor", "manage_accounts", prepare="none"),
    Endpoint(
        "PUT",
        "/api/v1/accounts/l.nguyen/schools",
        "manage_accounts",
        {"schools": ["lincoln-elementary"]},
        "none",
    ),
    Endpoint("GET", "/api/v1/organisations", "manage_accounts", prepare="none"),
    Endpoint(
        "POST",
        "/api/v1/organisations",
        "manage_accounts",
        {"slug": "riverside-food-bank", "name": "Riverside Food Bank", "kind": "partner"},
        "none",
        201,
    ),
    Endpoint("GET", "/api/v1/audit/account-changes", "view_audit_log", prepare="none"),
    # pages
    Endpoint("GET", "/", "view_board"),
    Endpoint("GET", "/incidents/new", "open_incident"),
    Endpoint("GET", "/incidents/{ref}", "view_incident"),
    Endpoint("GET", "/incidents/{ref}/parts", "view_incident"),
    Endpoint("GET", "/incidents/{ref}/card", "view_board"),
    Endpoint("GET", "/incidents/{ref}/timeline", "view_timeline"),
    Endpoint("GET", "/incidents/{ref}/replay", "replay"),
    Endpoint("GET", "/incidents/{ref}/report", "view_timeline"),
    Endpoint("GET", "/incidents/{ref}/views", "view_audit_log"),
    Endpoint("GET", "/admin/accounts", "manage_accounts", prepare="none"),
]


def expected(username: str, endpoint: Endpoint) -> int:
    role = ROLE_OF[username]
    if role == "partner" and endpoint.on_incident and endpoint.prepare != "partner-shared":
        return 404  # not shared with their organisation: to them it does not exist
    on_team = endpoint.prepare == "case-team" and username == CASE_TEAM
    if (
        role == "responder"
        and endpoint.on_incident
        and username not in OF_THE_SCHOOL
        and not on_team
    ):
        return 404  # another school's incident: to them it does not exist either
    if (
        endpoint.prepare == "marked"
        and endpoint.on_incident
        and role not in ("crisis-lead", "auditor", "admin")
    ):
        return 404  # confidential, and they are not on its case team
    if role == "admin" and endpoint.path == "/":
        return 200  # an account administrator's home is the accounts page: redirected there
    allowed = endpoint.action in MATRIX[role]
    if endpoint.action == "update_task" and role == "responder":
        allowed = username == "k.okafor"  # T1 is the counselor's; only k.okafor is one
    return endpoint.ok if allowed else 403


def open_incident(steady: Steady) -> str:
    ref = steady.open_incident(
        title="Lockdown after a report of a weapon",
        kind="lockdown",
        severity=1,
        schools=["Roosevelt High School"],
        actor=LEAD,
    ).reference
    steady.add_task(ref, title="Call the family", owner_role="counselor", actor=LEAD)
    steady.add_note(ref, "Police on site", actor=LEAD)
    return ref


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[SignedIn]:
    url = f"sqlite:///{tmp_path_factory.mktemp('permissions')}/steady.db"
    with signed_in_app(url) as signed:
        signed.ref = open_incident(signed.client.app.state.steady)
        yield signed


def path_for(world: SignedIn, username: str, endpoint: Endpoint) -> str:
    steady: Steady = world.client.app.state.steady
    if endpoint.prepare == "none":
        return endpoint.path
    if endpoint.prepare == "shared":
        return endpoint.path.format(ref=world.ref)
    ref = open_incident(steady)
    note = ""
    if endpoint.prepare == "own-note":
        writer = world.accounts.account(username)
        actor = writer.acting_as() if writer.roles else LEAD
        note = steady.add_note(ref, "Buses at 3", actor=actor).detail["note_id"]
    if endpoint.prepare == "closed":
        steady.close_incident(ref, "Done", open_tasks="done", actor=LEAD)
    if endpoint.prepare == "partner-shared":
        steady.share_incident(ref, PARTNER_ORG, "Eastside Counseling Center", actor=LEAD)
    if endpoint.prepare == "marked":
        steady.mark_confidential(ref, actor=LEAD)
    if endpoint.prepare == "case-team":
        steady.add_to_case_team(ref, "l.nguyen", actor=LEAD)
    return endpoint.path.format(ref=ref, note=note)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
@pytest.mark.parametrize("username", USERS)
def test_every_role_against_every_endpoint(world, username, endpoint):
    path = path_for(world, username, endpoint)
    response = world.client.request(
        endpoint.method, path, json=endpoint.body, headers=world.headers[username]
    )
    want = expected(username, endpoint)
    assert response.status_code == want, (username, path, response.text[:300])
    if want == 403 and path.startswith("/api/"):
        assert f"your role may not {ACTIONS[endpoint.action]}" in response.json()["error"]


@pytest.fixture(scope="module")
def confidential_case(world) -> str:
    """A bullying report at Roosevelt High School: confidential by its kind, with one person
    on its case team."""
    steady: Steady = world.client.app.state.steady
    ref = steady.open_incident(
        title="Report of repeated harassment of S-2210",
        kind="bullying",
        severity=3,
        schools=["Roosevelt High School"],
        actor=LEAD,
    ).reference
    steady.add_task(ref, title="Call the family", owner_role="counselor", actor=LEAD)
    steady.add_to_case_team(ref, CASE_TEAM, actor=LEAD)
    return ref


@pytest.mark.parametrize(
    "endpoint",
    [e for e in ENDPOINTS if e.on_incident and e.method == "GET"],
    ids=lambda e: f"{e.method} {e.path}",
)
@pytest.mark.parametrize("username", USERS)
def test_a_confidential_case_exists_only_for_leads_auditors_and_its_case_team(
    world, confidential_case, username, endpoint
):
    path = endpoint.path.format(ref=confidential_case)
    response = world.client.get(path, headers=world.headers[username])
    role = ROLE_OF[username]
    if role in ("crisis-lead", "auditor", "admin") or username == CASE_TEAM:
        want = endpoint.ok if endpoint.action in MATRIX[role] else 403
    else:
        want = 404
    assert response.status_code == want, (username, path, response.text[:300])


def about(ref: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m.get("incident", {}).get("reference") == ref]


def test_a_partner_sees_nothing_of_an_incident_not_shared_with_them(world):
    headers = world.headers[PARTNER]
    listed = world.client.get("/api/v1/incidents?all=true", headers=headers).json()["incidents"]
    assert world.ref not in [i["reference"] for i in listed]
    events = world.client.get("/api/v1/events?limit=1000", headers=headers).json()["events"]
    assert about(world.ref, events) == []
    board = world.client.get("/", headers=headers).text
    assert world.ref not in board
    lead = world.client.get("/api/v1/incidents", headers=world.headers["m.alvarez"]).json()
    assert world.ref in [i["reference"] for i in lead["incidents"]]


def live_messages(
    client: TestClient, headers: dict[str, str], act: Callable[[], int]
) -> list[dict[str, Any]]:
    """What a websocket receives from position 0 until a heartbeat past the position `act`
    returns (heartbeats carry the hub's position, whatever each audience was sent)."""
    with client.websocket_connect("/ws/board?after=0", headers=headers) as socket:
        messages = []
        while (message := socket.receive_json())["type"] != "caught_up":
            if message["type"] != "heartbeat":
                messages.append(message)
        messages.append(message)
        position = act()
        while True:
            message = socket.receive_json()
            if message["type"] != "heartbeat":
                messages.append(message)
            elif message["position"] >= position:
                return messages


def test_the_websocket_sends_a_partner_nothing_of_an_incident_not_shared(world):
    steady: Steady = world.client.app.state.steady

    def add_note() -> int:
        return steady.add_note(world.ref, "Reunification at 4", actor=LEAD).position

    partner = live_messages(world.client, world.headers[PARTNER], add_note)
    assert about(world.ref, partner) == [] and partner[-1]["type"] != "note_added"
    lead = live_messages(world.client, world.headers["m.alvarez"], add_note)
    assert {"incident_opened", "note_added"} <= {m["type"] for m in about(world.ref, lead)}


def test_the_websocket_refuses_no_credentials_and_roles_without_the_board(world):
    refusals = [
        ({}, "sign in first"),
        ({"Authorization": "Bearer stdy_wrong"}, "sign in first"),
        (world.headers["admin"], "your role may not see the board of open incidents"),
        ({**world.headers["m.alvarez"], "Origin": "https://elsewhere.example"}, "sign in first"),
    ]
    for headers, reason in refusals:
        with world.client.websocket_connect("/ws/board?after=0", headers=headers) as socket:
            with pytest.raises(WebSocketDisconnect) as closed:
                socket.receive()
            assert closed.value.code == 1008 and closed.value.detail == reason


def test_no_credentials_is_a_401_for_the_api_and_a_redirect_for_pages(world):
    client = world.client
    response = client.get("/api/v1/incidents")
    assert response.status_code == 401 and "sign in" in response.json()["error"]
    response = client.post(f"/api/v1/incidents/{world.ref}/notes", json={"text": "x"})
    assert response.status_code == 401
    page = client.get(f"/incidents/{world.ref}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/signin?next=/incidents/{world.ref}"


def another_browser(world: SignedIn) -> TestClient:
    """A second client on the same app, with its own cookies. Not entered as a context: that
    would run the app's shutdown, which closes the store, when it exits."""
    return TestClient(world.client.app)


def test_a_cookie_session_post_needs_the_csrf_token(world):
    browser = another_browser(world)
    world.sign_in(browser, "m.alvarez")
    path = f"/api/v1/incidents/{world.ref}/notes"
    refused = browser.post(path, json={"text": "forged"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
    token = browser.cookies.get("csrftoken")
    done = browser.post(path, json={"text": "mine"}, headers={"X-CSRFToken": token})
    assert done.status_code == 201, done.text
    events = browser.get(f"/api/v1/incidents/{world.ref}/events").json()["events"]
    assert events[-1]["actor"] == {"user": "m.alvarez", "role": "crisis-lead"}
    signed_out = browser.post("/signout", data={"_csrf_token": token}, follow_redirects=False)
    assert signed_out.status_code == 303
    assert browser.get("/api/v1/incidents").status_code == 401


def test_the_session_cookie_is_httponly_and_lax_and_csrf_cookie_is_readable(world):
    browser = another_browser(world)
    browser.get("/signin")
    token = browser.cookies.get("csrftoken")
    response = browser.post(
        "/signin",
        data={"username": "r.patel", "password": DEMO_PASSWORD, "_csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "steady_session=" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    page = browser.get("/signin?next=/playbooks", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/playbooks"


def test_a_sign_in_form_without_its_csrf_token_is_refused(world):
    browser = another_browser(world)
    browser.get("/signin")
    response = browser.post("/signin", data={"username": "m.alvarez", "password": "x"})
    assert response.status_code == 403


@pytest.fixture
def fresh(sqlite_url) -> Iterator[SignedIn]:
    with signed_in_app(sqlite_url) as signed:
        yield signed


def test_a_wrong_password_never_says_which_and_too_many_lock_for_a_while(fresh):
    client = fresh.client
    client.get("/signin")
    token = client.cookies.get("csrftoken")
    for username in ("m.alvarez", "nobody"):
        wrong = client.post(
            "/signin", data={"username": username, "password": "guess", "_csrf_token": token}
        )
        assert wrong.status_code == 401
        assert "That username and password do not match." in wrong.text
    for _ in range(4):
        response = client.post(
            "/signin", data={"username": "m.alvarez", "password": "guess", "_csrf_token": token}
        )
    assert response.status_code == 429
    assert "Too many attempts; try again after " in response.text
    right = client.post(
        "/signin", data={"username": "m.alvarez", "password": DEMO_PASSWORD, "_csrf_token": token}
    )
    assert right.status_code == 429  # locked even with the right password, for now


def test_a_disabled_account_is_refused_at_once(fresh):
    client = fresh.client
    fresh.sign_in(client, "k.okafor")
    assert client.get("/api/v1/incidents").status_code == 200
    admin = fresh.accounts.account("admin").acting_as()
    fresh.accounts.disable("k.okafor", actor=admin, reason="left the district")
    assert client.get("/api/v1/incidents").status_code == 401
    headers = fresh.headers["k.okafor"]
    assert client.get("/api/v1/incidents", headers=headers).status_code == 401
    client.get("/signin")
    again = client.post(
        "/signin",
        data={
            "username": "k.okafor",
            "password": DEMO_PASSWORD,
            "_csrf_token": client.cookies.get("csrftoken"),
        },
    )
    assert again.status_code == 401


def test_a_responder_may_correct_only_their_own_notes(world):
    steady: Steady = world.client.app.state.steady
    ref = open_incident(steady)  # N1 is the crisis lead's
    response = world.client.post(
        f"/api/v1/incidents/{ref}/notes/N1/corrections",
        json={"text": "x", "reason": "y"},
        headers=world.headers["k.okafor"],
    )
    assert response.status_code == 403 and "only your own notes" in response.json()["error"]


def test_the_incident_page_shows_only_the_controls_a_person_may_use(world):
    path = f"/incidents/{world.ref}"
    lead = world.client.get(path, headers=world.headers["m.alvarez"]).text
    assert 'id="manage"' in lead and 'id="note-form"' in lead and 'data-action="assign"' in lead
    leader = world.client.get(path, headers=world.headers["r.patel"]).text
    assert 'id="manage"' not in leader and 'id="note-form"' in leader
    assert 'data-action="start"' not in leader
    counselor = world.client.get(path, headers=world.headers["k.okafor"]).text
    assert 'data-action="start"' in counselor and 'data-action="assign"' not in counselor
    principal = world.client.get(path, headers=world.headers["d.chen"]).text
    assert 'data-action="start"' not in principal
    auditor = world.client.get(path, headers=world.headers["a.kim"]).text
    assert 'id="read-only-note"' in auditor and 'id="note-form"' not in auditor


def test_history_pages_link_to_replay_only_for_those_who_may_replay(world):
    replay = f'href="/incidents/{world.ref}/replay"'
    for username, shown in [("k.okafor", False), ("a.kim", True), ("m.alvarez", True)]:
        for page in ("", "/timeline", "/report"):
            html = world.client.get(
                f"/incidents/{world.ref}{page}", headers=world.headers[username]
            )
            assert html.status_code == 200, (username, page)
            assert (replay in html.text) is shown, (username, page)


def test_cookies_are_secure_over_https(world):
    browser = TestClient(world.client.app, base_url="https://testserver.local")
    browser.get("/signin")
    assert browser.cookies.get("csrftoken")
    response = browser.post(
        "/signin",
        data={
            "username": "m.alvarez",
            "password": DEMO_PASSWORD,
            "_csrf_token": browser.cookies.get("csrftoken"),
        },
        follow_redirects=False,
    )
    cookies = response.headers.get_list("set-cookie")
    assert cookies and all(cookie.endswith("; Secure") for cookie in cookies)


def test_an_account_administrator_lands_on_the_accounts_page_not_a_refusal(world):
    home = world.client.get("/", headers=world.headers["admin"], follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/admin/accounts"
    page = world.client.get("/admin/accounts", headers=world.headers["admin"]).text
    assert 'href="/">Board' not in page  # no link to a board they may not see
