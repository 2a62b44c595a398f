"""Accounts in the real stores (SQLite and PostgreSQL), with the production password hasher."""

import sqlite3
import threading
from urllib.parse import urlsplit

import psycopg
import pytest

from domain.account import Account
from domain.admin_roster import LastAdmin
from domain.people import Actor
from service.accounts.refusals import SignInFailed, SignInLocked
from service.accounts.service import Accounts
from service.accounts.throttle import SignInThrottle
from service.bootstrap import open_steady
from service.config import Settings
from tests.builders import open_lockdown

ADMIN = Actor("cli:root", "admin")
PASSWORD = "Marigold kettle 1987 harbour"


@pytest.fixture
def accounts(app) -> Accounts:
    accounts = Accounts(app)
    accounts.add_organisation("riverside-usd", "Riverside USD", "district", actor=ADMIN)
    return accounts


def add(accounts: Accounts, username: str, *roles: str, password: str | None = PASSWORD) -> None:
    accounts.add_user(
        username,
        display_name=username.title(),
        organisation="riverside-usd",
        roles=list(roles or ["responder"]),
        password=password,
        actor=ADMIN,
    )


def raw_rows(database_url: str) -> list[tuple[str, str, bytes]]:
    """(originator id, topic, state) of every stored event, read past Steady."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            rows = conn.execute("SELECT originator_id, topic, state FROM stored_events").fetchall()
    else:
        parts = urlsplit(database_url)
        with psycopg.connect(
            host=parts.hostname, port=parts.port, user=parts.username, dbname=parts.path[1:]
        ) as conn:
            rows = conn.execute("SELECT originator_id, topic, state FROM steady_events").fetchall()
    return [(str(i), topic, bytes(state)) for i, topic, state in rows]


def test_sign_in_with_password_and_the_same_refusal_for_every_mistake(accounts):
    add(accounts, "k.okafor")
    assert accounts.authenticate_password("k.okafor", PASSWORD, "10.0.0.1").username == "k.okafor"
    refusals = set()
    for username, password in [("k.okafor", PASSWORD.upper()), ("k.okafr", PASSWORD)]:
        with pytest.raises(SignInFailed) as refused:
            accounts.authenticate_password(username, password, "10.0.0.1")
        refusals.add(str(refused.value))
    assert refusals == {"sign-in failed: wrong username or password, or the account is disabled"}


def test_a_disabled_account_cannot_sign_in_by_password_or_token(accounts):
    add(accounts, "admin", "admin")
    add(accounts, "k.okafor")
    token = accounts.issue_token(
        "k.okafor", "scripts", actor=accounts.account("k.okafor").acting_as()
    )
    accounts.disable("k.okafor", reason="left the district", actor=ADMIN)
    with pytest.raises(SignInFailed):
        accounts.authenticate_password("k.okafor", PASSWORD)
    with pytest.raises(SignInFailed):
        accounts.authenticate_token(token)
    with pytest.raises(LastAdmin):
        accounts.disable("admin", actor=ADMIN)


def test_a_token_works_once_issued_and_stops_after_revoke(app, accounts):
    add(accounts, "a.kim", "auditor", password=None)
    token = accounts.issue_token("a.kim", "nightly export", actor=ADMIN)
    other = Accounts(app)  # another process would find it in the store, not in memory
    assert other.authenticate_token(token).username == "a.kim"
    accounts.revoke_token("a.kim", token.split("_")[1], actor=ADMIN)
    with pytest.raises(SignInFailed, match="API token is not valid"):
        other.authenticate_token(token)


def readable(app, state: bytes) -> bytes:
    """A stored state as Steady's mapper reads it: decrypted (and decompressed) if it is."""
    if app.mapper.cipher is not None:
        state = app.mapper.cipher.decrypt(state)
    if app.mapper.compressor is not None:
        state = app.mapper.compressor.decompress(state)
    return state


