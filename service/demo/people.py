"""The demo district's affected people (people.toml, beside this module): recorded on the demo
incidents with made-up identities, triaged, given counselors, referred, and their check-ins
planned and partly recorded at moments in the demo's past, so that the counselors' lists hold
check-ins overdue, due today and this week as the demo shows them.

People's commands carry no idempotency key: each step asks what is there first (the person is
found on their incident by how they were affected), so seeding twice adds nothing."""

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from domain.affected_person import AffectedPerson
from domain.check_ins import CheckIn
from domain.follow_up_plan import KeyDates, PlannedCheckIn
from domain.identity import Identity
from domain.incident import Incident
from domain.people import Actor
from domain.school_days import local
from domain.triage import decide_tier
from service.bootstrap import Parts
from service.demo.clock import DemoClock
from service.demo.incidents import LEAD
from service.work.due_days import due_group

# When the counselor triages, and how long after a check-in falls due it is recorded.
TRIAGED_AT = time(10, 30)
RECORDED_AFTER = timedelta(hours=2)
STEP = timedelta(minutes=20)  # between a person's steps on the same day
NEXT_DUE = ("overdue", "today", "this_week")


@dataclass(frozen=True)
class DemoPerson:
    """One affected person of the demo, as people.toml describes them."""

    incident: str  # the key of their incident in incidents.toml
    kind: str
    school: str
    how_affected: str
    identity: dict[str, Any]
    triage: dict[str, Any]
    grade: int | str = ""
    next_due: str = ""
    after_incident: timedelta = timedelta(days=1)
    recorded: list[dict[str, str]] = field(default_factory=list)
    retriage: dict[str, Any] = field(default_factory=dict)
    referral: dict[str, str] = field(default_factory=dict)
    share_identity: str = ""


def load_people(path: Path) -> list[DemoPerson]:
    people = []
    for entry in tomllib.loads(path.read_text(encoding="utf-8"))["person"]:
        if "after_incident" in entry:
            entry["after_incident"] = timedelta(**entry["after_incident"])
        person = DemoPerson(**entry)
        if person.next_due and person.next_due not in NEXT_DUE:
            raise ValueError(f"next_due {person.next_due!r}: expected one of {NEXT_DUE}")
        people.append(person)
    return people


PEOPLE = load_people(Path(__file__).parent / "people.toml")


def seed_demo_people(
    parts: Parts, clock: DemoClock, incidents: dict[str, str], now: datetime
) -> list[str]:
    """Seeds the demo's people on its incidents (incidents.toml key -> reference); returns
    their pseudonyms. `clock` is the application's: each step is done with it set to the
    step's moment."""
    return [_seed_person(parts, clock, demo, incidents[demo.incident], now) for demo in PEOPLE]


def _seed_person(
    parts: Parts, clock: DemoClock, demo: DemoPerson, incident_ref: str, now: datetime
) -> str:
    steady, people = parts.steady, parts.people
    incident = steady.incident(incident_ref)
    person = _found(parts, incident_ref, demo.how_affected)
    counselor = Actor(demo.triage["counselor"], "counselor")
    if person is None:
        triaged = _triage_moment(parts, incident, demo, now)
        with clock.at(triaged - STEP):
            ref, _ = people.record_person(
                incident_ref,
                kind=demo.kind,
                school=demo.school,
                grade=demo.grade,
                how_affected=demo.how_affected,
                identity=Identity.parse(demo.identity),
                actor=LEAD,
            )
        person = people.person(ref)
    ref = person.reference
    triaged_now = not person.triages_on(incident_ref)
    if triaged_now:
        with clock.at(_triage_moment(parts, incident, demo, now)):
            people.triage(ref, incident_ref, **_triage_args(demo.triage), actor=counselor)
    first = people.person(ref).triages_on(incident_ref)[0].at
    # Check-ins are recorded by the run that triaged: a run days later would otherwise find
    # more of them due, and add to a demo seeded already.
    recorded_at = (
        _record_check_ins(parts, clock, demo, ref, incident_ref, counselor, now)
        if triaged_now
        else [c.recorded.at for c in _in_order(parts, ref, incident_ref) if c.recorded]
    )
    later = max([first, *recorded_at]) + STEP
    if demo.retriage and len(people.person(ref).triages_on(incident_ref)) < 2:
        with clock.at(min(later, now)):
            people.triage(
                ref,
                incident_ref,
                **_triage_args({**demo.triage, **demo.retriage}),
                actor=counselor,
            )
    if demo.referral and not people.person(ref).referrals_on(incident_ref):
        with clock.at(min(later + STEP, now)):
            people.refer(ref, incident_ref, **demo.referral, actor=LEAD)
    if demo.share_identity and demo.share_identity not in people.person(ref).shared_with:
        with clock.at(min(later + 2 * STEP, now)):
            people.share_identity(ref, demo.share_identity, actor=LEAD)
    return ref


