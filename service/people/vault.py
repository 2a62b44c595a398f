"""The identity vault: each affected person's identity, encrypted with a key of its own, beside
the store's events (SQLite or PostgreSQL). Erasing a person's identity destroys their key.

Two tables (the row format is a contract, FORMAT 1):
- steady_person_keys: `person_id` (the aggregate id, derived from the pseudonym: nothing
  personal) and `sealed_key`, the person's 32-byte AES-256-GCM key sealed with the store's cipher
  (STEADY_CIPHER_KEY): cipher.encrypt(person_id's 16 bytes + key). The id inside binds the key to
  its row: a key moved to another row does not open there.
- steady_person_identities: `person_id` and `sealed_identity`: nonce (12 bytes) + AES-GCM of the
  identity's JSON (domain.identity) under the person's key, with the person id as associated data.
- steady_person_demographics: `person_id` and `sealed_demographics`, as the identity is sealed
  (under the person's key, so erasure takes it too): a roster's demographics of a student
  (service.rosters), kept only for reporting by student group.
- steady_person_matches: `match_id`, a keyed digest of a student or staff id (the service derives
  it with the store's key), and `sealed_reference`: cipher.encrypt(match_id's 16 bytes + the
  person's pseudonym). It finds the same person again on another incident; it is kept here, not
  in the event log, so that erasure can delete it too: after erasure, not even the store's key
  links the student id to the pseudonym.

Erasure deletes the key's row and the person's match, and rewrites the tables' storage (VACUUM,
and on SQLite a truncating checkpoint of the write-ahead log), so their bytes are gone from the
database file: the sealed identity that stays (in the table, in backups) can no longer be opened
by anyone, the store's key included. On PostgreSQL, the key's sealed bytes may stay in the
write-ahead log and its archive until they are recycled; they are sealed with the store's key
there too.
"""

import json
import os
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import ApplicationRecorder, Cipher
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from domain.errors import DomainError
from domain.identity import Identity

KEYS = "steady_person_keys"
IDENTITIES = "steady_person_identities"
MATCHES = "steady_person_matches"
DEMOGRAPHICS = "steady_person_demographics"
NONCE = 12
BATCH = 500  # people per query when reading many identities


class NoVault(DomainError):
    """The store keeps no identities (the in-memory store, or one opened without a key)."""


class VaultDamaged(Exception):
    """A sealed row does not open with the keys that should open it: altered or moved."""