def test_the_store_holds_no_password_or_token_secret_in_clear_text(app, accounts, database_url):
    add(accounts, "k.okafor")
    accounts.set_password("k.okafor", "Second password for the test", actor=ADMIN)
    token = accounts.issue_token(
        "k.okafor", "scripts", actor=accounts.account("k.okafor").acting_as()
    )
    secret = token.rsplit("_", 1)[1]
    rows = raw_rows(database_url)
    stored = b"\n".join(state for _, _, state in rows)
    # Even with the store's encryption key, only hashes and the token's public id are there.
    decrypted = b"\n".join(readable(app, state) for _, _, state in rows)
    assert b"$argon2id$" in decrypted and token.split("_")[1].encode() in decrypted
    for clear in (PASSWORD, "Second password for the test", secret, token):
        for encoding in ("utf-8", "utf-16-le"):
            assert clear.encode(encoding) not in stored
            assert clear.encode(encoding) not in decrypted
    # The account's id is keyed with the store's key: not the uuid5 anyone can compute.
    account_id = accounts.account("k.okafor").id
    assert any(i.replace("-", "") == account_id.hex for i, _, _ in rows)
    assert all(i.replace("-", "") != Account.id_for("k.okafor").hex for i, _, _ in rows)
    assert all("okafor" not in i + topic for i, topic, _ in rows)


def test_failed_sign_ins_are_rate_limited(accounts):
    add(accounts, "k.okafor")
    for _ in range(4):
        with pytest.raises(SignInFailed):
            accounts.authenticate_password("k.okafor", "not the password", "10.0.0.7")
    with pytest.raises(SignInLocked) as locked:
        accounts.authenticate_password("k.okafor", "not the password", "10.0.0.7")
    assert "try again after" in str(locked.value)
    with pytest.raises(SignInLocked):
        accounts.authenticate_password("k.okafor", PASSWORD, "10.0.0.7")
    # Someone else's guesses never lock the owner out from where they are.
    assert accounts.authenticate_password("k.okafor", PASSWORD, "10.0.0.8").username == "k.okafor"


def test_a_valid_token_is_never_refused_for_password_failures_from_its_address(accounts):
    add(accounts, "k.okafor")
    owner = accounts.account("k.okafor").acting_as()
    token = accounts.issue_token("k.okafor", "sync", actor=owner)
    accounts.throttle = SignInThrottle(address_limit=3)  # argon2 is slow: few guesses suffice
    for n in range(3):
        with pytest.raises(SignInFailed):
            accounts.authenticate_password(f"guess{n}", "not the password", "10.0.0.7")
    with pytest.raises(SignInLocked):
        accounts.authenticate_password("k.okafor", PASSWORD, "10.0.0.7")
    assert accounts.authenticate_token(token, "10.0.0.7").username == "k.okafor"
    with pytest.raises(SignInLocked):  # a wrong token from there waits like a password
        accounts.authenticate_token(token[:-1] + ("1" if token[-1] == "0" else "0"), "10.0.0.7")


def test_users_are_listed_from_the_log_by_a_fresh_process(accounts, database_url):
    for username in ("r.patel", "a.kim", "m.alvarez"):
        add(accounts, username, "auditor")
    accounts.grant_role("m.alvarez", "crisis-lead", actor=ADMIN)
    with open_steady(Settings(database_url=database_url)) as fresh:
        listed = Accounts(fresh).list_users()
    assert [a.username for a in listed] == ["a.kim", "m.alvarez", "r.patel"]
    assert listed[1].roles == ["crisis-lead", "auditor"]


def test_account_events_stay_out_of_the_incident_feed(app, accounts):
    ref = open_lockdown(app)
    add(accounts, "k.okafor")
    feed = app.events_after(0)
    assert [e.reference for e in feed] == [ref]
    assert len(app.incidents()) == 1


def test_two_admins_disabling_each_other_at_once_leave_one_enabled(database_url, accounts):
    add(accounts, "first", "admin")
    add(accounts, "second", "admin")
    results: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def disable(target: str) -> None:
        with open_steady(Settings(database_url=database_url)) as steady:
            own = Accounts(steady)
            barrier.wait()
            try:
                own.disable(target, actor=ADMIN)
                results[target] = "disabled"
            except LastAdmin as error:
                results[target] = error

    threads = [threading.Thread(target=disable, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(str(type(r).__name__) for r in results.values()) == ["LastAdmin", "str"]
    assert len(accounts.admins()) == 1
