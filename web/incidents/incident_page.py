"""One incident's page: its header, tasks by phase and position, notes, and what the person may
do there (the buttons, the people to assign, the partners to share with); and the same page's
parts one at a time (its header and counts, one task, one note's thread), which the page fetches
when a live event changes only those. Both are drawn from one context, so a part never shows
what the whole page would not: a partner gets no part of a task or note not shared with them
(404, as for an incident they may not know of)."""

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.account import Account
from domain.errors import NotFound
from domain.incident import Incident
from domain.phase import Phase
from domain.school_days import NO_CALENDAR, SchoolCalendar
from service.access.need_to_know import case_team_candidates
from service.access.permissions import Scope, may_update_task, scopes
from service.accounts.service import Accounts
from service.incidents.application import Steady
from service.incidents.as_json import RECENT_NOTES
from service.incidents.assignees import assignee_choices
from service.work.holders import RoleHolders, unheld_tasks
from web.access.auth import partner_organisation
from web.dependencies import NoteView
from web.incidents.access import incident_view_for
from web.incidents.shares_shown import partner_of_page, share_options
from web.people.section import people_section
from web.rendering import (
    board_parts,
    context,
    format_time,
    page,
    page_route,
    role_titles,
)

ASSIGNEE_GROUPS = {"person": "People", "role": "Positions", "partner": "Partner organisations"}


@page_route("/incidents/{ref:str}", "incident", "view_incident")
def incident_page(
    request: Request,
    steady: NamedDependency[Steady],
    note_view: NamedDependency[NoteView],
    accounts: NamedDependency[Accounts],
    signed_in_as: NamedDependency[Account],
    zone: NamedDependency[ZoneInfo],
    role_holders: NamedDependency[RoleHolders],
    ref: FromPath[str],
) -> Response:
    note_view(ref, "page")
    ctx = page_context(request, steady, accounts, role_holders, signed_in_as, zone, ref)
    return page("incident.html", ctx)


@page_route("/incidents/{ref:str}/parts", "incident_parts", "view_incident")
def incident_parts(
    request: Request,
    steady: NamedDependency[Steady],
    note_view: NamedDependency[NoteView],
    accounts: NamedDependency[Accounts],
    signed_in_as: NamedDependency[Account],
    zone: NamedDependency[ZoneInfo],
    role_holders: NamedDependency[RoleHolders],
    ref: FromPath[str],
    task: FromQuery[str] = "",
    note: FromQuery[str] = "",
    # Not `people`: that name is the People part's dependency.
    people_part: Annotated[bool, QueryParameter(name="people")] = False,
) -> Response:
    """The incident's header and counts, and the task and the note's thread asked for: what a
    live event about one task or one note changes; with `people`, the People affected section
    (what a person's event changes). The guard is the page's; a task or note this person's page
    would not show is a 404, and so is the people section to someone it is not shown to."""
    note_view(ref, "page")  # the same content as the page: the same view (once a window)
    ctx = page_context(request, steady, accounts, role_holders, signed_in_as, zone, ref)
    found_task = next(
        (t for g in ctx["groups"] for r in g["roles"] for t in r["tasks"] if t["id"] == task),
        None,
    )
    found_thread = next(
        (th for th in ctx["note_threads"] if any(n["id"] == note for n in th)), None
    )
    if task and found_task is None:
        raise NotFound(f"{ref} has no task {task}")
    if note and found_thread is None:
        raise NotFound(f"{ref} has no note {note}")
    if people_part and not ctx["people_affected"]["shown"]:
        raise NotFound(f"{ref} shows you no people affected: your role does not see them")
    return page(
        "incident_parts.html",
        {**ctx, "t": found_task, "thread": found_thread, "people_part": people_part},
    )