class IdentityVault:
    def __init__(self, recorder: ApplicationRecorder, cipher: Cipher | None) -> None:
        if cipher is None:
            raise NoVault(
                "this store keeps no identities: it has no cipher key (set STEADY_CIPHER_KEY)"
            )
        self._cipher = cipher
        self._sql = _dialect_of(recorder)
        self._sql.create_tables()

    def put(self, person_id: UUID, identity: Identity) -> None:
        """Records (or replaces) the identity, under the person's key (made on first use)."""
        with self._sql.writing() as curs:
            row = self._sql.one(curs, "key", (self._sql.id(person_id),))
            if row is None:
                key = AESGCM.generate_key(bit_length=256)
                sealed_key = self._cipher.encrypt(person_id.bytes + key)
                self._sql.run(curs, "insert_key", (self._sql.id(person_id), sealed_key))
            else:
                key = self._open_key(person_id, bytes(row["sealed"]))
            nonce = os.urandom(NONCE)
            sealed = nonce + AESGCM(key).encrypt(nonce, identity.to_json(), person_id.bytes)
            self._sql.run(curs, "upsert_identity", (self._sql.id(person_id), sealed))

    def put_demographics(self, person_id: UUID, demographics: dict[str, Any]) -> None:
        """Seals a student's demographics under their key; their identity is put first."""
        plain = json.dumps(demographics, sort_keys=True).encode()
        with self._sql.writing() as curs:
            row = self._sql.one(curs, "key", (self._sql.id(person_id),))
            if row is None:
                raise VaultDamaged(f"no key for {person_id}: put their identity first")
            key = self._open_key(person_id, bytes(row["sealed"]))
            nonce = os.urandom(NONCE)
            sealed = nonce + AESGCM(key).encrypt(nonce, plain, person_id.bytes)
            self._sql.run(curs, "upsert_demographics", (self._sql.id(person_id), sealed))

    def demographics(self, person_id: UUID) -> dict[str, Any] | None:
        """A student's demographics, or None when none were put or the key was destroyed."""
        with self._sql.reading() as curs:
            key_row = self._sql.one(curs, "key", (self._sql.id(person_id),))
            row = self._sql.one(curs, "demographics", (self._sql.id(person_id),))
        if key_row is None or row is None:
            return None
        key = self._open_key(person_id, bytes(key_row["sealed"]))
        sealed = bytes(row["sealed"])
        try:
            plain = AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], person_id.bytes)
        except InvalidTag:
            raise VaultDamaged(f"the demographics row of {person_id} does not open") from None
        found: dict[str, Any] = json.loads(plain)
        return found

    def get(self, person_id: UUID) -> Identity | None:
        """The identity, or None when none was recorded or its key was destroyed."""
        with self._sql.reading() as curs:
            key_row = self._sql.one(curs, "key", (self._sql.id(person_id),))
            row = self._sql.one(curs, "identity", (self._sql.id(person_id),))
        if key_row is None or row is None:
            return None
        key = self._open_key(person_id, bytes(key_row["sealed"]))
        sealed = bytes(row["sealed"])
        try:
            plain = AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], person_id.bytes)
        except InvalidTag:
            raise VaultDamaged(f"the identity row of {person_id} does not open") from None
        return Identity.from_json(plain)

    def identities(self, person_ids: Iterable[UUID]) -> dict[UUID, Identity]:
        """The identities of many people in one read (a class list's names): those with none
        recorded, or whose key was destroyed, are left out."""
        wanted = list(dict.fromkeys(person_ids))
        found: dict[UUID, Identity] = {}
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start : start + BATCH]
            with self._sql.reading() as curs:
                rows = self._sql.many(curs, "identities", [self._sql.id(p) for p in batch])
            by_id = {self._sql.id(p): p for p in batch}
            for row in rows:
                person_id = by_id[row["person_id"]]
                key = self._open_key(person_id, bytes(row["sealed_key"]))
                sealed = bytes(row["sealed"])
                try:
                    plain = AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], person_id.bytes)
                except InvalidTag:
                    raise VaultDamaged(f"the identity row of {person_id} does not open") from None
                found[person_id] = Identity.from_json(plain)
        return found

    def destroy_key(self, person_id: UUID, match_id: UUID | None = None) -> bool:
        """Deletes the person's key (and their match) and rewrites the tables so their bytes are
        gone; True if there was a key."""
        with self._sql.writing() as curs:
            if match_id is not None:
                self._sql.run(curs, "delete_match", (self._sql.id(match_id),))
            self._sql.run(curs, "delete_key", (self._sql.id(person_id),))
            deleted = self._sql.rowcount(curs) > 0
        self._sql.compact()
        return deleted

    def match(self, match_id: UUID) -> str | None:
        """The pseudonym a student or staff id belongs to, if one was recorded."""
        with self._sql.reading() as curs:
            row = self._sql.one(curs, "match", (self._sql.id(match_id),))
        if row is None:
            return None
        plain = self._cipher.decrypt(bytes(row["sealed"]))
        if plain[:16] != match_id.bytes:
            raise VaultDamaged(f"the match row {match_id} belongs to another id")
        return plain[16:].decode()

    def claim_match(self, match_id: UUID, reference: str) -> str:
        """Links the id to the pseudonym unless another is linked already; the one linked."""
        sealed = self._cipher.encrypt(match_id.bytes + reference.encode())
        with self._sql.writing() as curs:
            self._sql.run(curs, "insert_match", (self._sql.id(match_id), sealed))
        return self.match(match_id) or reference

    def drop_match(self, match_id: UUID) -> None:
        with self._sql.writing() as curs:
            self._sql.run(curs, "delete_match", (self._sql.id(match_id),))

    def _open_key(self, person_id: UUID, sealed: bytes) -> bytes:
        plain = self._cipher.decrypt(sealed)
        if plain[:16] != person_id.bytes:
            raise VaultDamaged(f"the key row of {person_id} belongs to another person")
        return plain[16:]


