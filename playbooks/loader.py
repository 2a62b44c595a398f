"""Read one playbook TOML file (format in FORMAT.md) and report every problem, not just the
first; playbooks/directory.py reads a directory of them."""

import hashlib
import json
import re
import tomllib
from pathlib import Path

from domain.errors import DomainError
from domain.healing import COMPONENTS, STAKEHOLDER_GROUPS
from domain.kinds import KINDS
from domain.numbers import is_whole_number
from domain.phase import Phase
from domain.schedule import FORMS, Offset
from playbooks.model import (
    INCIDENT,
    Measure,
    Milestone,
    PhasePlan,
    Playbook,
    Role,
    Step,
    StepRef,
)
from playbooks.problems import PlaybookInvalid, Problem

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_RULE = "lowercase letters, digits and single hyphens, e.g. 'verify-facts'"

TOP_KEYS = (
    "id",
    "title",
    "version",
    "kinds",
    "summary",
    "used_with",
    "roles",
    "milestones",
    "phases",
    "measures",
)
ROLE_KEYS = ("id", "title")
PHASE_KEYS = ("phase", "goal", "steps")
STEP_KEYS = (
    "id",
    "title",
    "instructions",
    "owner",
    "due",
    "from",
    "same_as",
    "stakeholder",
    "component",
)
MILESTONE_KEYS = ("id", "title")
MEASURE_KEYS = ("id", "title", "from", "to", "target")

# The product owner requires both in every playbook (docs/domain.md: staff who are not looked
# after burn out; families are participants, not recipients).
REQUIRED_STAKEHOLDERS = {
    "all-staff": "staff wellbeing: debriefs, relief, the employee assistance programme",
    "families-and-communities": "family contact",
}

_TOML_POSITION = re.compile(
    r"^(?P<message>.*) \(at (?P<where>line \d+, column \d+|end of document)\)$"
)
_MISSING = object()


def load_playbook(path: Path) -> Playbook:
    """Parse and validate one file; raises PlaybookInvalid listing every problem found in it."""
    file = path.name
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = Problem(file, "file", f"a readable UTF-8 text file, got {error}")
        raise PlaybookInvalid([problem], path.stem) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib (3.11) only puts the position in the message, so take it from there.
        match = _TOML_POSITION.match(str(error))
        where, message = (match["where"], match["message"]) if match else ("file", str(error))
        problem = Problem(file, where, f"valid TOML syntax; the parser says: {message}")
        raise PlaybookInvalid([problem], path.stem) from None
    checker = _Checker(file)
    playbook = checker.playbook(document, source=str(path))
    claimed_id = document.get("id")
    if not isinstance(claimed_id, str) or not claimed_id.strip():
        claimed_id = path.stem
    if playbook is None:
        raise PlaybookInvalid(checker.problems, claimed_id)
    return playbook


def content_hash(document: dict[str, object]) -> str:
    """Hash of the content, not the text: reformatting keeps it, changing a word changes it."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _got(value: object) -> str:
    """How a found value is described after 'got', in TOML's own words."""
    if value is _MISSING:
        return "nothing (the key is missing)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown) if value.strip() else "an empty string"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the float {value}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return f"an array of {len(value)} item(s)"
    return f"a date/time ({value})"


