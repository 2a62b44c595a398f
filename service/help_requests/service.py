"""The help requests part of a process: the reporter's side (reporting), the desk's (desk,
conversion, routing), the escalation of life-safety requests no one has acknowledged, and the
counselor hand-off counts, over the application's store, with the queue kept from the log and
the limits on each sender."""

import threading
from collections.abc import Sequence

from argon2 import PasswordHasher

from service.accounts.service import Accounts
from service.help_requests.conversion import HelpConversion
from service.help_requests.desk import HelpDesk
from service.help_requests.escalation import HelpEscalation
from service.help_requests.handoffs import HelpHandoffs
from service.help_requests.limits import HelpLimits
from service.help_requests.queue import HelpQueue
from service.help_requests.reporting import HelpReporting
from service.help_requests.routing import HelpRouting
from service.incidents.application import Steady
from service.people.service import People


class HelpRequests(
    HelpReporting, HelpDesk, HelpConversion, HelpRouting, HelpEscalation, HelpHandoffs
):
    def __init__(
        self,
        steady: Steady,
        accounts: Accounts,
        people: People,
        *,
        hasher: PasswordHasher | None = None,
        limits: HelpLimits | None = None,
        targets: dict[str, int] | None = None,
        on_call: Sequence[str] = (),
        public_url: str = "http://localhost:8000",
    ) -> None:
        self.steady = steady
        self.accounts = accounts
        self.people = people
        # A passphrase is hashed as a password is (argon2id); a test may bring a quicker one.
        self.hasher = hasher or accounts.hasher
        self.limits = limits or HelpLimits(clock=steady.clock)
        self.help_queue = HelpQueue(steady, targets)
        self.on_call = tuple(on_call)
        self.public_url = public_url
        self._converting = threading.Lock()
        # A code that opens nothing is checked against this, so it takes as long as one that
        # opens a case with another passphrase.
        self._decoy_hash = self.hasher.hash("not anyone's passphrase")