class _Dialect:
    statements: dict[str, Any]
    datastore: Any

    def id(self, person_id: UUID) -> Any:
        return person_id

    def one(self, curs: Any, name: str, params: tuple) -> Any:
        curs.execute(self.statements[name], params)
        return curs.fetchone()

    def run(self, curs: Any, name: str, params: tuple) -> None:
        curs.execute(self.statements[name], params)

    def many(self, curs: Any, name: str, ids: list[Any]) -> list[Any]:
        curs.execute(self.statements[name], (ids,))
        return list(curs.fetchall())

    def create_tables(self) -> None:
        raise NotImplementedError

    def reading(self) -> Any:
        return self.datastore.transaction(commit=False)

    def writing(self) -> Any:
        return self.datastore.transaction(commit=True)

    def rowcount(self, curs: Any) -> int:
        raise NotImplementedError

    def compact(self) -> None:
        raise NotImplementedError


class _Postgres(_Dialect):
    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        self.datastore = recorder.datastore
        names = {
            "schema": Identifier(recorder.datastore.schema),
            "k": Identifier(KEYS),
            "i": Identifier(IDENTITIES),
            "m": Identifier(MATCHES),
            "d": Identifier(DEMOGRAPHICS),
        }

        def sql(text: str) -> Any:
            return SQL(text).format(**names)  # type: ignore[arg-type]

        self.create = [
            sql(
                "CREATE TABLE IF NOT EXISTS {schema}.{k} (person_id uuid PRIMARY KEY, "
                "sealed_key bytea NOT NULL)"
            ),
            sql(
                "CREATE TABLE IF NOT EXISTS {schema}.{i} (person_id uuid PRIMARY KEY, "
                "sealed_identity bytea NOT NULL)"
            ),
            sql(
                "CREATE TABLE IF NOT EXISTS {schema}.{m} (match_id uuid PRIMARY KEY, "
                "sealed_reference bytea NOT NULL)"
            ),
            sql(
                "CREATE TABLE IF NOT EXISTS {schema}.{d} (person_id uuid PRIMARY KEY, "
                "sealed_demographics bytea NOT NULL)"
            ),
        ]
        self.statements = {
            "key": sql("SELECT sealed_key AS sealed FROM {schema}.{k} WHERE person_id = %s"),
            "identity": sql(
                "SELECT sealed_identity AS sealed FROM {schema}.{i} WHERE person_id = %s"
            ),
            "identities": sql(
                "SELECT k.person_id, k.sealed_key, i.sealed_identity AS sealed "
                "FROM {schema}.{k} k JOIN {schema}.{i} i USING (person_id) "
                "WHERE k.person_id = ANY(%s)"
            ),
            "insert_key": sql("INSERT INTO {schema}.{k} VALUES (%s, %s)"),
            "upsert_identity": sql(
                "INSERT INTO {schema}.{i} VALUES (%s, %s) ON CONFLICT (person_id) "
                "DO UPDATE SET sealed_identity = excluded.sealed_identity"
            ),
            "delete_key": sql("DELETE FROM {schema}.{k} WHERE person_id = %s"),
            "demographics": sql(
                "SELECT sealed_demographics AS sealed FROM {schema}.{d} WHERE person_id = %s"
            ),
            "upsert_demographics": sql(
                "INSERT INTO {schema}.{d} VALUES (%s, %s) ON CONFLICT (person_id) "
                "DO UPDATE SET sealed_demographics = excluded.sealed_demographics"
            ),
            "match": sql("SELECT sealed_reference AS sealed FROM {schema}.{m} WHERE match_id = %s"),
            "insert_match": sql("INSERT INTO {schema}.{m} VALUES (%s, %s) ON CONFLICT DO NOTHING"),
            "delete_match": sql("DELETE FROM {schema}.{m} WHERE match_id = %s"),
        }
        self.vacuum = sql("VACUUM FULL {schema}.{k}, {schema}.{m}")

    def create_tables(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("SELECT pg_advisory_xact_lock(hashtext('steady-schema/people'))"))
            for statement in self.create:
                curs.execute(statement)

    def rowcount(self, curs: Any) -> int:
        return int(curs.rowcount)

    def compact(self) -> None:
        # VACUUM FULL rewrites the table without the deleted row; it cannot run in a
        # transaction, and may outlast the bound a pooled connection is held to.
        pool = self.datastore.pool
        settings = {**(pool.kwargs or {}), "autocommit": True}
        settings["options"] = "-c statement_timeout=0"
        with psycopg.connect(pool.conninfo, **settings) as conn:
            conn.execute(self.vacuum)


