"""Read one playbook TOML file (format in FORMAT.md) and report every problem, not just the
first; playbooks/directory.py reads a directory of them."""

import hashlib
import json
import re
import tomllib
from pathlib import Path

from domain.follow_up_format import parse_plan
from domain.follow_up_plan import FollowUpPlan
from domain.healing import COMPONENTS, STAKEHOLDER_GROUPS
from domain.kinds import KINDS
from domain.numbers import is_whole_number
from domain.phase import Phase
from domain.schedule import Offset
from playbooks.checking import MISSING, field_path, got
from playbooks.links import LinkChecks
from playbooks.model import PhasePlan, Playbook, Role, Step
from playbooks.problems import PlaybookInvalid, Problem

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
    "follow_ups",
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
    "urgent",
    "kinds",
)

# The product owner requires both in every playbook (docs/domain.md: staff who are not looked
# after burn out; families are participants, not recipients).
REQUIRED_STAKEHOLDERS = {
    "all-staff": "staff wellbeing: debriefs, relief, the employee assistance programme",
    "families-and-communities": "family contact",
}

_TOML_POSITION = re.compile(
    r"^(?P<message>.*) \(at (?P<where>line \d+, column \d+|end of document)\)$"
)


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


class _Checker(LinkChecks):
    """Walks a parsed document, collecting problems and building the model when there are none."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.playbook_kinds: list[str] = []  # the top-level kinds, once read: steps pick from them

    def playbook(self, document: dict[str, object], source: str) -> Playbook | None:
        self.keys(document, "", TOP_KEYS)
        playbook_id = self.ident(document, "id", "")
        title = self.text(document, "title", "")
        version = self.version(document)
        kinds = self.kinds(document)
        self.playbook_kinds = kinds
        summary = self.text(document, "summary", "")
        roles = self.roles(document)
        used_with = self.used_with(document, playbook_id)
        milestones = self.milestones(document)
        self.milestone_ids = {milestone.id for milestone in milestones}
        self.used_with_ids = set(used_with)
        phases = self.phases(document, {role.id for role in roles})
        step_ids = {step.id for plan in phases for step in plan.steps}
        measures = self.measures(document, step_ids)
        follow_ups = self.follow_ups(document)
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
            follow_ups=follow_ups,
        )

    def follow_ups(self, document: dict[str, object]) -> FollowUpPlan | None:
        """The optional per-tier plan of check-ins (domain/follow_up_plan.py reads it)."""
        if "follow_ups" not in document:
            return None
        plan, problems = parse_plan(document["follow_ups"])
        for where, expected in problems:
            self.add(where, expected)
        return plan

    def version(self, document: dict[str, object]) -> int | None:
        value = document.get("version", MISSING)
        # bool is an int in Python; `version = true` is a mistake, not version 1.
        if is_whole_number(value, least=1):
            return value
        self.add("version", f"a whole number of at least 1, got {got(value)}")
        return None

    def kinds(self, document: dict[str, object]) -> list[str]:
        value = document.get("kinds", MISSING)
        if not isinstance(value, list) or not value:
            self.add("kinds", f"an array of at least one incident kind, got {got(value)}")
            return []
        return self.kind_list(value, "kinds")

    def kind_list(
        self, value: list[object], field: str, within: list[str] | None = None
    ) -> list[str]:
        """The known incident kinds of an array, each once; with `within`, only those."""
        kinds: list[str] = []
        for index, kind in enumerate(value):
            where = field_path(field, index)
            if not isinstance(kind, str) or kind not in KINDS:
                self.add(where, f"one of the incident kinds ({', '.join(KINDS)}), got {got(kind)}")
            elif within is not None and kind not in within:
                self.add(
                    where,
                    f"one of the kinds this playbook is for ({', '.join(within)}): add {kind!r} "
                    f"to the top-level kinds, or take it out of this step's kinds, got {kind!r}",
                )
            elif kind in kinds:
                self.add(where, f"each kind listed once, got {kind!r} a second time")
            else:
                kinds.append(kind)
        return kinds

    def step_kinds(self, table: dict[str, object], prefix: str) -> tuple[str, ...]:
        """A step's optional `kinds`: without it the step is laid out for every incident kind."""
        if "kinds" not in table:
            return ()
        value = table["kinds"]
        field = field_path(prefix, "kinds")
        if not isinstance(value, list) or not value:
            self.add(
                field,
                "an array of at least one of the kinds this playbook is for, or no kinds key "
                f"for a step every incident gets, got {got(value)}",
            )
            return ()
        # With no usable top-level kinds every kind would be flagged; that problem says it once.
        return tuple(self.kind_list(value, field, self.playbook_kinds or None))

    def roles(self, document: dict[str, object]) -> list[Role]:
        return [Role(i, t) for i, t in self.declared(document, "roles", ROLE_KEYS, "role")]

    def phases(self, document: dict[str, object], role_ids: set[str]) -> list[PhasePlan]:
        plans: list[PhasePlan] = []
        seen_phases: dict[Phase, str] = {}
        seen_steps: dict[str, str] = {}
        stakeholders: set[str] = set()
        # The kinds each step with a stakeholder is for (None: every kind), read from the raw
        # table so that a step with another problem still counts and no problem cascades.
        stakeholder_kinds: list[tuple[str, set[str] | None]] = []
        any_step = False
        order = ", ".join(phase.value for phase in Phase)
        for index, entry in enumerate(self.tables(document, "phases", "", "[[phases]]")):
            prefix = field_path("phases", index)
            table = self.table(entry, prefix, PHASE_KEYS)
            if table is None:
                continue
            phase = self.phase(table, prefix)
            if phase is not None:
                field = field_path(prefix, "phase")
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
                step_prefix = field_path(field_path(prefix, "steps"), step_index)
                step_table = self.table(step_entry, step_prefix, STEP_KEYS)
                if step_table is None:
                    continue
                any_step = True
                stakeholder = step_table.get("stakeholder")
                if isinstance(stakeholder, str):
                    stakeholders.add(stakeholder)
                    step_kinds = step_table.get("kinds")
                    stakeholder_kinds.append(
                        (
                            stakeholder,
                            set(map(str, step_kinds)) if isinstance(step_kinds, list) else None,
                        )
                    )
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
                    continue
                # A step's kinds must not leave one kind of incident without the rule's step.
                for kind in self.playbook_kinds:
                    if not any(
                        found == stakeholder and (kinds is None or kind in kinds)
                        for found, kinds in stakeholder_kinds
                    ):
                        self.add(
                            "phases",
                            f"at least one step with stakeholder {stakeholder!r} ({purpose}) "
                            f"for incidents of kind {kind!r}, found only steps whose kinds "
                            "leave it out",
                        )
        return plans

    def phase(self, table: dict[str, object], prefix: str) -> Phase | None:
        value = table.get("phase", MISSING)
        if isinstance(value, str):
            try:
                return Phase(value)
            except ValueError:
                pass
        names = ", ".join(phase.value for phase in Phase)
        self.add(field_path(prefix, "phase"), f"one of {names}, got {got(value)}")
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
                    field_path(prefix, "id"),
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
                field_path(prefix, "owner"),
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
        urgent = table.get("urgent", False)
        if not isinstance(urgent, bool):
            self.add(field_path(prefix, "urgent"), f"true or false, got {got(urgent)}")
        kinds = self.step_kinds(table, prefix)
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
            urgent=urgent is True,
            kinds=kinds,
        )

    def due(self, table: dict[str, object], prefix: str) -> Offset | None:
        return self.offset(table, "due", prefix, "a time after the incident (or milestone)")
