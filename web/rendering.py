"""What every page needs, whichever slice draws it: the template context, rendering a page and
the error pages, labels for positions and statuses, and times as people in the district read them.

Every page slice (incidents, audit, sharing, accounts, playbooks) and web/errors.py import this
module; it imports no slice, so no slice needs another to draw a page.
"""

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.handlers import HTTPRouteHandler
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from domain.account import Account
from domain.healing import COMPONENTS, STAKEHOLDER_GROUPS
from domain.kinds import ACCOUNTING_KINDS, KINDS
from domain.phase import Phase
from domain.reunification import REUNIFICATION_KINDS
from domain.severity import SEVERITIES
from domain.task import SETTLED, TRANSITIONS, Status
from service.accounts.refusals import SignInFailed
from service.config import Settings
from service.incidents.application import Steady
from service.timelines.local_times import in_zone
from web.access.auth import abilities, already_signed_in, signed_in
from web.access.guards import requires
from web.access.sessions import csrf_token_of
from web.dependencies import provide_settings

STATIC_DIR = Path(__file__).parent / "static"
# The titles of the positions playbooks assign work to (not the permission roles of
# domain/account.py): what a page calls the owner of a task.
POSITION_TITLES: dict[str, str] = {
    "crisis-lead": "Crisis team lead",
    "principal": "Principal",
    "counselor": "Counselor",
    "school-psychologist": "School psychologist",
    "social-worker": "Social worker",
    "nurse": "Nurse",
    "teacher": "Teacher",
    "district-leader": "District leader",
    "partner": "Community partner",
    "auditor": "Auditor",  # the page says it is read-only: "(reads only)" nested badly in (...)
    "help-desk": "Help desk",
}
STATUS_LABELS = {status.value: status.label for status in Status}
WRITES = ("update_task", "add_note", "open_incident", "correct_note")


def _asset_version() -> str:
    """Changes whenever a static file does, so browsers never run yesterday's script."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


ASSET_VERSION = _asset_version()


# -- who is looking -----------------------------------------------------------------------------


def who(request: Request) -> Account | None:
    """The signed-in account, or None (a wrong API token counts as none on a page)."""
    try:
        return signed_in(request)
    except SignInFailed:
        return None


def to_signin(request: Request) -> Redirect:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/signin?next={quote(here, safe='/')}", status_code=HTTP_303_SEE_OTHER)


# -- labels -------------------------------------------------------------------------------------


def role_label(role: str) -> str:
    return POSITION_TITLES.get(role) or role.replace("-", " ").capitalize()


def role_titles(steady: Steady) -> dict[str, str]:
    """Every position's title: the known ones, then those the loaded playbooks declare."""
    titles = dict(POSITION_TITLES)
    for playbook in steady.playbooks.all():
        for role in playbook.roles:
            titles.setdefault(role.id, role.title)
    return titles


# -- times --------------------------------------------------------------------------------------


def format_time(
    value: datetime | str | None, zone: ZoneInfo, now: datetime
) -> dict[str, str] | None:
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
    elif local.year == in_zone(now, zone).year:
        text = f"{local:%a} {local.day} {local:%b}, {clock}"
    else:
        text = f"{local.day} {local:%b} {local.year:04d}, {clock}"
    return {
        "text": text,
        "full": f"{local:%A} {local.day} {local:%B} {local.year:04d}, {clock} ({local.tzname()})",
        "iso": when.isoformat(),
    }


# -- drawing a page -----------------------------------------------------------------------------


def context(request: Request, title: str, **values: Any) -> dict[str, Any]:
    """What every template is given: the district, who is signed in and what they may do.
    The settings come as a handler's `settings` dependency would (web/dependencies.py): the
    error pages are drawn by exception handlers, which get no dependencies."""
    return _context(request, title, who(request), values)


def context_without_store(request: Request, title: str, **values: Any) -> dict[str, Any]:
    """The same, naming only a person already found for this request: for the page saying the
    store cannot be reached, which must not wait for it again."""
    return _context(request, title, already_signed_in(request), values)


def _context(
    request: Request, title: str, account: Account | None, values: dict[str, Any]
) -> dict[str, Any]:
    settings: Settings = provide_settings(request.app.state)
    user, role = (account.username, account.acting_as().role) if account else ("", "")
    can = abilities(account)
    return {
        "title": title,
        "district": settings.district,
        "timezone": settings.timezone,
        "user": user,
        "role": role,
        "role_label": role_label(role) if role else "",
        "can_write": any(can[action] for action in WRITES),
        "can": can,
        "csrf_token": csrf_token_of(request),
        "asset_version": ASSET_VERSION,
        "path": request.url.path,
        "kinds": KINDS,
        "accounting_kinds": ACCOUNTING_KINDS,
        "reunification_kinds": REUNIFICATION_KINDS,
        # Whether the person gets the commander's view of an incident's accounting (a school's
        # administrators do, its teachers do not, though both are responders).
        "may_view_accounting": lambda ref: (
            account is not None and request.app.state.accounting.may_view_ref(account, ref)
        ),
        "severities": SEVERITIES,
        **values,
    }


def page_route(path: str, name: str, action: str | None = None) -> HTTPRouteHandler:
    """A page's GET route: drawn in a worker thread, left out of the API's schema, and guarded
    by the permission `action` when the whole page needs one. A page that finds no such
    incident lets NotFound go: web/errors.py answers with the not-found page, as for a guard."""
    guards = [requires(action)] if action else None
    return get(path, name=name, sync_to_thread=True, include_in_schema=False, guards=guards)