class _SQLite(_Dialect):
    def __init__(self, recorder: SQLiteApplicationRecorder) -> None:
        self.datastore = recorder.datastore
        self.create = [
            f"CREATE TABLE IF NOT EXISTS {KEYS} (person_id TEXT PRIMARY KEY, "
            "sealed_key BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {IDENTITIES} (person_id TEXT PRIMARY KEY, "
            "sealed_identity BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {MATCHES} (match_id TEXT PRIMARY KEY, "
            "sealed_reference BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {DEMOGRAPHICS} (person_id TEXT PRIMARY KEY, "
            "sealed_demographics BLOB NOT NULL)",
        ]
        self.statements = {
            "key": f"SELECT sealed_key AS sealed FROM {KEYS} WHERE person_id = ?",
            "identity": f"SELECT sealed_identity AS sealed FROM {IDENTITIES} WHERE person_id = ?",
            "identities": f"SELECT k.person_id, k.sealed_key, i.sealed_identity AS sealed "
            f"FROM {KEYS} k JOIN {IDENTITIES} i USING (person_id) WHERE k.person_id IN ({{}})",
            "insert_key": f"INSERT INTO {KEYS} VALUES (?, ?)",
            "upsert_identity": f"INSERT INTO {IDENTITIES} VALUES (?, ?) ON CONFLICT (person_id) "
            "DO UPDATE SET sealed_identity = excluded.sealed_identity",
            "delete_key": f"DELETE FROM {KEYS} WHERE person_id = ?",
            "demographics": f"SELECT sealed_demographics AS sealed FROM {DEMOGRAPHICS} "
            "WHERE person_id = ?",
            "upsert_demographics": f"INSERT INTO {DEMOGRAPHICS} VALUES (?, ?) "
            "ON CONFLICT (person_id) "
            "DO UPDATE SET sealed_demographics = excluded.sealed_demographics",
            "match": f"SELECT sealed_reference AS sealed FROM {MATCHES} WHERE match_id = ?",
            "insert_match": f"INSERT OR IGNORE INTO {MATCHES} VALUES (?, ?)",
            "delete_match": f"DELETE FROM {MATCHES} WHERE match_id = ?",
        }

    def id(self, person_id: UUID) -> Any:
        return person_id.hex

    def many(self, curs: Any, name: str, ids: list[Any]) -> list[Any]:
        # SQLite binds no arrays: one placeholder per id (a batch stays under its limit).
        curs.execute(self.statements[name].format(", ".join("?" for _ in ids)), ids)
        return list(curs.fetchall())

    def create_tables(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for statement in self.create:
                curs.execute(statement)

    def rowcount(self, curs: Any) -> int:
        return int(curs.sqlite_cursor.rowcount)

    def compact(self) -> None:
        # A deleted row's bytes stay in free pages and in the write-ahead log until
        # overwritten: VACUUM rebuilds the file, a truncating checkpoint empties the log.
        with self.datastore.get_connection(commit=True) as conn, conn.cursor() as raw:
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _dialect_of(recorder: ApplicationRecorder) -> _Dialect:
    if isinstance(recorder, PostgresApplicationRecorder):
        return _Postgres(recorder)
    if isinstance(recorder, SQLiteApplicationRecorder):
        return _SQLite(recorder)
    raise NoVault(f"a {type(recorder).__name__} keeps no identities: use SQLite or PostgreSQL")
