"""An affected person's identity at rest, read from the raw rows on real SQLite and PostgreSQL:
sealed under a key of its own, never in clear text anywhere; after erasure the key is gone from
the tables and the files, nothing opens the sealed identity, and the history keeps the
pseudonym and says who erased it and why."""

from collections.abc import Iterator

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.identity import Identity
from domain.people import Actor
from service.accounts.service import Accounts
from service.bootstrap import assemble, open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from service.incidents.application import Steady
from service.people.service import People
from service.people.vault import IDENTITIES, KEYS, MATCHES
from tests.builders import FAST_HASHER, LEAD
from tests.integration.test_privacy_at_rest import Store, clear_text_found, sqlite_files

NAME = "Tamsin Okonkwo-Vale"
STUDENT_ID = "S-884213"
GUARDIAN = "Ifeoma Okonkwo-Vale"
ADMIN = Actor("admin", "admin")


@pytest.fixture
def opened(database_url: str) -> Iterator[tuple[Steady, People]]:
    settings = Settings(database_url=database_url)
    steady = open_steady(settings)
    accounts = Accounts(steady, hasher=FAST_HASHER)
    seed_demo_accounts(accounts)
    yield steady, assemble(steady, settings, accounts=accounts).people
    steady.close()


def record(steady: Steady, people: People) -> tuple[str, str]:
    ref = steady.open_incident(
        title="Death of a student",
        kind="death",
        severity=2,
        schools=["Roosevelt High School"],
        actor=LEAD,
    ).reference
    identity = Identity.parse(
        {
            "name": NAME,
            "person_id": STUDENT_ID,
            "date_of_birth": "2010-04-09",
            "guardians": [{"name": GUARDIAN, "contact": "555-0142", "relationship": "mother"}],
            "language": "Igbo",
        }
    )
    person, _ = people.record_person(
        ref,
        kind="student",
        school="Roosevelt High School",
        grade="10",
        how_affected="sat beside her in class",
        identity=identity,
        actor=LEAD,
    )
    return ref, person


def raw_rows(database_url: str, table: str, person_id) -> list[bytes]:
    store = Store(database_url)
    try:
        key = person_id.hex if database_url.startswith("sqlite") else person_id
        column = "sealed_key" if table == KEYS else "sealed_identity"
        rows = store.run(f"SELECT {column} FROM {table} WHERE person_id = ?", key)
        return [bytes(r[0]) for r in rows]
    finally:
        store.close()


def all_keys(database_url: str) -> list[bytes]:
    store = Store(database_url)
    try:
        return [bytes(r[0]) for r in store.run(f"SELECT sealed_key FROM {KEYS}")]
    finally:
        store.close()


def test_erasure_destroys_the_key_and_nothing_opens_the_identity_again(opened, database_url):
    steady, people = opened
    incident, ref = record(steady, people)
    person_id = people.person(ref).id
    secrets = [NAME, STUDENT_ID, GUARDIAN, "555-0142", "Igbo"]

    # Before: the identity is sealed in its own row, under its own key, found nowhere in clear.
    (sealed_key,) = raw_rows(database_url, KEYS, person_id)
    (sealed_identity,) = raw_rows(database_url, IDENTITIES, person_id)
    assert clear_text_found(database_url, secrets) == []
    opened_key = steady.mapper.cipher.decrypt(sealed_key)
    assert opened_key[:16] == person_id.bytes
    plain = AESGCM(opened_key[16:]).decrypt(
        sealed_identity[:12], sealed_identity[12:], person_id.bytes
    )
    assert NAME.encode() in plain  # the raw rows do hold it, for those with both keys
    assert people.identity(ref, surface="cli", actor=LEAD).name == NAME

    people.erase_identity(ref, "the family asked for erasure", actor=ADMIN)

    # After: no key row; the sealed identity is still there and no key left opens it.
    assert raw_rows(database_url, KEYS, person_id) == []
    assert raw_rows(database_url, IDENTITIES, person_id) == [sealed_identity]
    for other in all_keys(database_url):
        candidate = steady.mapper.cipher.decrypt(other)[16:]
        with pytest.raises(InvalidTag):
            AESGCM(candidate).decrypt(sealed_identity[:12], sealed_identity[12:], person_id.bytes)
    # The key's sealed bytes are gone from the SQLite file and its write-ahead log too.
    for name, data in sqlite_files(database_url).items():
        assert sealed_key not in data, name
    assert clear_text_found(database_url, secrets) == []

    # The history keeps the pseudonym and says who erased it and why; nobody reads it again.
    person = people.person(ref)
    assert person.reference == ref and person.identity_erased
    assert person.erased is not None
    assert person.erased[0] == ADMIN and person.erased[1] == "the family asked for erasure"
    with pytest.raises(Exception, match="was erased"):
        people.identity(ref, surface="cli", actor=LEAD)
    # Not even the store's key links the student id to the pseudonym now: recorded again, the
    # student is someone new.
    store = Store(database_url)
    try:
        assert store.run(f"SELECT count(*) FROM {MATCHES}") == [(0,)]
    finally:
        store.close()
    again, known = people.record_person(
        incident,
        kind="student",
        school="Roosevelt High School",
        grade="10",
        how_affected="recorded again after erasure",
        identity=Identity.parse({"name": NAME, "person_id": STUDENT_ID}),
        actor=LEAD,
    )
    assert again != ref and known is False


def test_a_second_incident_finds_the_same_person_by_their_student_id(opened, database_url):
    steady, people = opened
    first, ref = record(steady, people)
    second = steady.open_incident(
        title="Vigil", kind="death", severity=3, schools=["Roosevelt High School"], actor=LEAD
    ).reference
    again, known = people.record_person(
        second,
        kind="student",
        school="Roosevelt High School",
        grade="10",
        how_affected="spoke at the vigil",
        identity=Identity.parse({"name": NAME, "person_id": STUDENT_ID}),
        actor=LEAD,
    )
    assert (again, known) == (ref, True)
    assert list(people.person(ref).incidents) == [first, second]
    # The district's recovery picture counts them on each incident, by pseudonym.
    counted, referrals = people.in_recovery()
    assert [(p.person_ref, p.incident_ref, p.tier) for p in counted] == [
        (ref, first, None),
        (ref, second, None),
    ]
    assert referrals == []
    # The student id is in no id, no topic and no row in clear.
    assert clear_text_found(database_url, [STUDENT_ID]) == []
