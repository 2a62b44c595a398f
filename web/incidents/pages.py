"""The pages people use: the board, an incident, opening one, the playbook library, signing in.

Pages render everything on the server (district time, overdue marks, labels) so that the live
script only has to fetch the same page again and swap what changed: one place draws each thing.
Changes go through the JSON API from small scripts in /static; nothing here writes to the store.
"""

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from domain.account import Account
from domain.errors import DomainError, NotFound
from domain.healing import COMPONENTS, STAKEHOLDER_GROUPS
from domain.incident import Incident
from domain.kinds import KINDS
from domain.phase import Phase
from domain.severity import SEVERITIES
from domain.task import TRANSITIONS, Status
from playbooks.library import UnknownPlaybook
from playbooks.model import Playbook
from playbooks.problems import PlaybookInvalid
from service.access.need_to_know import case_team_candidates
from service.access.permissions import Scope, may_update_task, scopes
from service.accounts.refusals import SignInFailed, SignInLocked
from service.config import Settings
from service.demo.incidents import SCHOOLS
from service.incidents.application import Steady
from service.incidents.as_json import playbook_view
from service.incidents.assignees import assignee_choices
from service.timelines.local_times import in_zone
from web.audit.noting import record_view
from web.auth import (
    abilities,
    account_of,
    accounts_of,
    address_of,
    allow,
    csrf_token_of,
    end_sessions,
    partner_organisation,
    signed_in,
    start_session,
)
from web.incidents.access import (
    counted_confidential,
    incident_view_for,
    summary_for,
    visible_incidents,
)
from web.sharing.page import partner_of_page, share_options

STATIC_DIR = Path(__file__).parent.parent / "static"
MAX_NAME = 100
NO_MATCH = "That username and password do not match."
ROLES: dict[str, str] = {
    "crisis-lead": "Crisis team lead",
    "principal": "Principal",
    "counselor": "Counselor",
    "school-psychologist": "School psychologist",
    "social-worker": "Social worker",
    "nurse": "Nurse",
    "teacher": "Teacher",
    "district-leader": "District leader",
    "partner": "Community partner",
    "auditor": "Auditor (reads only)",
}
SEVERITY_HINTS = {
    1: "life safety at risk, or several schools affected",
    2: "serious harm or loss; a whole school affected",
    3: "some students or staff affected",
    4: "contained; watch and follow up",
}
STATUS_LABELS = {status.value: status.label for status in Status}
ONE_YEAR = timedelta(days=366)


# -- helpers: who is acting, time, labels -----------------------------------------------------


def _asset_version() -> str:
    """Changes whenever a static file does, so browsers never run yesterday's script."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


ASSET_VERSION = _asset_version()


def _steady(request: Request) -> Steady:
    return request.app.state.steady


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def who(request: Request) -> Account | None:
    """The signed-in account, or None (a wrong API token counts as none on a page)."""
    try:
        return signed_in(request)
    except SignInFailed:
        return None


def safe_next(target: str | None) -> str:
    """Only a path on this site: never send someone elsewhere after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def to_signin(request: Request) -> Redirect:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/signin?next={quote(here, safe='/')}", status_code=HTTP_303_SEE_OTHER)


def role_label(role: str) -> str:
    return ROLES.get(role) or role.replace("-", " ").capitalize()


def moment(value: datetime | str | None, zone: ZoneInfo, now: datetime) -> dict[str, str] | None:
    """A time as people in the district read it, with the exact instant for machines."""
    if value is None or value == "":
        return None
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = in_zone(when, zone)
    today = in_zone(now, zone).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        text = f"today {clock}"
    elif days == -1:
        text = f"yesterday {clock}"
    elif days == 1:
        text = f"tomorrow {clock}"
    elif abs(local - now) < ONE_YEAR:
        text = f"{local:%a} {local.day} {local:%b}, {clock}"
    else:
        text = f"{local.day} {local:%b} {local.year:04d}, {clock}"
    return {
        "text": text,
        "full": f"{local:%A} {local.day} {local:%B} {local.year:04d}, {clock} ({local.tzname()})",
        "iso": when.isoformat(),
    }


def context(request: Request, title: str, **values: Any) -> dict[str, Any]:
    settings = _settings(request)
    account = who(request)
    user, role = (account.username, account.acting_as().role) if account else ("", "")
    can = abilities(account)
    writes = ("update_task", "add_note", "open_incident", "correct_note")
    return {
        "title": title,
        "district": settings.district,
        "timezone": settings.timezone,
        "user": user,
        "role": role,
        "role_label": role_label(role) if role else "",
        "can_write": any(can[action] for action in writes),
        "can": can,
        "csrf_token": csrf_token_of(request),
        "asset_version": ASSET_VERSION,
        "path": request.url.path,
        "kinds": KINDS,
        "severities": SEVERITIES,
        **values,
    }


