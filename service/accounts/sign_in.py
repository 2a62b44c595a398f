"""Sign-in with a password or an API token, refused the same whatever was wrong.

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher) and rehashed at the next
sign-in when the hashing parameters change. Failed sign-ins are counted by a SignInThrottle
(service.accounts.throttle); a valid API token is never throttled.
"""

import hmac
import secrets
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.account import Account
from domain.credentials import MAX_PASSWORD, normalise_username
from domain.people import Actor
from domain.token_lookup import TokenLookup
from service.accounts.refusals import SignInFailed
from service.accounts.throttle import SignInThrottle
from service.accounts.tokens import TOKEN_PATTERN, token_digest
from service.incidents.application import Steady

SYSTEM = Actor("steady", "system")
MAX_TOKENS_REMEMBERED = 100_000  # token id -> account id, a few MB at most


class SignIn:
    """The part of Accounts (service.accounts.service) that signs people in."""

    # Given by Accounts.
    steady: Steady
    hasher: PasswordHasher
    throttle: SignInThrottle
    _dummy_hash: str
    _token_accounts: dict[str, UUID]  # which account each token was issued to

    # self._find(username) comes from service.accounts.queries.AccountQueries.

    def authenticate_password(
        self, username: str, password: str, address: str | None = None
    ) -> Account:
        """The account, if the password is right and the account enabled; else SignInFailed
        (SignInLocked while too many recent failures), the same whatever was wrong."""
        key = normalise_username(username)[:100]
        self.throttle.check(username=key, address=address)
        account = self._find(key)
        usable = isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD
        stored = account.password_hash if account and account.has_password else ""
        # Verify against a stand-in hash when there is nothing to verify, so an unknown
        # username takes as long to refuse as a wrong password.
        verified = usable and self._verify(stored or self._stand_in_hash(), password)
        if not (verified and stored and account and not account.disabled):
            self.throttle.failed(username=key, address=address)
            raise SignInFailed(SignInFailed.PASSWORD)
        self.throttle.succeeded(username=key, address=address)
        self._rehash_if_needed(account, password)
        return account

    def authenticate_token(self, token: str, address: str | None = None) -> Account:
        """The account that owns this API token, if it is active and the account enabled.

        A valid token is never refused for failures from its address (someone else's wrong
        passwords there, say); only a wrong token counts and waits."""
        match = TOKEN_PATTERN.match(token.strip()) if isinstance(token, str) else None
        account = None
        if match:
            token_id, secret = match.groups()
            account = self._token_owner(token_id)
            issued = account.tokens.get(token_id) if account else None
            if not (
                account
                and issued
                and issued.active
                and not account.disabled
                and hmac.compare_digest(issued.secret_digest, token_digest(secret))
            ):
                account = None
        if account is None:
            self.throttle.check(address=address)
            self.throttle.failed(address=address)
            raise SignInFailed(SignInFailed.TOKEN)
        return account

    def _token_owner(self, token_id: str) -> Account | None:
        """The account the token was issued to, read anew (a revocation shows at once); which
        account that is never changes, so it is looked up in the store only once."""
        try:
            account_id = self._token_accounts.get(token_id)
            if account_id is None:
                lookup: TokenLookup = self.steady.repository.get(TokenLookup.id_for(token_id))
                account_id = lookup.account_id
                if len(self._token_accounts) < MAX_TOKENS_REMEMBERED:
                    self._token_accounts[token_id] = account_id
            return self.steady.repository.get(account_id)
        except AggregateNotFoundError:
            return None

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _stand_in_hash(self) -> str:
        if not self._dummy_hash:
            self._dummy_hash = self.hasher.hash(secrets.token_hex(16))
        return self._dummy_hash

    def _rehash_if_needed(self, account: Account, password: str) -> None:
        """The hashing parameters changed since this hash was made: store a new hash. Losing a
        race to another writer is fine; the next sign-in tries again."""
        try:
            if not self.hasher.check_needs_rehash(account.password_hash):
                return
            account.set_password_hash(
                self.hasher.hash(password), actor=SYSTEM, at=self.steady.clock(), rehash=True
            )
            self.steady.save(account)
        except (IntegrityError, InvalidHashError):
            return
