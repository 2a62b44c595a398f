"""Ids are stored in clear text, so none lets a reader of the database confirm a username: the
ids of accounts, idempotency receipts and views derive from the store's key, and stores written
before (ids made from the username alone) still read."""

from datetime import UTC, datetime
from uuid import uuid5

import pytest
from argon2 import PasswordHasher

from domain.account import Account
from domain.ids import STEADY_NAMESPACE
from domain.people import Actor
from domain.viewing import Viewing, window_start
from service.accounts.service import Accounts
from service.incidents.application import Steady
from service.incidents.idempotency import Receipt, fingerprint
from service.store.keys import cipher_env, generate_key
from service.views_log.recording import Viewer, ViewLog
from tests.builders import LEAD

ADMIN = Actor("cli:root", "admin")
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "a long enough password"


def store(key: str | None = None) -> Steady:
    return Steady({"PERSISTENCE_MODULE": "eventsourcing.popo", **cipher_env(key or generate_key())})


def stored_ids(app: Steady) -> set:
    return {n.originator_id for n in app.recorder.select_notifications(0, 10_000)}


def accounts_of(app: Steady) -> Accounts:
    accounts = Accounts(app, hasher=CHEAP)
    accounts.add_organisation("riverside-usd", "Riverside USD", "district", actor=ADMIN)
    return accounts


def test_an_account_id_says_nothing_without_the_stores_key():
    ids = []
    for app in (store(), store()):
        accounts = accounts_of(app)
        account = accounts.add_user(
            "m.alvarez",
            display_name="M",
            organisation="riverside-usd",
            roles=["crisis-lead"],
            password=PASSWORD,
            actor=ADMIN,
        )
        assert uuid5(STEADY_NAMESPACE, "account/m.alvarez") not in stored_ids(app)
        assert accounts.account("m.alvarez").id == account.id
        ids.append(account.id)
    assert ids[0] != ids[1]  # another key, another id: nothing to compute from the name


def test_an_account_stored_under_the_old_id_still_reads_and_keeps_its_name():
    app = store()
    accounts = accounts_of(app)
    old = Account.create(  # as Steady stored accounts before: the id from the username alone
        username="k.okafor",
        display_name="K",
        organisation=accounts.organisation("riverside-usd"),
        roles=["responder"],
        actor=ADMIN,
        at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    assert old.id == uuid5(STEADY_NAMESPACE, "account/k.okafor")
    app.save(old)
    accounts.set_password("k.okafor", PASSWORD, actor=ADMIN)
    assert accounts.authenticate_password("k.okafor", PASSWORD).id == old.id
    assert [a.username for a in accounts.list_users()] == ["k.okafor"]
    assert [c["type"] for c in accounts.changes(0, 100, username="k.okafor")] == [
        "account_created",
        "password_set",
        "sessions_ended",  # a new password ends every session
    ]
    with pytest.raises(Exception, match="taken"):
        accounts.add_user(
            "k.okafor",
            display_name="Again",
            organisation="riverside-usd",
            roles=["responder"],
            password=None,
            actor=ADMIN,
        )


def opened(app: Steady) -> str:
    return app.open_incident(
        title="Storm", kind="severe-weather", severity=3, schools=["Lincoln"], actor=LEAD
    ).reference


def test_a_receipt_id_derives_from_the_key_and_the_account_with_the_stores_key():
    app = store()
    ref = opened(app)
    app.add_note(ref, "x", actor=LEAD, idempotency_key="nightly-1")
    ids = stored_ids(app)
    assert Receipt.id_for("nightly-1") not in ids
    assert uuid5(STEADY_NAMESPACE, "idempotency/m.alvarez/nightly-1") not in ids


def test_a_receipt_stored_before_keys_were_per_account_still_answers_its_own_retry():
    app = store()
    ref = opened(app)
    result = app.add_note(ref, "x", actor=LEAD)
    legacy = Receipt.record(  # the receipt as stored before: under the key alone
        "retry-me",
        command="add_note",
        fingerprint=_fingerprint(app, ref, "x"),
        incident_id=result.incident_id,
        reference=ref,
        version=result.version,
        detail=result.detail,
    )
    app.save(legacy)
    again = app.add_note(ref, "x", actor=LEAD, idempotency_key="retry-me")
    assert again == result  # the same account's retry: answered, nothing appended
    other = app.add_note(ref, "x", actor=Actor("k.okafor", "counselor"), idempotency_key="retry-me")
    assert other.version == result.version + 1  # not theirs: their own command


def _fingerprint(app: Steady, ref: str, text: str) -> str:
    arguments = {"incident": str(app.find(ref)), "text": text, "task_id": ""}
    return fingerprint("add_note", arguments)


def test_a_view_id_derives_from_the_stores_key_and_still_dedupes_across_processes():
    key = generate_key()
    app = store(key)
    ref = opened(app)
    viewer = Viewer("k.okafor", "counselor", ("responder",), "riverside-usd")
    for process in (ViewLog(app), ViewLog(app)):  # two processes, one store
        process.record(viewer, ref, "page")
        process.flush()
        process.close()
    [view] = ViewLog(app).viewings(ref).views
    ids = {i for i in stored_ids(app) if i not in {app.find(ref)}}
    legacy = Viewing.id_for(app.find(ref), "k.okafor", "page", window_start(view.at))
    assert legacy not in ids  # the old id: computable from the username and the time
    low, high = Viewing.id_range(app.find(ref))
    assert any(low <= i <= high for i in ids)  # still in the incident's range: listed
