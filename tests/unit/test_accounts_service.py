"""Accounts over the in-memory store: passwords, tokens, listing and the admin roster."""

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from domain.account import AlreadyExists
from domain.admin_roster import LastAdmin
from domain.errors import DomainError, NotFound
from domain.people import Actor
from domain.roles import ROLES
from service.accounts.refusals import SignInFailed, SignInLocked
from service.accounts.service import Accounts, account_view
from service.accounts.throttle import SignInThrottle
from service.accounts.tokens import TOKEN_PATTERN, new_token, token_digest
from service.demo.accounts import DEMO_PASSWORD, seed_demo_accounts
from service.incidents.application import Steady

ADMIN = Actor("cli:root", "admin")
PASSWORD = "a long enough password"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(clock) -> Accounts:
    steady = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    accounts = Accounts(steady, hasher=CHEAP)
    accounts.add_organisation("riverside-usd", "Riverside USD", "district", actor=ADMIN)
    accounts.add_organisation("eastside-counseling", "Eastside Counseling", "partner", actor=ADMIN)
    return accounts


def add(accounts: Accounts, username: str, *roles: str, org: str = "riverside-usd") -> None:
    accounts.add_user(
        username,
        display_name=username.title(),
        organisation=org,
        roles=list(roles or ["responder"]),
        password=PASSWORD,
        actor=ADMIN,
    )


def test_token_format_is_prefix_public_id_and_secret():
    token_id, secret, token = new_token()
    assert token == f"stdy_{token_id}_{secret}"
    assert len(token_id) == 12 and len(secret) == 48
    assert TOKEN_PATTERN.match(token).groups() == (token_id, secret)
    assert len({new_token()[2] for _ in range(100)}) == 100
    assert token_digest(secret) != secret and len(token_digest(secret)) == 64


def test_add_and_sign_in_with_the_password(accounts):
    add(accounts, "k.okafor")
    signed_in = accounts.authenticate_password(" K.Okafor ", PASSWORD, "10.0.0.1")
    assert signed_in.username == "k.okafor"
    assert signed_in.password_hash.startswith("$argon2id$")
    assert PASSWORD not in str(account_view(signed_in))


def test_duplicate_usernames_and_organisations_conflict(accounts):
    add(accounts, "k.okafor")
    with pytest.raises(AlreadyExists, match=r"username 'k\.okafor' is taken"):
        add(accounts, "K.OKAFOR")
    with pytest.raises(AlreadyExists, match="already an organisation 'riverside-usd'"):
        accounts.add_organisation("riverside-usd", "Again", "district", actor=ADMIN)


def test_unknown_organisation_and_short_password_are_refused_before_anything_is_saved(accounts):
    before = accounts.steady.last_position()
    with pytest.raises(NotFound, match="no organisation 'nowhere'"):
        add(accounts, "k.okafor", org="nowhere")
    with pytest.raises(DomainError, match="too short"):
        accounts.add_user(
            "k.okafor",
            display_name="K",
            organisation="riverside-usd",
            roles=["responder"],
            password="short",
            actor=ADMIN,
        )
    assert accounts.steady.last_position() == before


def test_wrong_password_and_unknown_user_fail_with_the_same_message(accounts):
    add(accounts, "k.okafor")
    messages = set()
    for username, password in [("k.okafor", "wrong password!"), ("nobody", PASSWORD), ("", "")]:
        with pytest.raises(SignInFailed) as failed:
            accounts.authenticate_password(username, password)
        messages.add(str(failed.value))
    assert messages == {SignInFailed.PASSWORD}
    assert "username or password" in SignInFailed.PASSWORD


def test_disabled_accounts_and_token_only_accounts_cannot_sign_in_with_a_password(accounts):
    add(accounts, "k.okafor")
    accounts.disable("k.okafor", reason="on leave", actor=ADMIN)
    with pytest.raises(SignInFailed, match="wrong username or password"):
        accounts.authenticate_password("k.okafor", PASSWORD)
    accounts.enable("k.okafor", actor=ADMIN)
    assert accounts.authenticate_password("k.okafor", PASSWORD).username == "k.okafor"
    accounts.add_user(
        "export-bot",
        display_name="Nightly export",
        organisation="riverside-usd",
        roles=["auditor"],
        password=None,
        actor=ADMIN,
    )
    with pytest.raises(SignInFailed):
        accounts.authenticate_password("export-bot", "")