def page_context(
    request: Request,
    steady: Steady,
    accounts: Accounts,
    role_holders: RoleHolders,
    account: Account,
    zone: ZoneInfo,
    ref: str,
) -> dict[str, Any]:
    """Everything the incident page draws, as this person may see it."""
    position = steady.last_position()
    now = steady.clock()
    incident = steady.incident(ref)
    view = incident_view_for(account, incident, now, recent_notes=RECENT_NOTES)
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
    for milestone in view.get("milestones", []):  # a partner's view has none
        if milestone["recorded"]:
            shown = format_time(milestone["recorded"]["moment"], zone, now)
            milestone["recorded"]["moment_shown"] = shown
    parts = board_parts(view, titles, zone, now)
    mark_permissions(parts["groups"], parts["note_threads"], account)
    # A partner sees only their own tasks, which are theirs by name: nothing to flag.
    unheld = (
        mark_unheld(parts["groups"], incident, role_holders.held(), titles)
        if partner_organisation(account) is None
        else []
    )
    share_names = dict(incident.shares)
    mark_shares(parts["note_threads"], account, share_names)
    later_phases = [p for p in Phase if p.rank > incident.phase.rank]
    may_restrict = scopes(account.roles, "restrict_incident") and not incident.closed
    joiners = case_team_candidates(accounts, incident) if may_restrict else []
    return context(
        request,
        f"{view['reference']}: {view['title']}",
        **parts,
        roles_for_tasks=titles,
        task_options=[{"id": t["id"], "title": t["title"]} for t in view["task_list"]],
        open_tasks=[{"id": t.id, "title": t.title} for t in incident.open_tasks()],
        notes_total=view["notes_total"],
        notes_shown=len(view["notes"]),
        later_phases=[{"value": p.value, "label": p.label} for p in later_phases],
        all_phases=[{"value": p.value, "label": p.label} for p in Phase],
        suggested_playbooks=suggested,
        other_playbooks=others,
        unapplied_suggestions=[p for p in suggested if not p["applied"]],
        position=position,
        partner=partner_of_page(accounts, account),
        share_options=share_options(accounts, account, incident),
        partner_names=share_names,
        assign_to=assign_options(accounts, account, incident),
        case_team_candidates=joiners,
        unheld_tasks=unheld,
        school_calendar=calendar_line(steady.school_clock(incident.schools).calendar),
        people_affected=people_section(request, account, incident),
    )


def calendar_line(calendar: SchoolCalendar) -> str:
    """Which calendar the due dates count school days on, said near them."""
    if calendar.description == NO_CALENDAR:
        return f"{NO_CALENDAR}."
    return f"Due dates count school days on {calendar.description}."


def mark_shares(threads: list[list[dict]], account: Account, share_names: dict[str, str]) -> None:
    """Which partners each note is shared with, and which it may still be shared with."""
    may_share = bool(scopes(account.roles, "share_incident")) and not account.disabled
    for thread in threads:
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


def assign_options(accounts: Accounts, account: Account, incident: Incident) -> list[dict]:
    """The people, positions and partners a task can be assigned to, in groups for the dialog's
    picker; nothing for someone who may not assign (a responder's page lists no one)."""
    if not scopes(account.roles, "assign_task") or account.disabled or incident.closed:
        return []
    choices = assignee_choices(accounts)
    groups = []
    for kind, label in ASSIGNEE_GROUPS.items():
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


def in_running_text(title: str) -> str:
    """A role's title as it reads inside a sentence: "family liaison", but "PIO liaison" (a
    title that starts with an acronym keeps it)."""
    first = title.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return title
    return title[:1].lower() + title[1:]


def mark_unheld(
    groups: list[dict[str, Any]], incident: Incident, held: frozenset[str], titles: dict[str, str]
) -> list[dict[str, str]]:
    """Flags each open task whose role no one holds ("No one holds the role of family
    liaison"), and lists them for the top of the page."""
    waiting = {
        task.id: in_running_text(titles.get(role, role))
        for task, role in unheld_tasks(incident, held)
    }
    listed = []
    for group in groups:
        for role in group["roles"]:
            for task in role["tasks"]:
                if task["id"] in waiting:
                    task["no_one_holds"] = waiting[task["id"]]
                    listed.append(
                        {"id": task["id"], "title": task["title"], "role": waiting[task["id"]]}
                    )
    return listed


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


INCIDENT_PAGE_HANDLERS = [incident_page, incident_parts]