def page(name: str, ctx: dict[str, Any], status_code: int = 200) -> Template:
    return Template(
        template_name=name,
        context=ctx,
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def error_page(request: Request, status: int, title: str, message: str) -> Template:
    return page("not_found.html", context(request, title, message=message, heading=title), status)


def unavailable_page(
    request: Request, title: str, message: str, *, retry_after: int, advice: str
) -> Template:
    """503: the store cannot be reached. A page that was only being read tries again by itself."""
    ctx = context_without_store(
        request,
        title,
        heading=title,
        message=message,
        advice=advice,
        retry_after=retry_after,
        reload=request.method in ("GET", "HEAD"),
        again=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    )
    response = page("unavailable.html", ctx, 503)
    response.headers["Retry-After"] = str(retry_after)
    return response


def not_found(request: Request, message: str) -> Template:
    return page("not_found.html", context(request, "Not found", message=message), 404)


# -- an incident's parts, as the incident page and the auditor's pages draw them ----------------


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


def task_actions(status: str, carried_to: str = "") -> list[str]:
    """The buttons a task shows, in the order a responder reaches for them (the page shows
    reschedule and not_applicable only to those who may replan a task)."""
    if carried_to:
        return []  # its work goes on in the follow-up
    allowed = {s.value for s in TRANSITIONS[Status(status)]}
    actions = []
    if "in_progress" in allowed:
        actions.append("start")
    if "done" in allowed:
        actions.append("complete")
    if "blocked" in allowed:
        actions.append("block")
    if status in SETTLED:
        actions.append("reopen")
    else:
        actions.append("reschedule")
    if "not_applicable" in allowed:
        actions.append("not_applicable")
    if status in ("in_progress", "blocked"):
        actions.append("todo")
    return actions


def note_threads(notes: list[dict[str, Any]], zone: ZoneInfo, now: datetime) -> list[list[dict]]:
    """Each note with the corrections that followed it, oldest first, newest thread first."""
    by_id = {n["id"]: {**n, "when": format_time(n["at"], zone, now)} for n in notes}
    threads = []
    for note in by_id.values():
        if note["corrects"] in by_id:
            continue  # in the thread of the note it corrects (when that one is shown too)
        thread = [note]
        while thread[-1]["corrected_by"] and thread[-1]["corrected_by"] in by_id:
            thread.append(by_id[thread[-1]["corrected_by"]])
        threads.append(thread)
    threads.reverse()
    return threads


def threads_with_titles(
    view: dict[str, Any], zone: ZoneInfo, now: datetime
) -> list[list[dict[str, Any]]]:
    """Note threads (as the incident page shows them), each note with its task's title."""
    tasks = {t["id"]: t for t in view["task_list"]}
    threads = note_threads(view["notes"], zone, now)
    for thread in threads:
        for note in thread:
            task = tasks.get(note["task_id"])
            note["task_title"] = task["title"] if task else ""
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
        done = sum(1 for t in in_phase if t["status"] == "done" and not t.get("carried_to"))
        set_aside = sum(
            1 for t in in_phase if t["status"] == "not_applicable" and not t.get("carried_to")
        )
        groups.append(
            {
                "phase": phase.value,
                "label": phase.label,
                "done": done,
                "not_applicable": set_aside,
                "carried": sum(1 for t in in_phase if t.get("carried_to")),
                "total": len(in_phase),
                "overdue": sum(1 for t in in_phase if t["overdue"]),
                "roles": [
                    {
                        "role": role,
                        "title": (title := titles.get(role, role_label(role))),
                        "tasks": [
                            {**decorate_task(t, zone, now), "owner_title": title}
                            for t in role_tasks
                        ],
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
        "due": format_time(task["due_at"], zone, now),
        "original_due": format_time(task.get("original_due_at"), zone, now),
        # The due time as the reschedule dialog's date and time input takes it, district time.
        "due_local": in_zone(datetime.fromisoformat(task["due_at"]), zone).strftime(
            "%Y-%m-%dT%H:%M"
        )
        if task["due_at"]
        else "",
        "settled": task["status"] in SETTLED or bool(task.get("carried_to")),
        "updated": format_time(task["updated_at"], zone, now),
        "actions": task_actions(task["status"], task.get("carried_to", "")),
        "stakeholder_label": STAKEHOLDER_GROUPS.get(task["stakeholder"], task["stakeholder"]),
        "component_label": COMPONENTS.get(task["component"], task["component"]),
    }


def header_facts(view: dict[str, Any], zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """What an incident's header shows, on its page and on the auditor's pages alike."""
    return {
        "incident": view,
        "kind_label": KINDS.get(view["kind"], view["kind"]),
        "occurred": format_time(view["occurred_at"], zone, now),
        "opened": format_time(view["opened_at"], zone, now),
        "last_activity": format_time(view["last_activity_at"], zone, now),
        "closed_at": format_time(view["closed_at"], zone, now),
        "opened_by_role": role_label(view["opened_by"]["role"]),
        "phases": phase_steps(view["phase"]),
    }


def board_parts(
    view: dict[str, Any], titles: dict[str, str], zone: ZoneInfo, now: datetime
) -> dict[str, Any]:
    """What the incident page and the replay of a version both draw of an incident: its
    header, its tasks by phase and owner role, and its notes in threads."""
    return {
        **header_facts(view, zone, now),
        "groups": group_tasks(view["task_list"], titles, zone, now),
        "note_threads": threads_with_titles(view, zone, now),
    }
