"""Reading a follow-up plan as a playbook declares it (`[[follow_ups]]`, playbooks/FORMAT.md):
every problem found, each as (field path, what was expected), so the playbook checker can report
them all at once with the file's name."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time

from domain.errors import DomainError
from domain.follow_up_plan import (
    MAX_TIMES,
    MILESTONES,
    PERIODS,
    UNTIL,
    Cadence,
    FollowUpPlan,
    Span,
    TierPlan,
)
from domain.numbers import is_whole_number
from domain.school_days import CLOCK_PATTERN

TIER_KEYS = ("tier", "title", "check_ins", "milestones", "time")
CHECK_IN_KEYS = ("label", "at", "every", "times", "starting", "until")


@dataclass
class PlanProblems:
    """The problems found reading a plan: (field path, what was expected)."""

    found: list[tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, expected: str) -> None:
        self.found.append((where, expected))


def _described(value: object) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return repr(value) if value.strip() else "an empty string"
    if isinstance(value, int):
        return f"the integer {value}"
    if value is None:
        return "nothing (the key is missing)"
    return f"a {type(value).__name__}"


def parse_plan(entries: object, prefix: str = "follow_ups") -> tuple[FollowUpPlan | None, list]:
    """A playbook's `[[follow_ups]]` array read into a plan, and every problem found in it
    as (field path, what was expected): a plan with any problem is no plan (None)."""
    problems = PlanProblems()
    if not isinstance(entries, list) or not entries:
        problems.add(prefix, "at least one [[follow_ups]] entry, one per tier")
        return None, problems.found
    plans: dict[int, TierPlan] = {}
    for index, entry in enumerate(entries):
        where = f"{prefix}[{index}]"
        plan = _tier_plan(entry, where, problems)
        if plan is not None and plan.tier in plans:
            problems.add(f"{where}.tier", f"each tier declared once, got tier {plan.tier} again")
        elif plan is not None:
            plans[plan.tier] = plan
    if problems.found:
        return None, problems.found
    return FollowUpPlan(tuple(plans[t] for t in sorted(plans))), []


def _tier_plan(entry: object, where: str, problems: PlanProblems) -> TierPlan | None:
    if not isinstance(entry, Mapping):
        problems.add(where, f"a table with keys {', '.join(TIER_KEYS)}, got {_described(entry)}")
        return None
    before = len(problems.found)
    for key in entry:
        if key not in TIER_KEYS:
            problems.add(
                f"{where}.{key}",
                f"one of the known keys ({', '.join(TIER_KEYS)}), got unknown key {key!r}",
            )
    tier = entry.get("tier")
    if not is_whole_number(tier, least=1, most=3):
        problems.add(
            f"{where}.tier",
            f"1 (universal), 2 (targeted) or 3 (intensive), got {_described(tier)}",
        )
    title = entry.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.add(f"{where}.title", f"a non-empty string, got {_described(title)}")
    cadences = _cadences(entry.get("check_ins"), f"{where}.check_ins", problems)
    milestones = _milestones(entry.get("milestones", []), f"{where}.milestones", problems)
    at_time = None
    if "time" in entry:
        text = entry["time"]
        match = CLOCK_PATTERN.match(text) if isinstance(text, str) else None
        if match:
            at_time = time(int(match.group(1)), int(match.group(2)))
        else:
            problems.add(
                f"{where}.time",
                f"a time of day as HH:MM on a 24-hour clock, such as 09:00, got {_described(text)}",
            )
    if len(problems.found) > before or (not cadences and not milestones):
        if len(problems.found) == before:
            problems.add(f"{where}.check_ins", "at least one check-in or milestone, found none")
        return None
    assert isinstance(tier, int) and isinstance(title, str)
    return TierPlan(tier, title.strip(), tuple(cadences), tuple(milestones), at_time)


def _cadences(value: object, where: str, problems: PlanProblems) -> list[Cadence]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(where, f"an array of check-in tables, got {_described(value)}")
        return []
    found = []
    for index, entry in enumerate(value):
        cadence = _cadence(entry, f"{where}[{index}]", problems)
        if cadence is not None:
            found.append(cadence)
    return found


def _span(entry: Mapping, key: str, where: str, problems: PlanProblems) -> Span | None:
    if key not in entry:
        return None
    try:
        return Span.parse(entry[key])
    except DomainError as error:
        problems.add(f"{where}.{key}", f"{error}, got {_described(entry[key])}")
        return None


def _cadence(entry: object, where: str, problems: PlanProblems) -> Cadence | None:
    if not isinstance(entry, Mapping):
        problems.add(
            where, f"a table with keys {', '.join(CHECK_IN_KEYS)}, got {_described(entry)}"
        )
        return None
    before = len(problems.found)
    for key in entry:
        if key not in CHECK_IN_KEYS:
            problems.add(
                f"{where}.{key}",
                f"one of the known keys ({', '.join(CHECK_IN_KEYS)}), got unknown key {key!r}",
            )
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.add(f"{where}.label", f"a non-empty string, got {_described(label)}")
    at = _span(entry, "at", where, problems)
    starting = _span(entry, "starting", where, problems)
    every, times, until = entry.get("every"), entry.get("times"), entry.get("until")
    if ("at" in entry) == ("every" in entry):
        problems.add(
            where,
            'either `at` (one check-in, such as at = "1 week") or `every` (a series, such as '
            'every = "week" with times = 4), not both and not neither',
        )
    elif "every" in entry:
        if every not in PERIODS:
            problems.add(f"{where}.every", f"'week' or 'month', got {_described(every)}")
        if ("times" in entry) == ("until" in entry):
            problems.add(
                where,
                'a series needs `times` (how many) or `until` ("anniversary"), one of them',
            )
        elif "times" in entry and not is_whole_number(times, least=1, most=MAX_TIMES):
            problems.add(
                f"{where}.times", f"a whole number from 1 to {MAX_TIMES}, got {_described(times)}"
            )
        elif "until" in entry and until not in UNTIL:
            problems.add(f"{where}.until", f"'anniversary', got {_described(until)}")
    else:
        for key in ("times", "until", "starting"):
            if key in entry:
                problems.add(f"{where}.{key}", f"only with `every` (a series), got {key!r}")
    if len(problems.found) > before:
        return None
    assert isinstance(label, str)
    if at is not None:
        return Cadence(label.strip(), at=at)
    return Cadence(
        label.strip(),
        every=str(every),
        times=times if isinstance(times, int) else 0,
        until=str(until or ""),
        starting=starting,
    )


def _milestones(value: object, where: str, problems: PlanProblems) -> list[str]:
    names = ", ".join(MILESTONES)
    if not isinstance(value, list):
        problems.add(where, f"an array of milestones ({names}), got {_described(value)}")
        return []
    found: list[str] = []
    for index, item in enumerate(value):
        if item not in MILESTONES:
            problems.add(f"{where}[{index}]", f"one of the milestones ({names}), got {item!r}")
        elif item in found:
            problems.add(f"{where}[{index}]", f"each milestone listed once, got {item!r} again")
        else:
            found.append(item)
    return found
