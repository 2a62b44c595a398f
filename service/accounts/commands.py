"""What Accounts does: organisations and their stand-ins, accounts, roles, passwords, tokens.

Who may call these (an admin, for most of them) is decided at the edge, with
service.access.permissions; the actor passed in is recorded on every event. Each command
decides on the latest aggregates and is decided again if another writer saved first
(service.store.retrying).
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from argon2 import PasswordHasher
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.account import Account, AlreadyExists, check_username
from domain.admin_roster import sync_admin_roster
from domain.credentials import check_password
from domain.organisation import Organisation, StandIns, check_playbook_role
from domain.people import Actor
from domain.token_lookup import TokenLookup
from service.access.permissions import Forbidden
from service.accounts.queries import AccountQueries
from service.accounts.tokens import check_may_issue_token, new_token, token_digest
from service.store.retrying import retry_on_conflict


class AccountCommands(AccountQueries):
    """The part of Accounts (service.accounts.service) that changes accounts and organisations;
    it reads the latest of them through AccountQueries."""

    hasher: PasswordHasher  # given by Accounts

    def add_organisation(self, slug: str, name: str, kind: str, *, actor: Actor) -> Organisation:
        organisation = Organisation.create(
            slug=slug, name=name, kind=kind, actor=actor, at=self.steady.clock()
        )
        if self._exists(organisation.id):
            raise AlreadyExists(f"there is already an organisation {organisation.slug!r}")
        try:
            self.steady.save(organisation)
        except IntegrityError:
            raise AlreadyExists(f"there is already an organisation {organisation.slug!r}") from None
        return organisation

    def stand_in(self, slug: str, role: str, *, actor: Actor) -> Organisation:
        """The partner stands in for a playbook role: applying a playbook assigns it the tasks
        of that role. One partner a role; the organisation and the roster are saved together."""
        roles = self.playbook_roles()

        def attempt() -> Organisation:
            organisation = self.organisation(slug)
            now = self.steady.clock()
            organisation.stand_in(role, roles=roles, actor=actor, at=now)
            wanted = check_playbook_role(role, roles)
            roster = self._stand_ins() or StandIns.start(actor=actor, at=now)
            holder = roster.roles.get(wanted)
            names = {holder: self.organisation(holder).name} if holder else {}
            roster.take(wanted, organisation, names=names, actor=actor, at=now)
            # another admin changed a stand-in meanwhile: decide again
            self.steady.save(organisation, roster)
            return organisation

        return retry_on_conflict(
            attempt, too_busy="stand-ins are changing too fast to change now; try again"
        )

    def end_stand_in(self, slug: str, role: str, *, actor: Actor) -> Organisation:
        wanted = role.strip().lower() if isinstance(role, str) else role

        def attempt() -> Organisation:
            organisation = self.organisation(slug)
            now = self.steady.clock()
            organisation.end_stand_in(wanted, actor=actor, at=now)
            roster = self._stand_ins()
            if roster is not None and roster.roles.get(wanted) == organisation.slug:
                roster.release(wanted, actor=actor, at=now)
            self.steady.save(organisation, roster)
            return organisation

        return retry_on_conflict(
            attempt, too_busy="stand-ins are changing too fast to change now; try again"
        )

    def set_school_hours(self, slug: str, start: str, end: str, *, actor: Actor) -> Organisation:
        def attempt() -> Organisation:
            organisation = self.organisation(slug)
            organisation.set_school_hours(start, end, actor=actor, at=self.steady.clock())
            self.steady.save(organisation)
            return organisation

        return retry_on_conflict(
            attempt, too_busy="the school is changing too fast to change now; try again"
        )

    # -- account commands ---------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        *,
        display_name: str,
        organisation: str,
        roles: Sequence[str],
        password: str | None,
        actor: Actor,
        positions: Sequence[str] = (),
    ) -> Account:
        """A new account; without a password it can sign in only with API tokens."""
        username = check_username(username)
        password_hash = None
        if password is not None:
            password_hash = self.hasher.hash(check_password(password, username))
        org = self.organisation(organisation)
        taken = f"the username {username!r} is taken; choose another"

        def attempt() -> Account:
            if any(self._exists(i) for i in self._ids_for(username)):
                raise AlreadyExists(taken)
            now = self.steady.clock()
            account = Account.create(
                username=username,
                display_name=display_name,
                organisation=org,
                roles=list(roles),
                positions=list(positions),
                actor=actor,
                at=now,
                account_id=self._ids_for(username)[0],
            )
            if password_hash:
                account.set_password_hash(password_hash, actor=actor, at=now)
            roster = sync_admin_roster(self._roster(), account, actor=actor, at=now)
            # the username was taken meanwhile, or the roster changed
            self.steady.save(account, roster)
            return account

        return retry_on_conflict(
            attempt, too_busy="accounts are changing too fast to add one now; try again"
        )

    def grant_role(self, username: str, role: str, *, actor: Actor) -> Account:
        if actor.user == check_username(username):
            # Two people for every grant of power: an admin who could grant themselves
            # auditor (or any role) could read every child's case unseen by a colleague.
            raise Forbidden(
                f"you may not grant yourself a role: another admin must grant {role} to "
                f"{actor.user}, so that no one widens their own access alone"
            )
        return self._change(username, actor, lambda a, now: a.grant_role(role, actor=actor, at=now))

    def revoke_role(self, username: str, role: str, *, actor: Actor) -> Account:
        return self._change(
            username, actor, lambda a, now: a.revoke_role(role, actor=actor, at=now)
        )

    def set_positions(self, username: str, positions: Sequence[str], *, actor: Actor) -> Account:
        return self._change(
            username, actor, lambda a, now: a.set_positions(list(positions), actor=actor, at=now)
        )

    def set_schools(self, username: str, schools: Sequence[str], *, actor: Actor) -> Account:
        """Gives the person these schools (organisation ids) besides their own organisation;
        each must be a school: a partner or the district here would widen sight by mistake."""
        slugs = [self.school(s).slug for s in schools]
        return self._change(
            username, actor, lambda a, now: a.set_schools(slugs, actor=actor, at=now)
        )

    def set_email(self, username: str, email: str, *, actor: Actor) -> Account:
        """Where the person is emailed ("" for nowhere): set by an admin or by the person."""
        return self._change(username, actor, lambda a, now: a.set_email(email, actor=actor, at=now))

    def set_password(self, username: str, password: str, *, actor: Actor) -> Account:
        """A new password; every session signed in with the old one ends."""
        password_hash = self.hasher.hash(check_password(password, check_username(username)))

        def change(account: Account, now: datetime) -> None:
            account.set_password_hash(password_hash, actor=actor, at=now)
            account.end_sessions(reason="password changed", actor=actor, at=now)

        return self._change(username, actor, change)

    def disable(self, username: str, *, actor: Actor, reason: str = "") -> Account:
        """Disables the account and ends its sessions: enabling it again revives none."""

        def change(account: Account, now: datetime) -> None:
            account.disable(reason=reason, actor=actor, at=now)
            account.end_sessions(reason="disabled", actor=actor, at=now)

        return self._change(username, actor, change)

    def end_sessions(self, username: str, *, actor: Actor, reason: str) -> Account:
        """Ends every session of the account, on every instance (they read the same record)."""
        return self._change(
            username, actor, lambda a, now: a.end_sessions(reason=reason, actor=actor, at=now)
        )

    def enable(self, username: str, *, actor: Actor) -> Account:
        return self._change(username, actor, lambda a, now: a.enable(actor=actor, at=now))

    def issue_token(self, username: str, label: str = "api", *, actor: Actor) -> str:
        """A new API token for the account, returned once: only its digest is stored.

        Only the account's owner issues a token for it; an admin (or the command line) issues
        one only for an account made for a script, which has no password. Otherwise whoever
        held the token could act as that person, and their events would say it was them."""
        shown: list[str] = []

        def change(account: Account, now: datetime) -> list[Aggregate]:
            check_may_issue_token(account, actor)
            token_id, secret, token = new_token()
            account.issue_token(
                token_id=token_id,
                label=label,
                secret_digest=token_digest(secret),
                actor=actor,
                at=now,
            )
            shown[:] = [token]
            return [TokenLookup.register(token_id, account.id, at=now)]

        self._change(username, actor, change)
        return shown[0]

    def revoke_token(self, username: str, token_id: str, *, actor: Actor) -> Account:
        return self._change(
            username, actor, lambda a, now: a.revoke_token(token_id, actor=actor, at=now)
        )

    def _change(
        self,
        username: str,
        actor: Actor,
        change: Callable[[Account, datetime], Sequence[Aggregate] | None],
    ) -> Account:
        """Applies the change to the latest account and saves it with the admin roster (and
        anything else the change returns); reloads and applies again if another writer won."""
        username = check_username(username)

        def attempt() -> Account:
            account = self.account(username)
            now = self.steady.clock()
            others = change(account, now) or ()
            roster = sync_admin_roster(self._roster(), account, actor=actor, at=now)
            self.steady.save(account, roster, *others)
            return account

        return retry_on_conflict(
            attempt, too_busy=f"{username} is changing too fast to change now; try again"
        )
