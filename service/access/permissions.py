"""Who may do what: the permission matrix as data, and the checks the edge asks before acting.

Each cell of the matrix is a Scope: ALL (anywhere), SCHOOL (only incidents of the person's
schools, or with a task assigned to them by name, or with them on the case team), OWN (only what
is the person's own: tasks of their positions or assigned to them, notes they wrote), SHARED
(only within incidents shared with their organisation, and there only the tasks assigned to
their organisation and the notes shared with it), or nothing. A person with several roles may do
what any of them allows. Over every cell, confidential incidents are seen only by crisis leads,
their case team and auditors: service/access/need_to_know.py holds that rule, and which incidents a
SCHOOL scope reaches.
"""

from collections.abc import Iterable
from enum import StrEnum

from domain.account import Account
from domain.errors import DomainError
from domain.roles import ROLES


class Scope(StrEnum):
    ALL = "all"
    SCHOOL = "school"
    OWN = "own"
    SHARED = "shared"


class Forbidden(DomainError):
    """The person's roles do not allow the action."""


ACTIONS: dict[str, str] = {
    "view_board": "see the board of open incidents",
    "view_incident": "see an incident: tasks, notes, severity, phase",
    "open_incident": "open an incident",
    "close_incident": "close an incident with a review summary",
    "reopen_incident": "reopen a closed incident",
    "apply_playbook": "apply a playbook to an incident",
    "assign_task": "assign a task to a role, a person or a partner organisation",
    "update_task": "change a task's status (claim, block, finish, reopen)",
    "replan_task": "reschedule a task, or mark it not applicable (and reopen it from there)",
    "add_note": "add a note to an incident or a task",
    "correct_note": "correct a note (the original stays in the record)",
    "change_severity": "change an incident's severity",
    "advance_phase": "move an incident to its next phase",
    "share_incident": "share an incident with a partner organisation, or end the share",
    "restrict_incident": "mark an incident confidential or not, and choose its case team",
    "replay": "see an incident as it stood at any past moment",
    "view_timeline": "see an incident's timeline of events",
    "export": "export an incident's complete event stream",
    "verify": "check that incident streams are intact",
    "view_audit_log": "see who viewed an incident, and the changes to accounts",
    "view_summary": (
        "see the totals across schools: incidents, overdue tasks, roles no one holds, and "
        "recovery (people by tier, check-ins, referrals) in counts"
    ),
    "manage_accounts": "add accounts, grant and revoke roles, disable, issue API tokens",
    "view_calendar": "see the school calendar in force, the district's and each school's",
    "import_calendar": "import the district's school calendar, or a school's own",
    "import_roster": "import the district's rosters (OneRoster 1.1 CSV) and see what changed",
    "record_check_in": (
        "see follow-up check-ins and record them (own: the person's own; shared: those owned "
        "by their organisation)"
    ),
    "view_people": "see the people an incident affected, by pseudonym: tier, triage, referrals",
    "record_people": "record a person affected by an incident, with their identity",
    "triage": "triage an affected person (PREPaRE) and assign their counselor",
    "refer": "refer an affected person to a mental-health professional or a partner",
    "update_referral": "accept or close a referral made to you or your organisation",
    "view_identity": "see an affected person's identity (every view is recorded)",
    "share_identity": "share an affected person's identity with the partner they are referred to",
    "erase_identity": "erase an affected person's identity by destroying its key",
    "view_help_requests": (
        "see the help requests queue and each request: what the reporter wrote, the messages, "
        "the clocks"
    ),
    "work_help_requests": (
        "acknowledge, assign, write to the reporter, route a need to a partner, mark spam, close "
        "a help request"
    ),
    "convert_help_request": "convert a help request into an incident or a family's needs case",
    "view_routed_help": "see the help requests routed to one's organisation: only the need routed",
    "view_reunification": (
        "see an incident's reunification: the counts, the cases, guardians' and students' names"
    ),
    "run_reunification": (
        "open reunification on an incident and work its stations: check-in, checker, reunifier"
    ),
    "decide_reunification": "decide a stopped reunification case: release with a reason, or refuse",
    "record_review": (
        "record when everyone was accounted for and when reunification was completed, a drill's "
        "participants and what to change"
    ),
    "view_drill_log": (
        "see the drill log (school, date and time, type, participants, duration), export it, and "
        "see drill reports (school: of their schools, as a principal or assistant principal)"
    ),
    "view_accounting": (
        "see who is accounted for in a hold, lockdown, evacuation or shelter: counts by school "
        "and location, classes not reported, missing students, staff not accounted for"
    ),
    "account_for_class": (
        "report a class's students (accounted for, missing, injured, absent, with another adult) "
        "and oneself in a hold, lockdown, evacuation or shelter (own: the classes one teaches)"
    ),
}

