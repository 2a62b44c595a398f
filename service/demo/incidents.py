"""The demo district: a few schools and incidents in different phases, with realistic content
(the incidents themselves are in incidents.toml, beside this module).

Every command carries an idempotency key, so seeding twice adds nothing."""

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from domain.people import Actor
from domain.task import Task
from service.demo.staff import PARTNER_ORGANISATION, SCHOOLS, holder
from service.incidents.application import Steady

__all__ = ["PARTNER_ORGANISATION", "SCHOOLS", "seed_demo"]

LEAD = Actor("m.alvarez", "crisis-lead")
COUNSELOR = Actor("k.okafor", "counselor")
DISTRICT = Actor("r.patel", "district-leader")
PARTNER = Actor("j.brooks", "partner-mental-health")
# A task whose step has no note of its own in incidents.toml.
DONE_NOTE = "Done as written; no concerns raised."


@dataclass(frozen=True)
class DemoIncident:
    """One incident of the demo, as incidents.toml describes it."""

    key: str
    opening: dict[str, Any]  # title, kind, severity, schools, summary: as the lead typed them
    at_local: time  # time of day it happened, district time
    age: timedelta  # from when it happened to the moment the demo shows
    playbooks: list[str]
    done_fraction: float
    phase_steps: list[str]
    closed_with: str = ""
    case_team: tuple[str, ...] = ()  # who needs to know, for a confidential case
    on: str = ""  # "school day": it happened Monday to Friday (default: any day)
    opened_after: float = 12.0  # minutes from when it happened to when the lead opened it
    done_notes: dict[str, str] = field(default_factory=dict)  # step id -> its completion note
    blocked: dict[str, str] = field(default_factory=dict)  # {step, reason}: a task held up
    notes: list[dict[str, str]] = field(default_factory=list)  # [{by, text, corrected, reason}]
    # A drill's review: the moments (minutes after the start), participants, what to change.
    drill_review: dict[str, Any] = field(default_factory=dict)


def load_incidents(path: Path) -> list[DemoIncident]:
    """The incidents of the file, in its order: its content is data, as a playbook's is."""
    return [
        DemoIncident(
            **{
                **entry,
                "age": timedelta(**entry["age"]),
                "case_team": tuple(entry.get("case_team", ())),
            }
        )
        for entry in tomllib.loads(path.read_text(encoding="utf-8"))["incident"]
    ]


INCIDENTS = load_incidents(Path(__file__).parent / "incidents.toml")


def seed_demo(app: Steady, now: datetime, zone: ZoneInfo) -> list[str]:
    """Seeds the demo district; returns the references of its incidents."""
    return [_seed_incident(app, demo, now, zone) for demo in INCIDENTS]


