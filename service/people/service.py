"""The people part of a process: affected people's commands, queries and identities over the
application's store, and the hooks called after each triage (`after_triage`: the composition
root connects the follow-up plans there) and each erasure (`after_erasure`: parts that keep
names in memory forget them)."""

import threading
from collections.abc import Callable

from service.accounts.service import Accounts
from service.incidents.application import Steady
from service.people.commands import AfterTriage, PeopleCommands
from service.people.identities import Identities
from service.people.queries import PeopleQueries
from service.people.vault import IdentityVault


class People(PeopleCommands, Identities, PeopleQueries):
    def __init__(self, steady: Steady, accounts: Accounts) -> None:
        self.steady = steady
        self.accounts = accounts
        # Each called with (person_ref, incident_ref, tier, counselor or None, actor) after a
        # triage is saved.
        self.after_triage: list[AfterTriage] = []
        # Each called with the person's pseudonym once their identity's key is destroyed.
        self.after_erasure: list[Callable[[str], None]] = []
        self._vault: IdentityVault | None = None
        self._vault_lock = threading.Lock()
        self._matching = threading.Lock()