def page(name: str, ctx: dict[str, Any], status_code: int = 200) -> Template:
    return Template(
        template_name=name,
        context=ctx,
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def not_found(request: Request, message: str) -> Template:
    return page("not_found.html", context(request, "Not found", message=message), 404)


def role_titles(steady: Steady) -> dict[str, str]:
    titles = {role: title for role, title in ROLES.items()}
    for playbook in steady.playbooks.all():
        for role in playbook.roles:
            titles.setdefault(role.id, role.title)
    return titles


def card(summary: dict[str, Any], zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    done, total = summary["tasks"]["done"], summary["tasks"]["total"]
    return {
        **summary,
        "kind_label": KINDS.get(summary["kind"], summary["kind"]),
        "percent": round(100 * done / total) if total else 0,
        "occurred": moment(summary["occurred_at"], zone, now),
        "last_activity": moment(summary["last_activity_at"], zone, now),
        "phase_label": summary["phase"].capitalize(),
    }


def phase_steps(current: str) -> list[dict[str, Any]]:
    rank = Phase(current).rank
    return [
        {
            "value": phase.value,
            "label": phase.label,
            "state": "done" if phase.rank < rank else "current" if phase.rank == rank else "next",
        }
        for phase in Phase
    ]


def task_actions(status: str) -> list[str]:
    """The buttons a task shows, in the order a responder reaches for them."""
    allowed = {s.value for s in TRANSITIONS[Status(status)]}
    actions = []
    if "in_progress" in allowed:
        actions.append("start")
    if "done" in allowed:
        actions.append("complete")
    if "blocked" in allowed:
        actions.append("block")
    if status == "done":
        actions.append("reopen")
    elif status in ("in_progress", "blocked"):
        actions.append("todo")
    return actions


def note_threads(notes: list[dict[str, Any]], zone: ZoneInfo, now: datetime) -> list[list[dict]]:
    """Each note with the corrections that followed it, oldest first, newest thread first."""
    by_id = {n["id"]: {**n, "when": moment(n["at"], zone, now)} for n in notes}
    threads = []
    for note in by_id.values():
        if note["corrects"]:
            continue
        thread = [note]
        while thread[-1]["corrected_by"] and thread[-1]["corrected_by"] in by_id:
            thread.append(by_id[thread[-1]["corrected_by"]])
        threads.append(thread)
    threads.reverse()
    return threads


def group_tasks(
    tasks: list[dict[str, Any]], titles: dict[str, str], zone: ZoneInfo, now: datetime
) -> list[dict[str, Any]]:
    """Tasks by phase (in phase order), then owner role (in the order their work falls due)."""
    far = datetime.max.replace(tzinfo=zone)

    def due_key(task: dict[str, Any]) -> tuple[datetime, int]:
        due = datetime.fromisoformat(task["due_at"]) if task["due_at"] else far
        return due, int(task["id"].lstrip("T") or 0)

    groups = []
    for phase in Phase:
        in_phase = sorted((t for t in tasks if t["phase"] == phase.value), key=due_key)
        if not in_phase:
            continue
        roles: dict[str, list[dict[str, Any]]] = {}
        for task in in_phase:
            roles.setdefault(task["owner_role"], []).append(task)
        done = sum(1 for t in in_phase if t["status"] == "done")
        groups.append(
            {
                "phase": phase.value,
                "label": phase.label,
                "done": done,
                "total": len(in_phase),
                "overdue": sum(1 for t in in_phase if t["overdue"]),
                "roles": [
                    {
                        "role": role,
                        "title": titles.get(role, role_label(role)),
                        "tasks": [decorate_task(t, zone, now) for t in role_tasks],
                    }
                    for role, role_tasks in roles.items()
                ],
            }
        )
    return groups


def decorate_task(task: dict[str, Any], zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    return {
        **task,
        "status_label": STATUS_LABELS.get(task["status"], task["status"]),
        "due": moment(task["due_at"], zone, now),
        "updated": moment(task["updated_at"], zone, now),
        "actions": task_actions(task["status"]),
        "stakeholder_label": STAKEHOLDER_GROUPS.get(task["stakeholder"], task["stakeholder"]),
        "component_label": COMPONENTS.get(task["component"], task["component"]),
    }


def playbook_for_page(playbook: Playbook) -> dict[str, Any]:
    view = playbook_view(playbook)
    titles = {r["id"]: r["title"] for r in view["roles"]}
    for phase in view["phases"]:
        phase["label"] = phase["phase"].capitalize()
        for step in phase["steps"]:
            step["owner_title"] = titles.get(step["owner"], role_label(step["owner"]))
            step["stakeholder_label"] = STAKEHOLDER_GROUPS.get(
                step["stakeholder"], step["stakeholder"]
            )
            step["component_label"] = COMPONENTS.get(step["component"], step["component"])
    view["kind_labels"] = [KINDS.get(k, k) for k in view["kinds"]]
    view["step_count"] = sum(len(p["steps"]) for p in view["phases"])
    return view


def known_schools(incidents: Iterable[Incident]) -> list[str]:
    names = dict.fromkeys(SCHOOLS)
    for incident in incidents:
        names.update(dict.fromkeys(incident.schools))
    return list(names)


# -- the board --------------------------------------------------------------------------------


@get("/", name="board", sync_to_thread=True, include_in_schema=False)
def board(
    request: Request,
    school: Annotated[str | None, QueryParameter(name="school")] = None,
    show_all: Annotated[bool, QueryParameter(name="all")] = False,
) -> Response:
    signed = signed_in(request)
    # An account administrator's home is the accounts page: they see no incidents.
    if (
        signed is not None
        and not signed.disabled
        and not scopes(signed.roles, "view_board")
        and scopes(signed.roles, "manage_accounts")
    ):
        return Redirect("/admin/accounts", status_code=HTTP_303_SEE_OTHER)
    account = allow(request, "view_board")
    steady = _steady(request)
    zone = _settings(request).zone()
    position = steady.last_position()  # before reading: a later event is replayed, never lost
    now = steady.clock()
    school = (school or "").strip() or None
    listed = steady.incidents(include_closed=show_all, school=school)
    incidents = visible_incidents(request, account, listed)
    cards = [card(summary_for(account, i, now), zone, now) for i in incidents]
    # Open before closed, most severe first, then the newest. Not by last activity: cards that
    # jump about under someone's finger on every update are worse than a stable order.
    cards.sort(key=lambda c: c["occurred_at"], reverse=True)
    cards.sort(key=lambda c: (c["status"] == "closed", c["severity"]))
    everyone = steady.incidents(include_closed=True) if school or not show_all else listed
    everyone = visible_incidents(request, account, everyone)
    return page(
        "board.html",
        context(
            request,
            "Board",
            cards=cards,
            position=position,
            school=school or "",
            show_all=show_all,
            schools=known_schools(everyone),
            # Confidential cases they may not see: a count per school, nothing more.
            confidential=counted_confidential(request, account, listed),
            overdue_total=sum(c["tasks"]["overdue"] for c in cards),
            rendered=now.astimezone(zone).strftime("%H:%M"),
        ),
    )


@get("/incidents/{ref:str}/card", name="board_card", sync_to_thread=True, include_in_schema=False)
def board_card(request: Request, ref: FromPath[str]) -> Response:
    """One incident's card, for the board to refresh just that card after a change."""
    account = allow(request, "view_board", ref=ref)
    steady = _steady(request)
    zone = _settings(request).zone()
    now = steady.clock()
    try:
        incident = steady.incident(ref)
    except NotFound as error:
        return not_found(request, str(error))
    return page("_card.html", {"c": card(summary_for(account, incident, now), zone, now)})


# -- one incident -----------------------------------------------------------------------------


@get("/incidents/{ref:str}", name="incident", sync_to_thread=True, include_in_schema=False)
def incident_page(request: Request, ref: FromPath[str]) -> Response:
    account = allow(request, "view_incident", ref=ref)
    record_view(request, ref, "page")
    steady = _steady(request)
    zone = _settings(request).zone()
    position = steady.last_position()
    now = steady.clock()
    try:
        incident = steady.incident(ref)
    except NotFound as error:
        return not_found(request, str(error))
    view = incident_view_for(account, incident, now)
    titles = role_titles(steady)
    applied = {p["id"] for p in view["playbooks"]}
    suggested = [
        {"id": p.id, "title": p.title, "applied": p.id in applied}
        for p in steady.playbooks.all()
        if incident.kind in p.kinds
    ]
    others = [
        {"id": p.id, "title": p.title}
        for p in steady.playbooks.all()
        if incident.kind not in p.kinds and p.id not in applied
    ]
    tasks_by_id = {t["id"]: t for t in view["task_list"]}
    notes = note_threads(view["notes"], zone, now)
    for thread in notes:
        for note in thread:
            task = tasks_by_id.get(note["task_id"])
            note["task_title"] = task["title"] if task else ""
    groups = group_tasks(view["task_list"], titles, zone, now)
    mark_permissions(groups, notes, account)
    share_names = dict(incident.shares)
    may_share = bool(scopes(account.roles, "share_incident")) and not account.disabled
    for thread in notes:
        for note in thread:
            # A partner's notes are all shared with them: no need to say so on each.
            shared = [] if partner_organisation(account) else note["shared_with"]
            note["shared_names"] = [share_names.get(o, o) for o in shared]
            note["share_targets"] = (
                [
                    {"organisation": o, "name": name}
                    for o, name in share_names.items()
                    if o not in note["shared_with"]
                ]
                if may_share and not note["corrected_by"]
                else []
            )
    later_phases = [p for p in Phase if p.rank > incident.phase.rank]
    assign_to = assign_options(request, account, incident)
    may_restrict = scopes(account.roles, "restrict_incident") and not incident.closed
    joiners = case_team_candidates(accounts_of(request), incident) if may_restrict else []
    return page(
        "incident.html",
        context(
            request,
            f"{view['reference']}: {view['title']}",
            incident=view,
            kind_label=KINDS.get(view["kind"], view["kind"]),
            occurred=moment(view["occurred_at"], zone, now),
            opened=moment(view["opened_at"], zone, now),
            last_activity=moment(view["last_activity_at"], zone, now),
            closed_at=moment(view["closed_at"], zone, now),
            opened_by_role=role_label(view["opened_by"]["role"]),
            groups=groups,
            roles_for_tasks=titles,
            task_options=[{"id": t["id"], "title": t["title"]} for t in view["task_list"]],
            note_threads=notes,
            phases=phase_steps(view["phase"]),
            later_phases=[{"value": p.value, "label": p.label} for p in later_phases],
            all_phases=[{"value": p.value, "label": p.label} for p in Phase],
            suggested_playbooks=suggested,
            other_playbooks=others,
            unapplied_suggestions=[p for p in suggested if not p["applied"]],
            position=position,
            partner=partner_of_page(request, account),
            share_options=share_options(request, account, incident),
            partner_names=share_names,
            assign_to=assign_to,
            case_team_candidates=joiners,
            percent=round(100 * view["tasks"]["done"] / view["tasks"]["total"])
            if view["tasks"]["total"]
            else 0,
        ),
    )


def assign_options(request: Request, account: Account, incident: Incident) -> list[dict]:
    """The people, positions and partners a task can be assigned to, in groups for the dialog's
    picker; nothing for someone who may not assign (a responder's page lists no one)."""
    if not scopes(account.roles, "assign_task") or account.disabled or incident.closed:
        return []
    choices = assignee_choices(accounts_of(request))
    labels = {"person": "People", "role": "Positions", "partner": "Partner organisations"}
    groups = []
    for kind, label in labels.items():
        options = [
            {
                "kind": c.kind,
                "name": c.name,
                # A partner sees only what is shared: say so before the lead picks one.
                "label": c.label
                + (
                    " (not shared yet)"
                    if kind == "partner" and c.name not in incident.shares
                    else ""
                ),
            }
            for c in choices[kind]
        ]
        if options:
            groups.append({"kind": kind, "label": label, "options": options})
    return groups


# -- opening an incident ----------------------------------------------------------------------


@get("/incidents/new", name="new_incident", sync_to_thread=True, include_in_schema=False)
def new_incident(request: Request) -> Response:
    allow(request, "open_incident")
    steady = _steady(request)
    zone = _settings(request).zone()
    now = steady.clock().astimezone(zone)
    playbooks = [
        {"id": p.id, "title": p.title, "kinds": list(p.kinds), "summary": p.summary}
        for p in steady.playbooks.all()
    ]
    return page(
        "new_incident.html",
        context(
            request,
            "Open an incident",
            schools=SCHOOLS,
            severity_hints=SEVERITY_HINTS,
            playbooks=playbooks,
            now_local=now.strftime("%Y-%m-%dT%H:%M"),
            zone_name=now.tzname(),
        ),
    )


# -- the playbook library ---------------------------------------------------------------------


@get("/playbooks", name="playbooks", sync_to_thread=True, include_in_schema=False)
def playbooks_page(
    request: Request, kind: Annotated[str | None, QueryParameter(name="kind")] = None
) -> Response:
    account_of(request)
    steady = _steady(request)
    kind = kind if kind in KINDS else None
    chosen = steady.playbooks.for_kind(kind) if kind else steady.playbooks.all()
    return page(
        "playbooks.html",
        context(
            request,
            "Playbooks",
            playbooks=[playbook_for_page(p) for p in chosen],
            kind=kind or "",
            refused=sorted(steady.playbooks.refused),
        ),
    )


@get("/playbooks/{playbook_id:str}", name="playbook", sync_to_thread=True, include_in_schema=False)
def playbook_page(request: Request, playbook_id: FromPath[str]) -> Response:
    account_of(request)
    steady = _steady(request)
    try:
        playbook = steady.playbooks.get(playbook_id)
    except UnknownPlaybook:
        return not_found(request, f"There is no playbook called “{playbook_id}”.")
    except PlaybookInvalid as error:
        return not_found(request, f"The playbook “{playbook_id}” was refused: {error}")
    view = playbook_for_page(playbook)
    return page("playbook.html", context(request, view["title"], playbook=view))


# -- signing in and out -----------------------------------------------------------------------


def signin_form(
    request: Request, *, username: str = "", next_: str = "/", error: str = "", status: int = 200
) -> Template:
    return page(
        "signin.html",
        context(request, "Sign in", username=username, next=next_, error=error),
        status_code=status,
    )


@get("/signin", name="signin", sync_to_thread=False, include_in_schema=False)
def signin(
    request: Request, next_: Annotated[str | None, QueryParameter(name="next")] = None
) -> Response:
    target = safe_next(next_)
    if who(request) is not None:
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)
    return signin_form(request, next_=target)


@post("/signin", name="signin_submit", sync_to_thread=True, include_in_schema=False)
def signin_submit(
    request: Request,
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response:
    username = re.sub(r"\s+", "", str(data.get("username", "")))[:MAX_NAME]
    password = str(data.get("password", ""))
    target = safe_next(str(data.get("next", "")))
    try:
        account = accounts_of(request).authenticate_password(
            username, password, address_of(request)
        )
    except SignInLocked as locked:
        local = locked.retry_at.astimezone(_settings(request).zone())
        message = f"Too many attempts; try again after {local:%H:%M}."
        return signin_form(request, username=username, next_=target, error=message, status=429)
    except SignInFailed:
        return signin_form(request, username=username, next_=target, error=NO_MATCH, status=401)
    start_session(request, account)
    return Redirect(target, status_code=HTTP_303_SEE_OTHER)


@post("/signout", name="signout", sync_to_thread=True, include_in_schema=False)
def signout(request: Request) -> Response:
    """Ends every session of the account on the server, not only this browser's cookie."""
    try:
        end_sessions(request)
    except (SignInFailed, DomainError):
        request.clear_session()  # nothing valid to end (or it is changing): forget this one
    return Redirect("/signin", status_code=HTTP_303_SEE_OTHER)


def mark_permissions(
    groups: list[dict[str, Any]], threads: list[list[dict]], account: Account
) -> None:
    """Which task buttons and note corrections this person may use."""
    for group in groups:
        for role in group["roles"]:
            for task in role["tasks"]:
                assignee = task.get("assignee") or {}
                task["may_update"] = may_update_task(
                    account,
                    owner_role=task["owner_role"],
                    assignee_kind=assignee.get("kind", ""),
                    assignee=assignee.get("name", ""),
                )
    correct = scopes(account.roles, "correct_note")
    for thread in threads:
        for note in thread:
            note["may_correct"] = Scope.ALL in correct or (
                Scope.OWN in correct and note["by"]["user"] == account.username
            )


_OWN_HANDLERS = [
    board,
    board_card,
    new_incident,
    incident_page,
    playbooks_page,
    playbook_page,
    signin,
    signin_submit,
    signout,
]


def __getattr__(name: str) -> Any:
    """PAGE_HANDLERS, with the auditor's API and pages (web/audit_*.py). Those build on the
    helpers here, so they are imported when the handlers are asked for, not while this module
    loads: either module can then be imported first."""
    if name == "PAGE_HANDLERS":
        from web.audit.api import AUDIT_HANDLERS
        from web.audit.pages import AUDIT_PAGES

        return [*_OWN_HANDLERS, *AUDIT_HANDLERS, *AUDIT_PAGES]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["PAGE_HANDLERS", "ROLES"]  # noqa: F822 (PAGE_HANDLERS comes from __getattr__)
