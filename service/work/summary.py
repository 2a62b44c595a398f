"""The district leaders' summary across schools: open incidents by school, overdue tasks by
school and owner role, and the roles no one holds with the open tasks waiting on each.

Totals only: no titles, references, notes or names, so nothing in it is about a person. What is
counted follows the need-to-know rule (service/access/need_to_know.py): an incident the viewer
sees whole counts in every total; a confidential case they may only count (a district leader's)
is counted per school as the board counts it, and nothing of it (its tasks, their roles) goes
into any other figure, so the figures cannot be set against each other to learn about it; an
incident they may not see is not counted at all."""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from domain.incident import Incident
from service.access.need_to_know import Sight, Viewer, counted_under, sight
from service.work.holders import unheld_tasks


def district_summary(
    viewer: Viewer,
    incidents: Iterable[Incident],
    held: frozenset[str],
    *,
    titles: Mapping[str, str],
    now: datetime,
) -> dict[str, Any]:
    """Over the open incidents among `incidents`. An incident of several schools counts under
    each of them, and once in the totals."""
    open_at: Counter[str] = Counter()
    confidential_at: Counter[str] = Counter()
    overdue_at: dict[str, Counter[str]] = {}
    overdue_total = 0
    seen = counted = drills = 0
    waiting: Counter[str] = Counter()
    waiting_in: dict[str, set[str]] = {}
    for incident in incidents:
        if incident.closed:
            continue
        how = sight(viewer, incident)
        if how == Sight.COUNT:
            schools = counted_under(viewer, incident)
            confidential_at.update(schools)
            counted += 1 if schools else 0
            continue
        if how != Sight.WHOLE:
            continue
        if incident.drill:  # shown apart: a drill is never counted as a real incident
            drills += 1
            continue
        seen += 1
        open_at.update(incident.schools)
        overdue = incident.overdue_tasks(now)
        overdue_total += len(overdue)
        for school in incident.schools:
            overdue_at.setdefault(school, Counter()).update(t.owner_role for t in overdue)
        for _, role in unheld_tasks(incident, held):
            waiting[role] += 1
            waiting_in.setdefault(role, set()).add(incident.reference)
    schools = sorted({*open_at, *confidential_at}, key=str.casefold)

    def title(role: str) -> str:
        return titles.get(role, role)

    return {
        "as_of": now.isoformat(),
        # Drills under way (seen whole): in no other figure here.
        "drills_under_way": drills,
        "open_incidents": {
            "total": seen,
            "confidential": counted,
            "by_school": [
                {"school": s, "open": open_at[s], "confidential": confidential_at[s]}
                for s in schools
            ],
        },
        "overdue_tasks": {
            "total": overdue_total,
            "by_school": [
                {
                    "school": s,
                    "total": sum(overdue_at[s].values()),
                    "by_role": [
                        {"role": role, "title": title(role), "count": count}
                        for role, count in sorted(
                            overdue_at[s].items(), key=lambda rc: (-rc[1], title(rc[0]))
                        )
                    ],
                }
                for s in schools
                if overdue_at.get(s)
            ],
        },
        "roles_no_one_holds": [
            {
                "role": role,
                "title": title(role),
                "open_tasks": count,
                "incidents": len(waiting_in[role]),
            }
            for role, count in sorted(waiting.items(), key=lambda rc: (-rc[1], title(rc[0])))
        ],
    }