_ = None
A, C, M, S = Scope.ALL, Scope.SCHOOL, Scope.OWN, Scope.SHARED  # all, schools, mine, shared
_COLUMNS = (
    "admin",
    "crisis-lead",
    "responder",
    "district-leader",
    "partner",
    "auditor",
    "help-desk",
)
_ROWS: dict[str, tuple[Scope | None, ...]] = {
    #                       admin crisis-lead responder district-leader partner auditor help-desk
    "view_board":           (_,    A,          C,        A,              S,      A,      _),
    "view_incident":        (_,    A,          C,        A,              S,      A,      _),
    "open_incident":        (_,    A,          _,        _,              _,      _,      _),
    "close_incident":       (_,    A,          _,        _,              _,      _,      _),
    "reopen_incident":      (_,    A,          _,        _,              _,      _,      _),
    "apply_playbook":       (_,    A,          _,        _,              _,      _,      _),
    "assign_task":          (_,    A,          _,        _,              _,      _,      _),
    "update_task":          (_,    A,          M,        _,              S,      _,      _),
    "replan_task":          (_,    A,          _,        _,              _,      _,      _),
    "add_note":             (_,    A,          C,        A,              S,      _,      _),
    "correct_note":         (_,    A,          M,        M,              M,      _,      _),
    "change_severity":      (_,    A,          _,        _,              _,      _,      _),
    "advance_phase":        (_,    A,          _,        _,              _,      _,      _),
    "share_incident":       (_,    A,          _,        _,              _,      _,      _),
    "restrict_incident":    (_,    A,          _,        _,              _,      _,      _),
    "replay":               (_,    A,          _,        A,              _,      A,      _),
    "view_timeline":        (_,    A,          C,        A,              _,      A,      _),
    "export":               (_,    A,          _,        A,              _,      A,      _),
    "verify":               (_,    A,          _,        A,              _,      A,      _),
    "view_audit_log":       (_,    _,          _,        _,              _,      A,      _),
    "view_summary":         (_,    A,          _,        A,              _,      A,      _),
    "manage_accounts":      (A,    _,          _,        _,              _,      _,      _),
    "view_calendar":        (A,    A,          _,        A,              _,      A,      _),
    "import_calendar":      (A,    _,          _,        _,              _,      _,      _),
    "import_roster":        (A,    _,          _,        _,              _,      _,      _),
    "record_check_in":      (_,    A,          M,        _,              S,      _,      _),
    "view_people":          (_,    A,          C,        A,              S,      A,      _),
    "record_people":        (_,    A,          C,        _,              _,      _,      _),
    "triage":               (_,    A,          C,        _,              _,      _,      _),
    "refer":                (_,    A,          C,        _,              _,      _,      _),
    "update_referral":      (_,    A,          C,        _,              S,      _,      _),
    "view_identity":        (_,    A,          M,        _,              S,      _,      _),
    "share_identity":       (_,    A,          _,        _,              _,      _,      _),
    "erase_identity":       (A,    _,          _,        _,              _,      _,      _),
    "view_help_requests":   (_,    A,          _,        A,              _,      A,      A),
    "work_help_requests":   (_,    A,          _,        _,              _,      _,      A),
    "convert_help_request": (_,    A,          _,        _,              _,      _,      A),
    "view_routed_help":     (_,    _,          _,        _,              S,      _,      _),
    "view_reunification":   (_,    A,          C,        A,              _,      A,      _),
    "run_reunification":    (_,    A,          C,        A,              _,      _,      _),
    "decide_reunification": (_,    A,          C,        _,              _,      _,      _),
    "record_review":        (_,    A,          _,        _,              _,      _,      _),
    "view_drill_log":       (_,    A,          C,        A,              _,      A,      _),
    "view_accounting":      (_,    A,          C,        A,              _,      A,      _),
    "account_for_class":    (_,    A,          M,        _,              _,      _,      _),
}  # fmt: skip

# MATRIX[role][action] is the scope in which that role may take that action.
MATRIX: dict[str, dict[str, Scope]] = {
    role: {action: cells[i] for action, cells in _ROWS.items() if cells[i] is not None}
    for i, role in enumerate(_COLUMNS)
}
assert set(_COLUMNS) == set(ROLES) and set(_ROWS) == set(ACTIONS)

SCOPE_NOTES: dict[Scope, str] = {
    Scope.ALL: "✓ anywhere (but see confidential incidents, below)",
    Scope.SCHOOL: (
        "**school**: only incidents of the person's schools (their organisation when it is a "
        "school, and the schools an admin gives them), and incidents where a task is assigned to "
        "them by name or they are on the case team"
    ),
    Scope.OWN: (
        "**own**: tasks owned by one of the person's positions (counselor, principal, ...) or "
        "assigned to them by name; notes they wrote"
    ),
    Scope.SHARED: (
        "**shared**: only incidents shared with the person's organisation, and within them only "
        "the tasks assigned to that organisation and the notes shared with it (a partner's own "
        "notes are shared with their organisation)"
    ),
}


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}: expected one of {', '.join(ACTIONS)}")