def test_tokens_work_once_issued_and_stop_when_revoked_or_disabled(accounts):
    add(accounts, "a.kim", "auditor")
    token = accounts.issue_token(
        "a.kim", "nightly export", actor=accounts.account("a.kim").acting_as()
    )
    assert accounts.authenticate_token(token).username == "a.kim"
    token_id = token.split("_")[1]
    mangled = token[:-1] + ("0" if token[-1] != "0" else "1")
    for bad in [mangled, "stdy_nothing", "", f"stdy_{'0' * 12}_{'0' * 48}"]:
        with pytest.raises(SignInFailed, match="API token is not valid"):
            accounts.authenticate_token(bad)
    accounts.disable("a.kim", actor=ADMIN)
    with pytest.raises(SignInFailed):
        accounts.authenticate_token(token)
    accounts.enable("a.kim", actor=ADMIN)
    accounts.revoke_token("a.kim", token_id, actor=ADMIN)
    with pytest.raises(SignInFailed):
        accounts.authenticate_token(token)


def test_the_last_admin_cannot_be_disabled_or_lose_the_role(accounts):
    add(accounts, "admin", "admin")
    with pytest.raises(LastAdmin):
        accounts.disable("admin", actor=ADMIN)
    accounts.grant_role("admin", "auditor", actor=ADMIN)
    with pytest.raises(LastAdmin):
        accounts.revoke_role("admin", "admin", actor=ADMIN)
    add(accounts, "second", "admin")
    accounts.disable("admin", actor=ADMIN)
    assert accounts.admins() == ["second"]
    with pytest.raises(LastAdmin):
        accounts.disable("second", actor=ADMIN)
    accounts.enable("admin", actor=ADMIN)
    assert accounts.admins() == ["admin", "second"]


def test_list_users_reads_the_log_and_the_view_hides_secrets(accounts):
    add(accounts, "r.patel", "district-leader")
    add(accounts, "j.brooks", "partner", org="eastside-counseling")
    accounts.issue_token("r.patel", actor=accounts.account("r.patel").acting_as())
    fresh = Accounts(accounts.steady, hasher=CHEAP)  # nothing held in memory
    listed = fresh.list_users()
    assert [a.username for a in listed] == ["j.brooks", "r.patel"]
    view = account_view(listed[1])
    assert set(view) >= {"username", "roles", "organisation", "disabled", "tokens"}
    assert "hash" not in str(view) and "digest" not in str(view)
    assert [o.slug for o in fresh.organisations()] == ["riverside-usd", "eastside-counseling"]


def test_failed_sign_ins_slow_the_guesser_but_not_the_owner_elsewhere(accounts, clock):
    add(accounts, "k.okafor")
    for _ in range(4):
        with pytest.raises(SignInFailed):
            accounts.authenticate_password("k.okafor", "wrong password!", "10.0.0.1")
    with pytest.raises(SignInLocked, match="try again after"):
        accounts.authenticate_password("k.okafor", "wrong password!", "10.0.0.1")
    with pytest.raises(SignInLocked):  # from there, even the right password, for now
        accounts.authenticate_password("k.okafor", PASSWORD, "10.0.0.1")
    assert accounts.authenticate_password("k.okafor", PASSWORD, "10.0.0.2")  # the owner
    clock.now += timedelta(minutes=1)
    assert accounts.authenticate_password("k.okafor", PASSWORD, "10.0.0.1")


def test_a_hash_made_with_old_parameters_is_replaced_at_the_next_sign_in(accounts, clock):
    add(accounts, "k.okafor")
    set_at = clock.now
    clock.now += timedelta(days=30)
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    upgraded = Accounts(accounts.steady, hasher=stronger, throttle=SignInThrottle())
    signed_in = upgraded.authenticate_password("k.okafor", PASSWORD)
    assert not stronger.check_needs_rehash(signed_in.password_hash)
    stored = upgraded.account("k.okafor")
    assert "m=16,t=2" in stored.password_hash
    assert stored.password_set_at == set_at  # a rehash is not a new password
    assert upgraded.authenticate_password("k.okafor", PASSWORD).username == "k.okafor"


def test_demo_accounts_are_seeded_once(accounts):
    first = seed_demo_accounts(accounts)
    position = accounts.steady.last_position()
    assert seed_demo_accounts(accounts) == first
    assert accounts.steady.last_position() == position
    roles = {role for _, role, _ in first}
    assert roles == set(ROLES)  # someone for every role, the help desk's too
    assert accounts.authenticate_password("j.brooks", DEMO_PASSWORD).organisation == (
        "eastside-counseling"
    )
    assert accounts.account("k.okafor").acting_as() == Actor("k.okafor", "counselor")
