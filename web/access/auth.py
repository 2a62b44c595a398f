"""Who is signed in, and whether they may do what they ask: the signed-in person (by an API token
or a session, web/access/sessions.py), sign-out, and the permission checks
(web/access/guards.py makes them route guards; the checks that depend on one task or note are
called by their handlers)."""

from litestar import Request
from litestar.connection import ASGIConnection

from domain.account import Account
from domain.errors import DomainError, NotFound
from domain.task import Status
from service.access.need_to_know import Viewer, may_see
from service.access.permissions import ACTIONS, Forbidden, may_update_task, scopes
from service.access.permissions import Scope as Reach
from service.accounts.service import Accounts
from service.accounts.tokens import token_id_of
from service.drills.log import keeps_drill_log
from service.incidents.application import Steady
from web.access.sessions import Credential, bearer_of, session_account

SIGNED_IN = "steady_account"
CREDENTIAL = "steady_credential"


class NotSignedIn(Exception):
    """No credentials, or credentials that no longer name an enabled account."""


def accounts_of(connection: ASGIConnection) -> Accounts:
    return connection.app.state.accounts


def address_of(connection: ASGIConnection) -> str | None:
    return connection.client.host if connection.client else None


def signed_in(connection: ASGIConnection) -> Account | None:
    """The enabled account behind this request's token or session, or None.

    A wrong or revoked token raises SignInFailed (401); too many of them, SignInLocked."""
    state = connection.scope.setdefault("state", {})
    cached = state.get(SIGNED_IN)
    if isinstance(cached, Account):
        return cached
    accounts = accounts_of(connection)
    token = bearer_of(connection.headers)
    account: Account | None
    if token is not None:
        account = accounts.authenticate_token(token, address_of(connection))
        credential = Credential("token", token_id=token_id_of(token) or "")
    else:
        account, credential = session_account(connection, accounts)
    if account is not None:
        state[SIGNED_IN], state[CREDENTIAL] = account, credential
    return account


def already_signed_in(connection: ASGIConnection) -> Account | None:
    """The account signed_in() found for this request, if it has run: reads no store (the
    page saying the store cannot be reached is drawn with this)."""
    cached = connection.scope.get("state", {}).get(SIGNED_IN)
    return cached if isinstance(cached, Account) else None


def credential_of(connection: ASGIConnection) -> Credential | None:
    """What the signed-in account signed in with (after signed_in), for the live feed."""
    credential = connection.scope.get("state", {}).get(CREDENTIAL)
    return credential if isinstance(credential, Credential) else None


def end_sessions(connection: ASGIConnection) -> None:
    """Signs out: ends every session of the account signed in by this session (on the server,
    so copies of the cookie stop working too), then forgets this one. A token is not a
    session: signing out with one ends nothing."""
    account = signed_in(connection)
    credential = credential_of(connection)
    if account is not None and credential is not None and credential.kind == "session":
        accounts_of(connection).end_sessions(
            account.username, actor=account.acting_as(), reason="signed out"
        )
    connection.clear_session()


def account_of(connection: ASGIConnection) -> Account:
    account = signed_in(connection)
    if account is None:
        raise NotSignedIn(
            "sign in first: send Authorization: Bearer <token> (`steady users token USERNAME` "
            "makes one), or sign in at /signin"
        )
    return account


def forbidden(action: str) -> Forbidden:
    return Forbidden(f"your role may not {ACTIONS[action]}")


def sees_incidents(account: Account) -> bool:
    """Whether the person sees incidents as the district's people do (some or all of them,
    whole), rather than only a partner's share of those shared with their organisation."""
    return bool(scopes(account.roles, "view_incident") - {Reach.SHARED}) and not account.disabled


def partner_organisation(account: Account) -> str | None:
    """The organisation whose shares bound what this person sees, if they see only those."""
    if sees_incidents(account) or not scopes(account.roles, "view_incident"):
        return None
    return account.organisation