def _seed_incident(app: Steady, demo: DemoIncident, now: datetime, zone: ZoneInfo) -> str:
    def key(step: str) -> str:
        return f"demo/{demo.key}/{step}"

    seeded = app.result_of(key("open"), actor=LEAD)
    if seeded:
        # Seed against the first run's moment so every step, and every key, comes out the same.
        occurred = app.incident(seeded.reference).occurred_at
    else:
        occurred = latest_at(
            demo.at_local,
            now - demo.age,
            zone,
            school_day=demo.on == "school day",
            shown_after=demo.age,
        )
    now = occurred + demo.age
    clock = _Clock(occurred + timedelta(minutes=demo.opened_after), now)

    opened = app.open_incident(
        **demo.opening,
        occurred_at=occurred,
        actor=LEAD,
        idempotency_key=key("open"),
        at=clock.tick(0),
    )
    ref = opened.reference
    for username in demo.case_team:
        step = key(f"case-team/{username}")
        # A demo seeded before case teams existed has this incident closed already.
        if app.result_of(step, actor=LEAD) or not app.incident(ref).closed:
            app.add_to_case_team(ref, username, actor=LEAD, idempotency_key=step, at=clock.tick(1))
    for playbook_id in demo.playbooks:
        app.apply_playbook(
            ref,
            playbook_id,
            actor=LEAD,
            idempotency_key=key(f"apply/{playbook_id}"),
            at=clock.tick(0.5),
        )
    incident = app.incident(ref)
    # The playbooks' tasks: not those added on the way, such as the urgent task of a person's
    # triage (service/demo/people.py), which would change what the same steps pick next time.
    tasks = sorted(
        (t for t in incident.tasks.values() if t.step_id), key=lambda t: (t.due_at or now, t.id)
    )
    # A task waiting for a milestone (a discharge not yet recorded) is not due: nobody did it.
    due_now = [
        t for t in tasks if (t.due_at is None and not t.waits_for) or (t.due_at and t.due_at <= now)
    ]
    held = [t for t in due_now if demo.blocked and t.step_id == demo.blocked["step"]]
    to_finish = [t for t in due_now if t not in held][: round(len(due_now) * demo.done_fraction)]
    school = demo.opening["schools"][0]

    def doer(task: Task) -> Actor:
        # A task the playbook handed to the partner is done by the partner's own people; any
        # other by someone holding the position that owns it, at the incident's school.
        if task.assignee is not None and task.assignee.kind == "partner":
            return PARTNER
        return holder(task.owner_role, school) or LEAD

    for task in to_finish:
        actor = doer(task)
        # Done a little before it fell due: a 3-minute step in under 3 minutes.
        due = min(task.due_at or now, now)
        at = max(clock.current, occurred + (due - occurred) * 0.8)
        _start(app, ref, task, actor, key, clock.at_least(clock.current + (at - clock.current) / 2))
        app.change_task_status(
            ref,
            task.id,
            "done",
            note=demo.done_notes.get(task.step_id or "", DONE_NOTE),
            actor=actor,
            idempotency_key=key(f"{task.id}/done"),
            at=clock.at_least(at),
        )
    remaining = [t for t in due_now if t not in to_finish and t not in held]
    counselling = [t for t in remaining if t.owner_role == "counselor"]
    if counselling:
        # The lead hands one open counselor's task to the Roosevelt counselor, who has time.
        task = counselling[0]
        _start(app, ref, task, COUNSELOR, key, clock.tick(30))
        app.assign_task(
            ref,
            task.id,
            kind="person",
            name="k.okafor",
            actor=LEAD,
            idempotency_key=key(f"{task.id}/assign"),
            at=clock.tick(2),
        )
    for task in held:
        app.change_task_status(
            ref,
            task.id,
            "blocked",
            reason=demo.blocked["reason"],
            actor=doer(task),
            idempotency_key=key(f"{task.id}/block"),
            at=clock.tick(15),
        )
    for number, note in enumerate(demo.notes, start=1):
        writer = holder(note["by"], school) or LEAD
        written = app.add_note(
            ref,
            note["text"],
            actor=writer,
            idempotency_key=key(f"note/{number}"),
            at=clock.tick(10 if number == 1 else 60),
        )
        if note.get("corrected"):
            app.correct_note(
                ref,
                written.detail["note_id"],
                note["corrected"],
                reason=note["reason"],
                actor=writer,
                idempotency_key=key(f"note/{number}/correct"),
                at=clock.tick(5),
            )
    if demo.key == "student-death-jefferson":
        _share_with_partner(app, ref, [t for t in tasks if t not in due_now], key, clock)
    if demo.key == "lockdown-roosevelt":  # the key predates its move to Jefferson: keys stay
        app.change_severity(
            ref,
            2,
            reason="Suspect in custody; no weapon found on campus.",
            actor=LEAD,
            idempotency_key=key("severity"),
            at=clock.tick(20),
        )
    for phase in demo.phase_steps:
        app.advance_phase(
            ref, phase, actor=LEAD, idempotency_key=key(f"phase/{phase}"), at=clock.tick(60 * 24)
        )
    if demo.drill_review and not app.incident(ref).closed:
        _review_drill(app, ref, demo.drill_review, key, clock)
    if demo.closed_with and not app.incident(ref).closed:
        # What the seeding left open is set aside as the drill closes. (A store seeded before
        # closes needed this has its close already, under the same key: it is not sent again.)
        closing = demo.drill_review.get("closed_after")
        start = app.incident(ref).created_on
        app.close_incident(
            ref,
            demo.closed_with,
            open_tasks="not_applicable",
            actor=LEAD,
            idempotency_key=key("close"),
            # A drill closes when its review says it ended; any other an hour after the rest.
            at=clock.at_least(start + timedelta(minutes=closing)) if closing else clock.tick(60),
        )
    return ref


