"""The auditor's pages: an incident's timeline, a replay of any moment, the after-action report.

Everything is drawn on the server from the event log, read-only, and works without JavaScript.
The timeline page is here; the replay, the report and the log of views have a module each.
"""

import re
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from domain.phase import Phase
from service.incidents.application import Steady
from service.timelines.reading import EVENT_KINDS, Timelines, select
from web.access.auth import abilities
from web.audit.shared import EVENT_KIND_LABELS, audit_nav, labelled
from web.dependencies import NoteView
from web.rendering import context, page, page_route, role_label, who

# A long incident's timeline comes a page at a time: 10,000 entries on one page took a second
# to draw and far longer for a browser to lay out.
ENTRIES_PER_PAGE = 500


@page_route("/incidents/{ref:str}/timeline", "incident_timeline_page", "view_timeline")
def timeline_page(
    request: Request,
    steady: NamedDependency[Steady],
    timelines: NamedDependency[Timelines],
    note_view: NamedDependency[NoteView],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    task: Annotated[str | None, QueryParameter(name="task")] = None,
    role: Annotated[str | None, QueryParameter(name="role")] = None,
    phase: Annotated[str | None, QueryParameter(name="phase")] = None,
    kind: Annotated[str | None, QueryParameter(name="kind")] = None,
    page_number: Annotated[str | None, QueryParameter(name="page")] = None,
) -> Response:
    note_view(ref, "timeline")
    whole = timelines.told(ref, zone)
    reference = whole.reference
    filters = {
        "task": (task or "").strip(),
        "role": (role or "").strip(),
        "phase": (phase or "").strip(),
        "kind": (kind or "").strip(),
    }
    error = ""
    if filters["kind"] and filters["kind"] not in EVENT_KINDS:
        error = f"There is no kind of event called “{filters['kind']}”: choose one from the list."
        filters["kind"] = ""
    entries = select(whole.entries, **filters)
    pages = max(1, -(-len(entries) // ENTRIES_PER_PAGE))
    number, page_error = _page_number(page_number, pages)
    error = error or page_error
    shown = entries[(number - 1) * ENTRIES_PER_PAGE : number * ENTRIES_PER_PAGE]
    query = urlencode({k: v for k, v in filters.items() if v})

    def page_href(n: int) -> str:
        return f"/incidents/{reference}/timeline?" + urlencode(
            {**{k: v for k, v in filters.items() if v}, "page": n}
        )

    return page(
        "timeline.html",
        context(
            request,
            f"{reference} timeline",
            reference=reference,
            incident_title=whole.title,
            drill=steady.incident(reference).drill,
            audit_nav=audit_nav(reference, "timeline", abilities(who(request))),
            entries=[labelled(e) for e in shown],
            matching=len(entries),
            total=len(whole.entries),
            paging={
                "page": number,
                "pages": pages,
                "first": (number - 1) * ENTRIES_PER_PAGE + 1,
                "last": (number - 1) * ENTRIES_PER_PAGE + len(shown),
                "earlier": page_href(number - 1) if number > 1 else "",
                "later": page_href(number + 1) if number < pages else "",
                "per_page": ENTRIES_PER_PAGE,
            },
            filters=filters,
            filtered=any(filters.values()),
            filter_error=error,
            task_options=[{"id": task_id, "title": title} for task_id, title in whole.tasks],
            role_options=[{"value": r, "label": role_label(r)} for r in whole.roles],
            phase_options=[{"value": p.value, "label": p.label} for p in Phase],
            kind_options=[{"value": k, "label": EVENT_KIND_LABELS[k]} for k in EVENT_KINDS],
            csv_href=f"/api/v1/incidents/{reference}/timeline.csv" + (f"?{query}" if query else ""),
            json_href=f"/api/v1/incidents/{reference}/timeline" + (f"?{query}" if query else ""),
        ),
        status_code=422 if error else 200,
    )


def _page_number(text: str | None, pages: int) -> tuple[int, str]:
    """The page asked for, and what to tell the reader if there is no such page."""
    text = (text or "").strip()
    if not text:
        return 1, ""
    if not re.fullmatch(r"[0-9]{1,9}", text) or not 1 <= int(text) <= pages:
        shown = text if len(text) <= 20 else text[:20] + "…"
        return 1, f"There is no page “{shown}”: pages run from 1 to {pages}. Showing page 1."
    return int(text), ""


TIMELINE_PAGES = [timeline_page]