VIEWER = "steady_viewer"


def viewer_of(connection: ASGIConnection, account: Account) -> Viewer:
    """The account as the need-to-know rule sees it, worked out once per request."""
    state = connection.scope.setdefault("state", {})
    cached = state.get(VIEWER)
    if isinstance(cached, Viewer) and cached.username == account.username:
        return cached
    viewer = connection.app.state.school_names.viewer(account)
    state[VIEWER] = viewer
    return viewer


def steady_of(connection: ASGIConnection) -> Steady:
    return connection.app.state.steady


def hidden(account: Account, ref: str, connection: ASGIConnection) -> NotFound | None:
    """404 rather than 403 for someone who may see incidents but not this one (another
    school's, a confidential case they are not on, one not shared with their partner
    organisation): whether an incident exists is itself not theirs to know. Someone who may
    see no incident at all (an admin) is left to the 403 of the action."""
    viewer = viewer_of(connection, account)
    if not viewer.reach or viewer.every_case:
        return None
    missing = NotFound(f"there is no incident {ref}")
    try:
        incident = steady_of(connection).incident(ref)
    except (NotFound, DomainError):
        return missing
    return None if may_see(viewer, incident) else missing


def allow(request: Request, action: str, *, ref: str | None = None) -> Account:
    """The signed-in account, if it may take the action (on the incident `ref`, if given)."""
    account = account_of(request)
    if ref is not None:
        missing = hidden(account, ref, request)
        if missing is not None:
            raise missing
    if account.disabled or not scopes(account.roles, action):
        raise forbidden(action)
    return account


def allow_task_update(request: Request, ref: str, task_id: str) -> Account:
    account = allow(request, "update_task", ref=ref)
    if Reach.ALL in scopes(account.roles, "update_task"):
        return account
    task = steady_of(request).incident(ref).task(task_id)
    assignee = task.assignee
    if not may_update_task(
        account,
        owner_role=task.owner_role,
        assignee_kind=assignee.kind if assignee else "",
        assignee=assignee.name if assignee else "",
    ):
        if partner_organisation(account) is not None:
            raise NotFound(f"{ref} has no task {task_id!r}")  # not theirs to know of
        raise Forbidden(
            f"you may not change task {task_id}: it is not one of yours "
            f"(it belongs to {task.owner_role})"
        )
    return account


def allow_status_change(request: Request, ref: str, task_id: str, status: str) -> Account:
    """allow_task_update, and for marking a task not applicable or reopening one that was, a
    crisis lead's say (replan_task): setting a step aside is a decision about the plan."""
    account = allow_task_update(request, ref, task_id)
    replanning = status.strip().lower() == Status.NOT_APPLICABLE.value
    if not replanning:
        task = steady_of(request).incident(ref).task(task_id)
        replanning = task.status == Status.NOT_APPLICABLE
    if replanning:
        return allow(request, "replan_task", ref=ref)
    return account


def allow_note_correction(request: Request, ref: str, note_id: str) -> Account:
    account = allow(request, "correct_note", ref=ref)
    if Reach.ALL in scopes(account.roles, "correct_note"):
        return account
    note = steady_of(request).incident(ref).notes.get(note_id)
    organisation = partner_organisation(account)
    if note is None or (organisation is not None and organisation not in note.shared_with):
        raise NotFound(f"{ref} has no note {note_id}")
    if note.by.user != account.username:
        raise Forbidden(f"you may not correct note {note_id}: you may correct only your own notes")
    return account


def abilities(account: Account | None) -> dict[str, bool]:
    """What the person may do, action by action, for the pages to show only those controls."""
    if account is None or account.disabled:
        return dict.fromkeys(ACTIONS, False)
    can = {action: bool(scopes(account.roles, action)) for action in ACTIONS}
    # A responder keeps the drill log only as a school administrator (service.drills.log).
    can["view_drill_log"] = keeps_drill_log(account)
    return can
