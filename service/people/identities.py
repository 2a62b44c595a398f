"""Identities: sealing one in the vault, showing one to someone with need-to-know (the view is
recorded before the identity leaves), and erasing one by destroying its key."""

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.affected_person import AffectedPerson
from domain.errors import DomainError, NotFound
from domain.identity import Identity
from domain.people import Actor
from service.incidents.application import Steady
from service.people.commands import match_id_of
from service.people.vault import IdentityVault

# Where an identity can be seen, in the words of the person's history.
IDENTITY_SURFACES: dict[str, str] = {"page": "Person page", "api": "API", "cli": "Command line"}


class Identities:
    steady: Steady  # given by the People it is part of
    _change: Callable[[str, Callable[[AffectedPerson], Any]], Any]
    person: Callable[[str], AffectedPerson]
    _vault: IdentityVault | None
    _vault_lock: threading.Lock
    after_erasure: list[Callable[[str], None]]

    def _vault_now(self) -> IdentityVault:
        """The vault, opened (and its tables made) on first use: a store that never records an
        identity gets no tables, and the in-memory store of unit tests keeps working."""
        with self._vault_lock:
            if self._vault is None:
                self._vault = IdentityVault(self.steady.recorder, self.steady.mapper.cipher)
            return self._vault

    def store_identity(self, person: AffectedPerson, identity: Identity) -> None:
        """Seals the identity, and links its student or staff id to the pseudonym (moving the
        link when the id changed); an id already linked to someone else is refused."""
        vault = self._vault_now()
        wanted = match_id_of(self.steady, person.kind, identity)
        if wanted is not None:
            linked = vault.claim_match(wanted, person.reference)
            if linked != person.reference:
                raise DomainError(
                    f"that {person.kind} id belongs to {linked} already: record them on this "
                    f"incident as {linked} instead"
                )
        before = vault.get(person.id) if person.has_identity else None
        earlier = match_id_of(self.steady, person.kind, before)
        vault.put(person.id, identity)
        if earlier is not None and earlier != wanted:
            vault.drop_match(earlier)

    def identity(
        self, ref: str, *, surface: str, actor: Actor, at: datetime | None = None
    ) -> Identity:
        """The identity, once this view of it is recorded in the person's history. The caller
        has checked need-to-know (service.access.need_to_know.may_see_identity)."""
        if surface not in IDENTITY_SURFACES:
            raise DomainError(
                f"unknown surface {surface!r}: expected one of {', '.join(IDENTITY_SURFACES)}"
            )
        person = self.person(ref)
        if person.identity_erased or not person.has_identity:
            person.identity_viewed(surface, actor=actor, at=at or self.steady.clock())  # refuses
        found = self._vault_now().get(person.id)
        if found is None:
            raise DomainError(
                f"the identity of {person.reference} is not in the vault: record it again"
            )
        self._change(
            person.reference,
            lambda p: p.identity_viewed(surface, actor=actor, at=at or self.steady.clock()),
        )
        return found

    def birthday_of(self, ref: str) -> tuple[int, int] | None:
        """(month, day) of the person's date of birth, for their birthday check-in; None when
        not given or erased. No one sees it here, so no view is recorded: it leaves only as the
        day of a check-in."""
        try:
            person = self.person(ref)
        except NotFound:
            return None  # follow-ups planned for someone the people part does not hold
        if person.identity_erased or not person.has_identity:
            return None
        found = self._vault_now().get(person.id)
        if found is None or found.date_of_birth is None:
            return None
        return found.date_of_birth.month, found.date_of_birth.day

    def erase_identity(
        self, ref: str, reason: str, *, actor: Actor, at: datetime | None = None
    ) -> None:
        """Records who erased the identity and why, then destroys its key. An erasure whose key
        was not destroyed (the process stopped between) destroys it when asked again."""
        person = self.person(ref)
        vault = self._vault_now()
        # While the key still opens it: the student or staff id whose link to the pseudonym
        # goes with it.
        match_id = match_id_of(self.steady, person.kind, vault.get(person.id))
        if person.identity_erased:
            vault.destroy_key(person.id, match_id)
            raise DomainError(f"the identity of {person.reference} was erased already")
        self._change(
            person.reference,
            lambda p: p.erase_identity(reason, actor=actor, at=at or self.steady.clock()),
        )
        vault.destroy_key(person.id, match_id)
        for hook in self.after_erasure:
            hook(person.reference)
