"""The after-action report: summary, review, open follow-ups, tasks by phase with who did them
and when, notes and the whole timeline, on one page that prints well (see steady.css)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.params import FromPath

from domain.healing import COMPONENTS
from domain.incident import Incident
from domain.incident_tasks import AppliedPlaybook
from domain.phase import Phase
from domain.schedule import Offset
from domain.school_days import SchoolClock
from playbooks.model import INCIDENT
from service.drills.report import span_text
from service.incidents.application import Steady
from service.incidents.as_json import incident_view
from service.incidents.queries import project
from service.live.feed_events import FeedEvent
from service.timelines.reading import local_time, narrate
from web.access.auth import abilities
from web.audit.shared import audit_nav, full_time, labelled
from web.dependencies import NoteView
from web.rendering import (
    STATUS_LABELS,
    context,
    header_facts,
    page,
    page_route,
    role_label,
    role_titles,
    threads_with_titles,
    who,
)


@page_route("/incidents/{ref:str}/report", "incident_report_page", "view_timeline")
def report_page(
    request: Request,
    steady: NamedDependency[Steady],
    note_view: NamedDependency[NoteView],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
) -> Response:
    note_view(ref, "report")
    now = steady.clock()
    events = steady.incident_events(ref)
    incident = project(e.event for e in events)
    view = incident_view(incident, now)
    titles = role_titles(steady)
    entries = [labelled(e) for e in narrate(events, zone)]
    shown = header_facts(view, zone, now)
    for key, field in (
        ("occurred", "occurred_at"),
        ("opened", "opened_at"),
        ("closed_at", "closed_at"),
    ):
        shown[key] = full_time(view[field], zone)
    return page(
        "report.html",
        context(
            request,
            f"{view['reference']} after-action report",
            **shown,
            audit_nav=audit_nav(view["reference"], "report", abilities(who(request))),
            entries=entries,
            task_phases=_report_phases(view, events, titles, zone),
            measures=_measures(incident, events, steady.school_clock(incident.schools)),
            follow_ups=_follow_ups(view, titles, zone),
            note_threads=threads_with_titles(view, zone, now),
            counts=_counts(view, incident, entries),
            review_times=_review_times(incident),
            task_totals=_task_counts(view),
            generated=local_time(now, zone)[1],
            first_position=events[0].position,
            last_position=events[-1].position,
        ),
    )


def _review_times(incident: Incident) -> dict[str, str]:
    """The review's moments recorded on it (drill or real), as spans from its opening."""
    times = incident.drill_times()
    spans = {
        "everyone_accounted_for": times.to_everyone_accounted_for,
        "reunification_completed": times.to_reunification_completed,
    }
    return {what: span_text(span) for what, span in spans.items() if span is not None}


def _done_times(events: list[FeedEvent]) -> dict[str, datetime]:
    """When each task was last completed (a reopened task counts from its last completion)."""
    return {
        e.data["task_id"]: e.at
        for e in events
        if e.type == "task_status_changed" and e.data["status"] == "done"
    }


def _completions(events: list[FeedEvent], zone: ZoneInfo) -> dict[str, dict[str, Any]]:
    """Who last completed each task, when, and with what note."""
    done: dict[str, dict[str, Any]] = {}
    for e in events:
        if e.type == "task_status_changed" and e.data["status"] == "done":
            done[e.data["task_id"]] = {
                "by": e.actor,
                "at": local_time(e.at, zone)[1],
                "iso": local_time(e.at, zone)[0],
                "note": e.data["note"],
                "when": e.at,
            }
    return done


