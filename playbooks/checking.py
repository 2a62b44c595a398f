"""The checks every part of a playbook file uses: a field's type, an id, a choice among known
values, a table's keys, a due phrase; each problem names the field and what was expected."""

import re

from domain.errors import DomainError
from domain.schedule import FORMS, Offset
from playbooks.problems import Problem

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_RULE = "lowercase letters, digits and single hyphens, e.g. 'verify-facts'"
MISSING = object()


def got(value: object) -> str:
    """How a found value is described after 'got', in TOML's own words."""
    if value is MISSING:
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


def field_path(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key


class FieldChecks:
    """Collects the problems of one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, field: str, expected: str) -> None:
        self.problems.append(Problem(self.file, field, expected))

    # -- generic checks ---------------------------------------------------------------------------

    def keys(self, table: dict[str, object], prefix: str, allowed: tuple[str, ...]) -> None:
        # Unknown keys are errors so that a typo ("instructons") never silently drops content.
        for key in table:
            if key not in allowed:
                self.add(
                    field_path(prefix, key),
                    f"one of the known keys ({', '.join(allowed)}), got unknown key {key!r}",
                )

    def text(self, table: dict[str, object], key: str, prefix: str) -> str | None:
        value = table.get(key, MISSING)
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.add(field_path(prefix, key), f"a non-empty string, got {got(value)}")
        return None

    def ident(self, table: dict[str, object], key: str, prefix: str) -> str | None:
        value = table.get(key, MISSING)
        if isinstance(value, str) and ID_PATTERN.match(value):
            return value
        self.add(field_path(prefix, key), f"an id of {ID_RULE}, got {got(value)}")
        return None

    def choice(
        self, table: dict[str, object], key: str, prefix: str, options: dict[str, str], what: str
    ) -> str | None:
        value = table.get(key, MISSING)
        if isinstance(value, str) and value in options:
            return value
        self.add(
            field_path(prefix, key), f"one of the {what} ({', '.join(options)}), got {got(value)}"
        )
        return None

    def tables(self, table: dict[str, object], key: str, prefix: str, header: str) -> list[object]:
        """The entries of an array of tables; each entry's own type is checked by the caller."""
        value = table.get(key, MISSING)
        if isinstance(value, list) and value:
            return value
        self.add(field_path(prefix, key), f"at least one {header} entry, got {got(value)}")
        return []

    def table(
        self, value: object, field: str, allowed: tuple[str, ...]
    ) -> dict[str, object] | None:
        if isinstance(value, dict):
            self.keys(value, field, allowed)
            return value
        self.add(field, f"a table with keys {', '.join(allowed)}, got {got(value)}")
        return None

    def declared(
        self, document: dict[str, object], key: str, allowed: tuple[str, ...], noun: str
    ) -> list[tuple[str, str]]:
        """The (id, title) of each entry of an array of tables such as [[roles]], each id
        declared once."""
        found: list[tuple[str, str]] = []
        seen: dict[str, str] = {}
        for index, entry in enumerate(self.tables(document, key, "", f"[[{key}]]")):
            prefix = field_path(key, index)
            table = self.table(entry, prefix, allowed)
            if table is None:
                continue
            entry_id = self.ident(table, "id", prefix)
            title = self.text(table, "title", prefix)
            if entry_id is not None and entry_id in seen:
                self.add(
                    field_path(prefix, "id"),
                    f"a {noun} id not already declared, got {entry_id!r} which "
                    f"{seen[entry_id]} already declares",
                )
                continue
            if entry_id is not None:
                seen[entry_id] = prefix
            if entry_id is not None and title is not None:
                found.append((entry_id, title))
        return found

    # -- the playbook -----------------------------------------------------------------------------

    def offset(self, table: dict[str, object], key: str, prefix: str, what: str) -> Offset | None:
        value = table.get(key, MISSING)
        if isinstance(value, str):
            try:
                return Offset.parse(value)
            except DomainError as error:
                if "too far ahead" in str(error):
                    self.add(
                        field_path(prefix, key), f"{what} of at most three years, got {value!r}"
                    )
                    return None
        self.add(
            field_path(prefix, key),
            f"{what}, as a whole number and a unit or an anchor on the school day: {FORMS}, "
            f"got {got(value)}",
        )
        return None
