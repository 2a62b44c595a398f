"""The after-action drill report: what the drill was (school, date and time, type,
participants, duration), how long it took from the start to everyone accounted for and to the
last student reunified, the classes that reported late, and what to change.

The classes' reports come from class accounting, through the small ClassReports interface:
until it is wired in (service.bootstrap), no class has reported and the report says so."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from domain.drills import TimedMoment
from domain.incident import Incident
from domain.kinds import KINDS
from service.drills.log import minutes, school_year_of

# A class whose first report came later than this after the start reported late.
LATE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class ClassReport:
    """A class's first report in an incident's accounting: its title (no student's name)."""

    class_title: str
    first_reported_at: datetime | None  # None: the class never reported


class ClassReports(Protocol):
    """Which classes reported in an incident, and when first (class accounting provides it)."""

    def reported(self, incident_ref: str) -> list[ClassReport]: ...


class NoClassReports:
    """Where no class accounting is kept: no class has reported anywhere."""

    def reported(self, incident_ref: str) -> list[ClassReport]:
        return []


# When the stations say a moment happened (class accounting: everyone accounted for;
# reunification: the last student released), or None.
StationMoment = Callable[[str], datetime | None]


def no_moment(incident_ref: str) -> datetime | None:
    return None


def span_text(span: timedelta | None) -> str:
    """A span as a person reads it on the report: "7 min 30 s", "1 h 05 min"."""
    if span is None:
        return "not recorded"
    seconds = int(span.total_seconds())
    hours, rest = divmod(seconds, 3600)
    mins, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {mins:02d} min"
    if not mins:
        return f"{secs} s"
    return f"{mins} min {secs:02d} s" if secs else f"{mins} min"


def _timed(
    incident: Incident,
    recorded: TimedMoment | None,
    seen: datetime | None,
    station: str,
    zone: ZoneInfo,
) -> dict[str, Any]:
    """A moment as a lead recorded it, else as the stations saw it (`source` says which)."""
    moment = recorded.moment if recorded else seen
    span = None if moment is None else max(moment - incident.created_on, timedelta(0))
    return {
        "moment": moment.astimezone(zone).isoformat() if moment else None,
        "recorded_by": recorded.by.as_dict() if recorded else None,
        "source": "recorded" if recorded else (station if seen else None),
        "seconds_from_start": int(span.total_seconds()) if span is not None else None,
        "text": span_text(span),
    }


def late_classes(
    incident: Incident, reports: Sequence[ClassReport], late_after: timedelta
) -> list[dict[str, Any]]:
    """The classes that never reported, then those whose first report came after `late_after`
    from the start, latest first."""
    start = incident.created_on
    never = sorted((r for r in reports if r.first_reported_at is None), key=lambda r: r.class_title)
    late = [r for r in reports if r.first_reported_at and r.first_reported_at - start > late_after]
    late.sort(key=lambda r: r.first_reported_at or start, reverse=True)
    return [
        {
            "class": r.class_title,
            "first_reported_at": None,
            "after_start": "did not report",
            "seconds_from_start": None,
        }
        for r in never
    ] + [
        {
            "class": r.class_title,
            "first_reported_at": r.first_reported_at.isoformat(),
            "after_start": span_text(r.first_reported_at - start),
            "seconds_from_start": int((r.first_reported_at - start).total_seconds()),
        }
        for r in late
        if r.first_reported_at is not None
    ]


def drill_report(
    incident: Incident,
    reports: Sequence[ClassReport],
    *,
    zone: ZoneInfo,
    accounted_for_at: datetime | None = None,
    last_reunified_at: datetime | None = None,
    late_after: timedelta = LATE_AFTER,
) -> dict[str, Any]:
    """The report of a drill (the caller has checked it is one, and who asks). The moments a
    lead recorded count; where none was, those the stations saw (`accounted_for_at`: class
    accounting's everyone accounted for; `last_reunified_at`: the last student released)."""
    times = incident.drill_times()
    start = incident.created_on.astimezone(zone)
    participants = incident.participants
    return {
        "drill": incident.drill,
        "reference": incident.reference,
        "title": incident.title,
        "schools": list(incident.schools),
        "type": incident.kind,
        "type_label": KINDS.get(incident.kind, incident.kind),
        "started_at": start.isoformat(),
        "school_year": school_year_of(start.date()),
        "time_zone": zone.key,
        "status": "closed" if incident.closed else "under way",
        "closed_at": incident.closed_at.astimezone(zone).isoformat()
        if incident.closed_at
        else None,
        "participants": {"count": participants.count, "note": participants.note}
        if participants
        else None,
        "duration": {
            "minutes": minutes(times.to_close),
            "seconds": int(times.to_close.total_seconds()) if times.to_close else None,
            "text": span_text(times.to_close) if times.to_close else "under way",
        },
        "to_everyone_accounted_for": _timed(
            incident, incident.everyone_accounted_for, accounted_for_at, "class accounting", zone
        ),
        "to_last_student_reunified": _timed(
            incident, incident.reunification_completed, last_reunified_at, "reunification", zone
        ),
        "classes_reported": sum(1 for r in reports if r.first_reported_at is not None),
        "late_after_minutes": int(late_after.total_seconds() // 60),
        "late_classes": late_classes(incident, reports, late_after),
        "what_to_change": {
            "review_summary": incident.review_summary,
            "items": [
                {
                    "id": c.id,
                    "text": c.text,
                    "at": c.at.astimezone(zone).isoformat(),
                    "by": c.by.as_dict(),
                }
                for c in incident.changes_to_make
            ],
        },
    }