def _path(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key


class _Checker:
    """Walks a parsed document, collecting problems and building the model when there are none."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        # Known once the top of the document is read; the steps are checked against them.
        self.milestone_ids: set[str] = set()
        self.used_with_ids: set[str] = set()
        self.same_as_seen: dict[StepRef, str] = {}

    def add(self, field: str, expected: str) -> None:
        self.problems.append(Problem(self.file, field, expected))

    # -- generic checks ---------------------------------------------------------------------------

    def keys(self, table: dict[str, object], prefix: str, allowed: tuple[str, ...]) -> None:
        # Unknown keys are errors so that a typo ("instructons") never silently drops content.
        for key in table:
            if key not in allowed:
                self.add(
                    _path(prefix, key),
                    f"one of the known keys ({', '.join(allowed)}), got unknown key {key!r}",
                )

    def text(self, table: dict[str, object], key: str, prefix: str) -> str | None:
        value = table.get(key, _MISSING)
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.add(_path(prefix, key), f"a non-empty string, got {_got(value)}")
        return None

    def ident(self, table: dict[str, object], key: str, prefix: str) -> str | None:
        value = table.get(key, _MISSING)
        if isinstance(value, str) and ID_PATTERN.match(value):
            return value
        self.add(_path(prefix, key), f"an id of {ID_RULE}, got {_got(value)}")
        return None

    def choice(
        self, table: dict[str, object], key: str, prefix: str, options: dict[str, str], what: str
    ) -> str | None:
        value = table.get(key, _MISSING)
        if isinstance(value, str) and value in options:
            return value
        self.add(_path(prefix, key), f"one of the {what} ({', '.join(options)}), got {_got(value)}")
        return None

    def tables(self, table: dict[str, object], key: str, prefix: str, header: str) -> list[object]:
        """The entries of an array of tables; each entry's own type is checked by the caller."""
        value = table.get(key, _MISSING)
        if isinstance(value, list) and value:
            return value
        self.add(_path(prefix, key), f"at least one {header} entry, got {_got(value)}")
        return []

    def table(
        self, value: object, field: str, allowed: tuple[str, ...]
    ) -> dict[str, object] | None:
        if isinstance(value, dict):
            self.keys(value, field, allowed)
            return value
        self.add(field, f"a table with keys {', '.join(allowed)}, got {_got(value)}")
        return None

    # -- the playbook -----------------------------------------------------------------------------

    def playbook(self, document: dict[str, object], source: str) -> Playbook | None:
        self.keys(document, "", TOP_KEYS)
        playbook_id = self.ident(document, "id", "")
        title = self.text(document, "title", "")
        version = self.version(document)
        kinds = self.kinds(document)
        summary = self.text(document, "summary", "")
        roles = self.roles(document)
        used_with = self.used_with(document, playbook_id)
        milestones = self.milestones(document)
        self.milestone_ids = {milestone.id for milestone in milestones}
        self.used_with_ids = set(used_with)
        phases = self.phases(document, {role.id for role in roles})
        step_ids = {step.id for plan in phases for step in plan.steps}
        measures = self.measures(document, step_ids)
        # The None checks are implied by "no problems"; they are spelled out for the type checker.
        if self.problems or not (playbook_id and title and version and summary):
            return None
        return Playbook(
            id=playbook_id,
            title=title,
            version=version,
            kinds=tuple(kinds),
            summary=summary,
            roles=tuple(roles),
            phases=tuple(phases),
            content_hash=content_hash(document),
            source=source,
            milestones=tuple(milestones),
            used_with=tuple(used_with),
            measures=tuple(measures),
        )

    def version(self, document: dict[str, object]) -> int | None:
        value = document.get("version", _MISSING)
        # bool is an int in Python; `version = true` is a mistake, not version 1.
        if is_whole_number(value, least=1):
            return value
        self.add("version", f"a whole number of at least 1, got {_got(value)}")
        return None

    def kinds(self, document: dict[str, object]) -> list[str]:
        value = document.get("kinds", _MISSING)
        if not isinstance(value, list) or not value:
            self.add("kinds", f"an array of at least one incident kind, got {_got(value)}")
            return []
        kinds: list[str] = []
        for index, kind in enumerate(value):
            field = _path("kinds", index)
            if not isinstance(kind, str) or kind not in KINDS:
                self.add(field, f"one of the incident kinds ({', '.join(KINDS)}), got {_got(kind)}")
            elif kind in kinds:
                self.add(field, f"each kind listed once, got {kind!r} a second time")
            else:
                kinds.append(kind)
        return kinds

    def roles(self, document: dict[str, object]) -> list[Role]:
        roles: list[Role] = []
        seen: dict[str, str] = {}
        for index, entry in enumerate(self.tables(document, "roles", "", "[[roles]]")):
            prefix = _path("roles", index)
            table = self.table(entry, prefix, ROLE_KEYS)
            if table is None:
                continue
            role_id = self.ident(table, "id", prefix)
            title = self.text(table, "title", prefix)
            if role_id is not None and role_id in seen:
                self.add(
                    _path(prefix, "id"),
                    f"a role id not already declared, got {role_id!r} which {seen[role_id]} "
                    "already declares",
                )
                continue
            if role_id is not None:
                seen[role_id] = prefix
            if role_id is not None and title is not None:
                roles.append(Role(role_id, title))
        return roles

    def phases(self, document: dict[str, object], role_ids: set[str]) -> list[PhasePlan]:
        plans: list[PhasePlan] = []
        seen_phases: dict[Phase, str] = {}
        seen_steps: dict[str, str] = {}
        stakeholders: set[str] = set()
        any_step = False
        order = ", ".join(phase.value for phase in Phase)
        for index, entry in enumerate(self.tables(document, "phases", "", "[[phases]]")):
            prefix = _path("phases", index)
            table = self.table(entry, prefix, PHASE_KEYS)
            if table is None:
                continue
            phase = self.phase(table, prefix)
            if phase is not None:
                field = _path(prefix, "phase")
                latest = max(seen_phases, key=lambda seen: seen.rank, default=None)
                if phase in seen_phases:
                    self.add(
                        field,
                        f"each phase at most once, got {phase.value!r} which "
                        f"{seen_phases[phase]} already declares",
                    )
                elif latest is not None and phase.rank < latest.rank:
                    self.add(
                        field,
                        f"phases in the order {order}, got {phase.value!r} after {latest.value!r}",
                    )
                seen_phases.setdefault(phase, prefix)
            goal = self.text(table, "goal", prefix)
            steps: list[Step] = []
            for step_index, step_entry in enumerate(
                self.tables(table, "steps", prefix, "[[phases.steps]]")
            ):
                step_prefix = _path(_path(prefix, "steps"), step_index)
                step_table = self.table(step_entry, step_prefix, STEP_KEYS)
                if step_table is None:
                    continue
                any_step = True
                stakeholder = step_table.get("stakeholder")
                if isinstance(stakeholder, str):
                    stakeholders.add(stakeholder)
                step = self.step(step_table, step_prefix, role_ids, seen_steps)
                if step is not None:
                    steps.append(step)
            if phase is not None and goal is not None:
                plans.append(PhasePlan(phase, goal, tuple(steps)))
        if any_step:
            # Only worth saying once there are steps; otherwise the missing steps are the problem.
            for stakeholder, purpose in REQUIRED_STAKEHOLDERS.items():
                if stakeholder not in stakeholders:
                    self.add(
                        "phases",
                        f"at least one step with stakeholder {stakeholder!r} ({purpose}), "
                        "found none",
                    )
        return plans

    def phase(self, table: dict[str, object], prefix: str) -> Phase | None:
        value = table.get("phase", _MISSING)
        if isinstance(value, str):
            try:
                return Phase(value)
            except ValueError:
                pass
        names = ", ".join(phase.value for phase in Phase)
        self.add(_path(prefix, "phase"), f"one of {names}, got {_got(value)}")
        return None

    def step(
        self,
        table: dict[str, object],
        prefix: str,
        role_ids: set[str],
        seen_steps: dict[str, str],
    ) -> Step | None:
        before = len(self.problems)
        step_id = self.ident(table, "id", prefix)
        if step_id is not None:
            if step_id in seen_steps:
                self.add(
                    _path(prefix, "id"),
                    f"a step id unique within the playbook, got {step_id!r} which "
                    f"{seen_steps[step_id]} already uses",
                )
            else:
                seen_steps[step_id] = prefix
        title = self.text(table, "title", prefix)
        instructions = self.text(table, "instructions", prefix)
        owner = self.ident(table, "owner", prefix)
        # With no usable [[roles]] every owner would be flagged; the roles problem says it once.
        if owner is not None and role_ids and owner not in role_ids:
            self.add(
                _path(prefix, "owner"),
                "one of the roles declared in [[roles]] "
                f"({', '.join(sorted(role_ids))}), got {owner!r}",
            )
        due = self.due(table, prefix)
        milestone = self.starts_from(table, prefix)
        same_as = self.same_as(table, prefix)
        stakeholder = self.choice(
            table, "stakeholder", prefix, STAKEHOLDER_GROUPS, "stakeholder groups"
        )
        component = self.choice(table, "component", prefix, COMPONENTS, "components")
        # The None checks are implied by "no new problems"; spelled out for the type checker.
        if (
            len(self.problems) > before
            or step_id is None
            or title is None
            or instructions is None
            or owner is None
            or due is None
            or stakeholder is None
            or component is None
        ):
            return None
        return Step(
            step_id,
            title,
            instructions,
            owner,
            due,
            stakeholder,
            component,
            milestone=milestone,
            same_as=same_as,
        )

    def starts_from(self, table: dict[str, object], prefix: str) -> str:
        value = table.get("from", _MISSING)
        if value is _MISSING:
            return ""
        if isinstance(value, str) and value in self.milestone_ids:
            return value
        known = ", ".join(sorted(self.milestone_ids))
        declared = f"({known})" if known else "(this playbook declares none)"
        self.add(
            _path(prefix, "from"),
            f"one of the milestones declared in [[milestones]] {declared}, got {_got(value)}",
        )
        return ""

    def same_as(self, table: dict[str, object], prefix: str) -> StepRef | None:
        value = table.get("same_as", _MISSING)
        if value is _MISSING:
            return None
        field = _path(prefix, "same_as")
        playbook, _, step = value.partition(":") if isinstance(value, str) else ("", "", "")
        if not (ID_PATTERN.match(playbook) and ID_PATTERN.match(step)):
            self.add(
                field,
                "another playbook's step as 'playbook-id:step-id', e.g. "
                f"'death-of-student-or-staff:staff-meeting', got {_got(value)}",
            )
            return None
        if playbook not in self.used_with_ids:
            listed = ", ".join(sorted(self.used_with_ids)) or "none"
            self.add(
                field,
                f"a step of a playbook listed in used_with (now: {listed}), got {value!r}: "
                f"add {playbook!r} to used_with",
            )
            return None
        ref = StepRef(playbook, step)
        if ref in self.same_as_seen:
            self.add(
                field,
                f"each step of another playbook named once, got {value!r} which "
                f"{self.same_as_seen[ref]} already names",
            )
            return None
        self.same_as_seen[ref] = prefix
        return ref

    def used_with(self, document: dict[str, object], own_id: str | None) -> list[str]:
        value = document.get("used_with", _MISSING)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.add("used_with", f"an array of playbook ids, got {_got(value)}")
            return []
        found: list[str] = []
        for index, other in enumerate(value):
            field = _path("used_with", index)
            if not isinstance(other, str) or not ID_PATTERN.match(other):
                self.add(field, f"a playbook id of {ID_RULE}, got {_got(other)}")
            elif other == own_id:
                self.add(field, f"another playbook's id, got this playbook's own id {other!r}")
            elif other in found:
                self.add(field, f"each playbook listed once, got {other!r} a second time")
            else:
                found.append(other)
        return found

    def milestones(self, document: dict[str, object]) -> list[Milestone]:
        if "milestones" not in document:
            return []
        found: list[Milestone] = []
        seen: dict[str, str] = {}
        for index, entry in enumerate(self.tables(document, "milestones", "", "[[milestones]]")):
            prefix = _path("milestones", index)
            table = self.table(entry, prefix, MILESTONE_KEYS)
            if table is None:
                continue
            milestone_id = self.ident(table, "id", prefix)
            title = self.text(table, "title", prefix)
            if milestone_id is not None and milestone_id in seen:
                self.add(
                    _path(prefix, "id"),
                    f"a milestone id not already declared, got {milestone_id!r} which "
                    f"{seen[milestone_id]} already declares",
                )
                continue
            if milestone_id is not None:
                seen[milestone_id] = prefix
            if milestone_id is not None and title is not None:
                found.append(Milestone(milestone_id, title))
        return found

    def measures(self, document: dict[str, object], step_ids: set[str]) -> list[Measure]:
        if "measures" not in document:
            return []
        found: list[Measure] = []
        seen: set[str] = set()
        known = ", ".join(sorted(step_ids)) or "none"
        for index, entry in enumerate(self.tables(document, "measures", "", "[[measures]]")):
            prefix = _path("measures", index)
            table = self.table(entry, prefix, MEASURE_KEYS)
            if table is None:
                continue
            before = len(self.problems)
            measure_id = self.ident(table, "id", prefix)
            if measure_id is not None and measure_id in seen:
                self.add(_path(prefix, "id"), f"a measure id used once, got {measure_id!r} again")
            title = self.text(table, "title", prefix)
            to = table.get("to", _MISSING)
            if not (isinstance(to, str) and to in step_ids):
                self.add(
                    _path(prefix, "to"),
                    f"the id of the step whose task being done ends it ({known}), got {_got(to)}",
                )
            start = table.get("from", INCIDENT)
            if not (isinstance(start, str) and (start == INCIDENT or start in step_ids)):
                self.add(
                    _path(prefix, "from"),
                    f"'{INCIDENT}' (when it happened, the default) or the id of the step whose "
                    f"task being done starts it ({known}), got {_got(start)}",
                )
            target = None
            if "target" in table:
                target = self.offset(table, "target", prefix, "a target duration")
            if len(self.problems) > before or measure_id is None or title is None:
                continue
            seen.add(measure_id)
            found.append(Measure(measure_id, title, str(to), str(start), target))
        return found

    def due(self, table: dict[str, object], prefix: str) -> Offset | None:
        return self.offset(table, "due", prefix, "a time after the incident (or milestone)")

    def offset(self, table: dict[str, object], key: str, prefix: str, what: str) -> Offset | None:
        value = table.get(key, _MISSING)
        if isinstance(value, str):
            try:
                return Offset.parse(value)
            except DomainError as error:
                if "too far ahead" in str(error):
                    self.add(_path(prefix, key), f"{what} of at most three years, got {value!r}")
                    return None
        self.add(
            _path(prefix, key),
            f"{what}, as a whole number and a unit or an anchor on the school day: {FORMS}, "
            f"got {_got(value)}",
        )
        return None