def _found(parts: Parts, incident_ref: str, how_affected: str) -> AffectedPerson | None:
    for person in parts.people.on_incident(incident_ref):
        if person.incidents[incident_ref].how_affected == how_affected.strip():
            return person
    return None


def _triage_args(triage: dict[str, Any]) -> dict[str, Any]:
    return {
        "factors": triage.get("factors", []),
        "warning_signs": triage.get("warning_signs", []),
        "tier": triage["tier"],
        "reason": triage["reason"],
        "counselor": triage["counselor"],
    }


def _record_check_ins(
    parts: Parts,
    clock: DemoClock,
    demo: DemoPerson,
    ref: str,
    incident_ref: str,
    counselor: Actor,
    now: datetime,
) -> list[datetime]:
    """Records the outcomes of the person's first check-ins, each a little after it fell due
    (none that is not due yet); returns when each was recorded."""
    done: list[datetime] = []
    by = parts.accounts.account(counselor.user)
    for check_in, outcome in zip(_in_order(parts, ref, incident_ref), demo.recorded, strict=False):
        at = check_in.due + RECORDED_AFTER
        if at >= now:
            break
        with clock.at(at):
            parts.follow_ups.record_check_in(
                ref, incident_ref, check_in.id, **outcome, by=by, actor=by.acting_as()
            )
        done.append(at)
    return done


def _in_order(parts: Parts, ref: str, incident_ref: str) -> list[CheckIn]:
    follow_ups = parts.follow_ups.follow_ups(ref, incident_ref)
    return sorted(follow_ups.check_ins.values(), key=lambda c: (c.due, c.id))


def _triage_moment(parts: Parts, incident: Incident, demo: DemoPerson, now: datetime) -> datetime:
    """When the person was first triaged: the latest school day morning that puts their next
    open check-in where `next_due` says (when one can: a check-in falls due by the end of the
    school day, so none is due today, not overdue, once that day's school is over); otherwise
    `after_incident` after the incident happened, on a school day."""
    zone = parts.steady.zone
    calendar = parts.calendars.calendar_for(incident.schools)
    earliest = incident.occurred_at + timedelta(hours=1)
    if demo.next_due:
        tier = decide_tier(
            demo.triage["tier"], demo.triage["reason"], demo.triage.get("warning_signs", [])
        ).tier
        plan, _ = parts.follow_ups.tier_plan(incident, int(tier))
        day = now.astimezone(zone).date()
        while day >= earliest.astimezone(zone).date():
            start = local(zone, day, TRIAGED_AT)
            if earliest <= start < now and calendar.is_school_day(day):
                laid = parts.follow_ups.laid_out(incident, plan, start, KeyDates())
                if _next_due(laid, len(demo.recorded), now, zone) == demo.next_due:
                    return start
            day -= timedelta(days=1)
    moment = incident.occurred_at + demo.after_incident
    day = moment.astimezone(zone).date()
    if not calendar.is_school_day(day):
        moment = local(zone, calendar.on_or_after(day), TRIAGED_AT)
    return min(max(moment, earliest), now - STEP)


def _next_due(laid: list[PlannedCheckIn], recorded: int, now: datetime, zone: ZoneInfo) -> str:
    """Where the first check-in after those recorded stands as of now ("" when those to be
    recorded are not all due by then)."""
    if len(laid) <= recorded or any(c.due + RECORDED_AFTER >= now for c in laid[:recorded]):
        return ""
    return due_group(laid[recorded].due, now, zone)