def scopes(roles: Iterable[str], action: str) -> frozenset[Scope]:
    """Every scope in which any of these roles may take the action (empty: not at all)."""
    _check_action(action)
    found = set()
    for role in roles:
        if role not in MATRIX:
            raise ValueError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
        scope = MATRIX[role].get(action)
        if scope is not None:
            found.add(scope)
    return frozenset(found)


def can(roles: Iterable[str], action: str) -> bool:
    """Whether these roles allow the action in some scope; check the scope before acting."""
    return bool(scopes(roles, action))


def require(account: Account, action: str) -> frozenset[Scope]:
    """The scopes the account may act in; Forbidden if none (or the account is disabled)."""
    found = scopes(account.roles, action) if not account.disabled else frozenset()
    if not found:
        raise Forbidden(
            f"{account.username} ({', '.join(account.roles)}) may not {ACTIONS[action]}"
        )
    return found


def may_update_task(
    account: Account, *, owner_role: str, assignee_kind: str = "", assignee: str = ""
) -> bool:
    """Whether the account may change this task's status, by the matrix's scopes."""
    if account.disabled:
        return False
    found = scopes(account.roles, "update_task")
    if Scope.ALL in found:
        return True
    if Scope.OWN in found:
        mine = {*account.positions, *account.roles}
        if owner_role in mine:
            return True
        if assignee_kind == "person" and assignee.casefold() == account.username:
            return True
        if assignee_kind == "role" and assignee in mine:
            return True
    if Scope.SHARED in found and assignee_kind == "partner":
        return assignee.strip().casefold() == account.organisation
    return False


# The school-team jobs that hold follow-ups: mental-health staff and the partner standing in.
CHECK_IN_POSITIONS = frozenset(
    {"counselor", "social-worker", "school-psychologist", "partner-mental-health"}
)


def may_own_follow_ups(account: Account) -> bool:
    """Whether a person's follow-ups may be given to this account: a crisis lead, a partner's
    clinician, or a responder who is a counselor, social worker or school psychologist."""
    if account.disabled:
        return False
    found = scopes(account.roles, "record_check_in")
    if Scope.ALL in found or Scope.SHARED in found:
        return True
    return Scope.OWN in found and bool(CHECK_IN_POSITIONS & set(account.positions))


def may_record_check_in(account: Account, *, owner: str, owner_organisation: str) -> bool:
    """Whether the account may see and record the check-ins of follow-ups with this owner:
    crisis leads everyone's, a responder their own, a partner's people their organisation's."""
    if account.disabled:
        return False
    found = scopes(account.roles, "record_check_in")
    if Scope.ALL in found:
        return True
    if Scope.OWN in found and owner == account.username:
        return True
    return Scope.SHARED in found and owner_organisation == account.organisation


def matrix_markdown() -> str:
    """The matrix as a Markdown table, for the README."""
    marks = {
        Scope.ALL: "✓",
        Scope.SCHOOL: "school",
        Scope.OWN: "own",
        Scope.SHARED: "shared",
        None: "—",
    }
    lines = [
        "| action | " + " | ".join(_COLUMNS) + " |",
        "| --- |" + " :---: |" * len(_COLUMNS),
    ]
    for action, description in ACTIONS.items():
        cells = [marks[MATRIX[role].get(action)] for role in _COLUMNS]
        lines.append(f"| `{action}`: {description} | " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"- {note}" for note in SCOPE_NOTES.values()]
    lines.append(
        "- **Affected people**: school scope reaches the people of the incidents the person "
        "sees; own scope (`view_identity`) is the identity of a person they are the counselor "
        "of; shared scope is the people referred to their organisation (pseudonym, reason, what "
        "they are asked to do), and an identity only once a crisis lead shares it with them."
    )
    lines.append(
        "- **Help requests**: shared scope (`view_routed_help`) is the requests routed to the "
        "person's organisation, and of each only its reference, category, school, the need "
        "routed and when it came in (the reporter's contact only when the desk shares it); "
        "never what the reporter wrote, nor the messages."
    )
    lines.append(
        "- **Reunification**: school scope of `decide_reunification` is a school administrator "
        "(a responder whose position is principal or assistant principal) of the incident's "
        "school; other responders of the school run the stations but call a lead."
    )
    lines.append(
        "- **Accounting for all persons**: school scope (`view_accounting`) is the school "
        "administrators (principal, assistant principal, safety officer) of the incident's "
        "schools; own scope (`account_for_class`) is the classes the roster says the person "
        "teaches, and themselves as staff."
    )
    lines.append("- —: not allowed. A person with several roles may do what any of them allows.")
    lines.append(
        "- **Confidential incidents** (self-harm or suicide risk, bullying, and any a crisis lead "
        "marks confidential) are seen only by crisis leads, the people on their case team and "
        "auditors, whatever the cell says; district leaders, and responders of their schools, "
        "see them on the board as a count per school."
    )
    return "\n".join(lines) + "\n"
