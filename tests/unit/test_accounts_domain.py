"""Rules for organisations and accounts, checked before anything is recorded."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.account import Account
from domain.admin_roster import AdminRoster, LastAdmin, sync_admin_roster
from domain.credentials import MIN_PASSWORD, check_password, check_username
from domain.errors import DomainError
from domain.organisation import Organisation
from domain.people import Actor
from domain.token_lookup import TokenLookup

ADMIN = Actor("cli:root", "admin")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
DIGEST = "a" * 64


def org(kind: str = "district", slug: str = "riverside-usd") -> Organisation:
    return Organisation.create(slug=slug, name="Riverside", kind=kind, actor=ADMIN, at=NOW)


def account(*roles: str, kind: str = "district", username: str = "m.alvarez") -> Account:
    return Account.create(
        username=username,
        display_name="Maria Alvarez",
        organisation=org(kind, "eastside-counseling" if kind == "partner" else "riverside-usd"),
        roles=list(roles or ["crisis-lead"]),
        actor=ADMIN,
        at=NOW,
    )


def test_an_account_records_who_created_it_and_when_and_normalises_the_username():
    created = account("crisis-lead", username="  M.Alvarez ")
    assert created.username == "m.alvarez"
    assert created.created_by == ADMIN and created.created_on == NOW
    assert created.roles == ["crisis-lead"] and not created.disabled and not created.has_password
    event = created.collect_events()[0]
    assert event.NAME == "account_created" and event.by == ADMIN and event.timestamp == NOW


def test_ids_derive_from_the_username_and_slug_and_hold_nothing_personal():
    created = account(username="j.brooks")
    assert created.id == Account.id_for("J.Brooks")
    assert org().id == Organisation.id_for("riverside-usd")
    assert "brooks" not in str(created.id)
    assert len({Account.id_for("a.kim"), Organisation.id_for("a-kim"), AdminRoster.id_for()}) == 3
    names = [cls.__qualname__ for cls in (Account.Created, Account.PasswordSet, TokenLookup)]
    assert all("brooks" not in name for name in names)


@pytest.mark.parametrize("name", ["", "has space", "Ümlaut", ".dot", "x" * 65, "semi;colon"])
def test_bad_usernames_are_refused_with_the_rule(name):
    with pytest.raises(DomainError, match="lowercase letters, digits"):
        check_username(name)


def test_unknown_roles_and_empty_roles_are_refused():
    with pytest.raises(DomainError, match="unknown role 'superuser': expected one of admin"):
        account("superuser")
    with pytest.raises(DomainError, match="at least one role"):
        Account.create(
            username="x1",
            display_name="X",
            organisation=org(),
            roles=[],
            actor=ADMIN,
            at=NOW,
        )


def test_a_partner_account_belongs_to_a_partner_organisation_and_holds_only_that_role():
    with pytest.raises(DomainError, match="partner role is for people of a partner organisation"):
        account("partner")
    with pytest.raises(DomainError, match="hold only the partner role, not crisis-lead"):
        account("crisis-lead", kind="partner")
    partner = account("partner", kind="partner", username="j.brooks")
    assert partner.organisation == "eastside-counseling"
    with pytest.raises(DomainError, match="only the partner role, not auditor"):
        partner.grant_role("auditor", actor=ADMIN, at=NOW)


def test_roles_are_granted_and_revoked_once_and_an_account_keeps_one():
    lead = account("crisis-lead")
    lead.grant_role("auditor", actor=ADMIN, at=NOW + timedelta(minutes=1))
    assert lead.roles == ["crisis-lead", "auditor"]
    with pytest.raises(DomainError, match="already has the role auditor"):
        lead.grant_role("auditor", actor=ADMIN, at=NOW)
    lead.revoke_role("crisis-lead", actor=ADMIN, at=NOW)
    with pytest.raises(DomainError, match="does not have the role crisis-lead"):
        lead.revoke_role("crisis-lead", actor=ADMIN, at=NOW)
    with pytest.raises(DomainError, match=r"only role .* grant another role first"):
        lead.revoke_role("auditor", actor=ADMIN, at=NOW)
    kinds = [e.NAME for e in lead.collect_events()]
    assert kinds == ["account_created", "role_granted", "role_revoked"]


def test_disable_and_enable_are_not_repeated():
    person = account()
    person.disable(reason="left the district", actor=ADMIN, at=NOW)
    with pytest.raises(DomainError, match="already disabled"):
        person.disable(actor=ADMIN, at=NOW)
    person.enable(actor=ADMIN, at=NOW)
    with pytest.raises(DomainError, match="already enabled"):
        person.enable(actor=ADMIN, at=NOW)


def test_only_an_argon2id_hash_is_accepted_as_a_password():
    person = account()
    with pytest.raises(DomainError, match="only as argon2id hashes"):
        person.set_password_hash("correct horse battery staple", actor=ADMIN, at=NOW)
    person.set_password_hash(HASH, actor=ADMIN, at=NOW)
    assert person.has_password and person.password_set_at == NOW


def test_password_rules():
    with pytest.raises(DomainError, match=f"at least {MIN_PASSWORD} characters"):
        check_password("short pass")
    with pytest.raises(DomainError, match="only spaces"):
        check_password(" " * 20)
    with pytest.raises(DomainError, match="not be the username"):
        check_password("maria.alvarez", "maria.alvarez")
    assert check_password("three unrelated words") == "three unrelated words"


def test_tokens_store_a_digest_are_revoked_once_and_not_issued_to_disabled_accounts():
    person = account()
    with pytest.raises(DomainError, match="SHA-256 digest"):
        person.issue_token(
            token_id="0123456789ab", label="x", secret_digest="secret", actor=ADMIN, at=NOW
        )
    person.issue_token(
        token_id="0123456789ab", label="nightly export", secret_digest=DIGEST, actor=ADMIN, at=NOW
    )
    assert [t.label for t in person.active_tokens()] == ["nightly export"]
    with pytest.raises(DomainError, match="new 12-character"):
        person.issue_token(
            token_id="0123456789ab", label="again", secret_digest=DIGEST, actor=ADMIN, at=NOW
        )
    person.revoke_token("0123456789ab", actor=ADMIN, at=NOW)
    assert person.active_tokens() == []
    with pytest.raises(DomainError, match="already revoked"):
        person.revoke_token("0123456789ab", actor=ADMIN, at=NOW)
    with pytest.raises(DomainError, match="no token"):
        person.revoke_token("ffffffffffff", actor=ADMIN, at=NOW)
    person.disable(actor=ADMIN, at=NOW)
    with pytest.raises(DomainError, match="enable the account to issue a token"):
        person.issue_token(
            token_id="bbbbbbbbbbbb", label="x", secret_digest=DIGEST, actor=ADMIN, at=NOW
        )


def test_the_roster_follows_active_admins_and_refuses_to_lose_the_last():
    first = account("admin", username="admin")
    roster = sync_admin_roster(None, first, actor=ADMIN, at=NOW)
    assert roster is not None and roster.usernames == ["admin"]
    second = account("crisis-lead", username="m.alvarez")
    assert sync_admin_roster(roster, second, actor=ADMIN, at=NOW) is None
    second.grant_role("admin", actor=ADMIN, at=NOW)
    assert sync_admin_roster(roster, second, actor=ADMIN, at=NOW) is roster
    assert roster.usernames == ["admin", "m.alvarez"]
    first.disable(actor=ADMIN, at=NOW)
    sync_admin_roster(roster, first, actor=ADMIN, at=NOW)
    assert roster.usernames == ["m.alvarez"]
    second.revoke_role("admin", actor=ADMIN, at=NOW)
    with pytest.raises(LastAdmin, match=r"m\.alvarez is the last enabled admin"):
        sync_admin_roster(roster, second, actor=ADMIN, at=NOW)


def test_acting_as_uses_a_position_or_role_the_person_holds():
    counselor = Account.create(
        username="k.okafor",
        display_name="Kemi Okafor",
        organisation=org("school", "roosevelt-high-school"),
        roles=["responder"],
        positions=["Counselor"],
        actor=ADMIN,
        at=NOW,
    )
    assert counselor.acting_as() == Actor("k.okafor", "counselor")
    assert counselor.acting_as("responder") == Actor("k.okafor", "responder")
    with pytest.raises(DomainError, match="does not act as crisis-lead"):
        counselor.acting_as("crisis-lead")


def test_organisations_check_their_slug_and_kind():
    with pytest.raises(DomainError, match="lowercase letters, digits and single hyphens"):
        Organisation.create(slug="Bad Slug!", name="X", kind="school", actor=ADMIN, at=NOW)
    with pytest.raises(DomainError, match="unknown kind of organisation 'church'"):
        Organisation.create(slug="st-marks", name="St Mark's", kind="church", actor=ADMIN, at=NOW)
    assert org("partner", "eastside-counseling").is_partner


def test_names_and_labels_that_show_nothing_or_hold_a_nul_are_refused():
    for name, message in [
        ("\u200b", "display name must not be empty: write"),
        ("Maria\x00", "display name holds a control character"),
    ]:
        with pytest.raises(DomainError, match=message):
            Account.create(
                username="m.alvarez",
                display_name=name,
                organisation=org(),
                roles=["crisis-lead"],
                actor=ADMIN,
                at=NOW,
            )
    with pytest.raises(DomainError, match="organisation name must not be empty: write"):
        Organisation.create(slug="st-marks", name="\ufeff", kind="school", actor=ADMIN, at=NOW)
    with pytest.raises(DomainError, match="token label must not be empty: write"):
        account().issue_token(
            token_id="a1b2c3d4e5f6", label="\u200d", secret_digest=DIGEST, actor=ADMIN, at=NOW
        )
