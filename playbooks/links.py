"""What ties a playbook to moments and to other playbooks: the milestones its steps count
from, the playbooks it is used with and the steps it shares with them, and the durations the
after-action report measures (playbooks/FORMAT.md)."""

from playbooks.checking import ID_PATTERN, ID_RULE, MISSING, FieldChecks, field_path, got
from playbooks.model import INCIDENT, Measure, Milestone, StepRef

MILESTONE_KEYS = ("id", "title")
MEASURE_KEYS = ("id", "title", "from", "to", "target")


class LinkChecks(FieldChecks):
    def __init__(self, file: str) -> None:
        super().__init__(file)
        # Known once the top of the document is read; the steps are checked against them.
        self.milestone_ids: set[str] = set()
        self.used_with_ids: set[str] = set()
        self.same_as_seen: dict[StepRef, str] = {}

    def starts_from(self, table: dict[str, object], prefix: str) -> str:
        value = table.get("from", MISSING)
        if value is MISSING:
            return ""
        if isinstance(value, str) and value in self.milestone_ids:
            return value
        known = ", ".join(sorted(self.milestone_ids))
        declared = f"({known})" if known else "(this playbook declares none)"
        self.add(
            field_path(prefix, "from"),
            f"one of the milestones declared in [[milestones]] {declared}, got {got(value)}",
        )
        return ""

    def same_as(self, table: dict[str, object], prefix: str) -> StepRef | None:
        value = table.get("same_as", MISSING)
        if value is MISSING:
            return None
        field = field_path(prefix, "same_as")
        playbook, _, step = value.partition(":") if isinstance(value, str) else ("", "", "")
        if not (ID_PATTERN.match(playbook) and ID_PATTERN.match(step)):
            self.add(
                field,
                "another playbook's step as 'playbook-id:step-id', e.g. "
                f"'death-of-student-or-staff:staff-meeting', got {got(value)}",
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
        value = document.get("used_with", MISSING)
        if value is MISSING:
            return []
        if not isinstance(value, list):
            self.add("used_with", f"an array of playbook ids, got {got(value)}")
            return []
        found: list[str] = []
        for index, other in enumerate(value):
            field = field_path("used_with", index)
            if not isinstance(other, str) or not ID_PATTERN.match(other):
                self.add(field, f"a playbook id of {ID_RULE}, got {got(other)}")
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
        declared = self.declared(document, "milestones", MILESTONE_KEYS, "milestone")
        return [Milestone(i, t) for i, t in declared]

    def measures(self, document: dict[str, object], step_ids: set[str]) -> list[Measure]:
        if "measures" not in document:
            return []
        found: list[Measure] = []
        seen: set[str] = set()
        known = ", ".join(sorted(step_ids)) or "none"
        for index, entry in enumerate(self.tables(document, "measures", "", "[[measures]]")):
            prefix = field_path("measures", index)
            table = self.table(entry, prefix, MEASURE_KEYS)
            if table is None:
                continue
            before = len(self.problems)
            measure_id = self.ident(table, "id", prefix)
            if measure_id is not None and measure_id in seen:
                self.add(
                    field_path(prefix, "id"), f"a measure id used once, got {measure_id!r} again"
                )
            title = self.text(table, "title", prefix)
            to = table.get("to", MISSING)
            if not (isinstance(to, str) and to in step_ids):
                self.add(
                    field_path(prefix, "to"),
                    f"the id of the step whose task being done ends it ({known}), got {got(to)}",
                )
            start = table.get("from", INCIDENT)
            if not (isinstance(start, str) and (start == INCIDENT or start in step_ids)):
                self.add(
                    field_path(prefix, "from"),
                    f"'{INCIDENT}' (when it happened, the default) or the id of the step whose "
                    f"task being done starts it ({known}), got {got(start)}",
                )
            target = None
            if "target" in table:
                target = self.offset(table, "target", prefix, "a target duration")
            if len(self.problems) > before or measure_id is None or title is None:
                continue
            seen.add(measure_id)
            found.append(Measure(measure_id, title, str(to), str(start), target))
        return found