def _span(seconds: float) -> str:
    """A duration as a person says it: 3 min 20 s, 4 h 05 min, 2 days 3 h."""
    seconds = round(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} day{'' if days == 1 else 's'} {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def against_due(due_at: str | None, done_at: datetime | None) -> str:
    """A done task's completion against its due time: "on time", "late by ...", "early by"."""
    if due_at is None or done_at is None:
        return ""
    difference = (done_at - datetime.fromisoformat(due_at)).total_seconds()
    if abs(difference) < 60:
        return "on time"
    return f"{'late' if difference > 0 else 'early'} by {_span(difference)}"


def _measures(
    incident: Incident, events: list[FeedEvent], clock: SchoolClock
) -> list[dict[str, Any]]:
    """Each applied playbook's measures: the time from the incident (or a step's task being
    done) to a step's task being done, against the target; "not recorded" while undone. A
    target in school days counts on the schools' clock, as due dates do."""
    done = _done_times(events)

    def done_at(applied: AppliedPlaybook, step_id: str) -> datetime | None:
        task = applied.task_for(step_id, incident.tasks)  # its own task, or the shared one
        return done.get(task.id) if task else None

    rows = []
    for applied in incident.playbooks:
        for measure in applied.measures:
            start = (
                incident.occurred_at
                if measure["from"] == INCIDENT
                else done_at(applied, measure["from"])
            )
            end = done_at(applied, measure["to"])
            target = Offset.parse(measure["target"]) if measure["target"] else None
            recorded = "" if start is None or end is None else _span((end - start).total_seconds())
            met = None
            if start is not None and end is not None and target is not None:
                met = end <= target.at(start, clock)
            rows.append(
                {
                    "playbook": applied.title,
                    "title": measure["title"],
                    "recorded": recorded,
                    "target": str(target) if target else "",
                    "met": met,
                }
            )
    return rows


def _report_phases(
    view: dict[str, Any],
    events: list[FeedEvent],
    titles: dict[str, str],
    zone: ZoneInfo,
) -> list[dict[str, Any]]:
    done = _completions(events, zone)
    phases = []
    for phase in Phase:
        tasks = [t for t in view["task_list"] if t["phase"] == phase.value]
        if not tasks:
            continue
        phases.append(
            {
                "value": phase.value,
                "label": phase.label,
                "counts": _task_counts({"task_list": tasks}),
                "tasks": [
                    {
                        **t,
                        "owner_title": titles.get(t["owner_role"], role_label(t["owner_role"])),
                        "status_label": STATUS_LABELS.get(t["status"], t["status"]),
                        "completed": done.get(t["id"]) if t["status"] == "done" else None,
                        "due": full_time(t["due_at"], zone),
                        "against_due": against_due(
                            t["due_at"], done[t["id"]]["when"] if t["id"] in done else None
                        )
                        if t["status"] == "done"
                        else "",
                        "component_label": COMPONENTS.get(t["component"], t["component"]),
                        "settled_as": _settled_as(t),
                    }
                    for t in tasks
                ],
            }
        )
    return phases


def _follow_ups(
    view: dict[str, Any], titles: dict[str, str], zone: ZoneInfo
) -> list[dict[str, Any]]:
    """Work not done, recovery and monitoring first (what the district still owes), then by due."""
    far = "9999"
    rank = {p.value: (0 if p in (Phase.RECOVERY, Phase.MONITORING) else 1) for p in Phase}
    open_tasks = [t for t in view["task_list"] if not _settled_as(t)]
    open_tasks.sort(key=lambda t: (rank[t["phase"]], t["due_at"] or far, t["id"]))
    return [
        {
            **t,
            "owner_title": titles.get(t["owner_role"], role_label(t["owner_role"])),
            "status_label": STATUS_LABELS.get(t["status"], t["status"]),
            "phase_label": t["phase"].capitalize(),
            "due": full_time(t["due_at"], zone),
        }
        for t in open_tasks
    ]


def _settled_as(task: dict[str, Any]) -> str:
    """How a task was settled: "done", "not_applicable", "carried" (into a follow-up), or ""
    while it is open. A carried task keeps the status it had, so carried is asked first."""
    if task["carried_to"]:
        return "carried"
    return task["status"] if task["status"] in ("done", "not_applicable") else ""


def _task_counts(view: dict[str, Any]) -> dict[str, int]:
    """Done, not applicable, carried and open tasks apart: set-aside work is not done work."""
    counts = {"done": 0, "not_applicable": 0, "carried": 0, "open": 0}
    for task in view["task_list"]:
        counts[_settled_as(task) or "open"] += 1
    return counts | {"total": len(view["task_list"])}


def _counts(
    view: dict[str, Any], incident: Incident, entries: list[dict[str, Any]]
) -> dict[str, Any]:
    end = incident.closed_at or incident.modified_on
    hours = (end - incident.occurred_at).total_seconds() / 3600
    span = f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.0f} days"
    return {
        "events": len(entries),
        "people": len({e["actor"]["user"] for e in entries}),
        "notes": len([n for n in view["notes"] if not n["corrected_by"]]),
        "corrections": sum(1 for e in entries if e["type"] == "note_corrected"),
        "span": span,
        "span_to": "closing" if incident.closed_at else "the last change",
    }


REPORT_PAGES = [report_page]