def _review_drill(
    app: Steady,
    ref: str,
    review: dict[str, Any],
    key: Callable[[str], str],
    clock: "_Clock",
) -> None:
    """What the lead recorded of the drill before closing it."""
    start = app.incident(ref).created_on
    for what, record in (
        ("everyone_accounted_for", app.record_everyone_accounted_for),
        ("reunification_completed", app.record_reunification_completed),
    ):
        moment = start + timedelta(minutes=review[f"{what}_after"])
        record(ref, moment=moment, actor=LEAD, idempotency_key=key(what), at=clock.at_least(moment))
    app.record_drill_participants(
        ref,
        review["participants"],
        note=review.get("participants_note", ""),
        actor=LEAD,
        idempotency_key=key("participants"),
        at=clock.tick(5),
    )
    for number, text in enumerate(review.get("changes", ()), start=1):
        app.record_change_to_make(
            ref, text, actor=LEAD, idempotency_key=key(f"change/{number}"), at=clock.tick(2)
        )


def _start(
    app: Steady, ref: str, task: Task, actor: Actor, key: Callable[[str], str], at: datetime
) -> None:
    """Someone starts work on a task: one step, whoever then finishes, blocks or reassigns it."""
    app.change_task_status(
        ref, task.id, "in_progress", actor=actor, idempotency_key=key(f"{task.id}/start"), at=at
    )


def _share_with_partner(
    app: Steady, ref: str, later: list[Task], key: Callable[[str], str], clock: "_Clock"
) -> None:
    """The mental-health agency takes on a follow-up, and sees only that and one note."""
    slug, name, _ = PARTNER_ORGANISATION
    incident = app.incident(ref)
    # Each step once, whatever a first run did: where Eastside stands in for the playbook's
    # mental-health role, the playbook shared the incident and handed it tasks already.
    if app.result_of(key("share"), actor=LEAD) is None and slug not in incident.shares:
        app.share_incident(
            ref, slug, name, actor=LEAD, idempotency_key=key("share"), at=clock.tick(5)
        )
    assigned = app.result_of(key("partner/assign"), actor=LEAD)
    free = [t for t in later if incident.tasks[t.id].assignee is None]
    if assigned is None and free:
        assigned = app.assign_task(
            ref,
            free[0].id,
            kind="partner",
            name=slug,
            actor=LEAD,
            idempotency_key=key("partner/assign"),
            at=clock.tick(2),
        )
    follow_up = assigned.detail["task_id"] if assigned else ""
    app.add_note(
        ref,
        "Eastside Counseling will run drop-in grief groups for students after school; the "
        "family liaison remains the only contact with the family.",
        share_with=[slug],
        actor=LEAD,
        idempotency_key=key("partner/note"),
        at=clock.tick(3),
    )
    app.add_note(
        ref,
        "Two counselors available Tuesdays and Thursdays, 3:30 to 5:00, in the library annex.",
        task_id=follow_up,
        share_with=[slug],
        actor=PARTNER,
        idempotency_key=key("partner/reply"),
        at=clock.tick(45),
    )


def latest_at(
    time_of_day: time,
    before: datetime,
    zone: ZoneInfo,
    *,
    school_day: bool = False,
    shown_after: timedelta = timedelta(0),
) -> datetime:
    """The last moment at this time of day (district time) no later than `before`; with
    school_day, the last such moment on a Monday to Friday that is also a weekday
    `shown_after` later."""
    local = before.astimezone(zone)
    day = (
        local.date()
        if datetime.combine(local.date(), time_of_day, tzinfo=zone) <= local
        else (local.date() - timedelta(days=1))
    )
    moment = datetime.combine(day, time_of_day, tzinfo=zone)
    # On a school day, and shown on one: the demo's moment (it plus its age) is a weekday too.
    while school_day and (moment.weekday() >= 5 or (moment + shown_after).weekday() >= 5):
        moment = datetime.combine(moment.date() - timedelta(days=1), time_of_day, tzinfo=zone)
    return moment


class _Clock:
    """Moves forward through the demo's past, never beyond now."""

    def __init__(self, start: datetime, now: datetime) -> None:
        self.current = start
        self.now = now

    def tick(self, minutes: float) -> datetime:
        self.current = min(self.current + timedelta(minutes=minutes), self.now)
        return self.current

    def at_least(self, at: datetime) -> datetime:
        self.current = min(max(self.current, at), self.now)
        return self.current
