"""What is wrong with a playbook file, said so that the person editing it can fix it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str  # file name (or directory path for directory-level problems)
    field: str  # e.g. "phases[1].steps[0].due", or "line 3, column 5" for TOML syntax errors
    expected: str  # what was expected, and what was found instead

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: expected {self.expected}"


class PlaybookInvalid(Exception):
    """A playbook (or a playbook id) cannot be used; `problems` lists everything found wrong."""

    def __init__(self, problems: list[Problem], playbook_id: str | None = None) -> None:
        self.problems = list(problems)
        # The id the file claims (or its stem when unreadable), so a library can refuse that id.
        self.playbook_id = playbook_id
        super().__init__("\n".join(str(problem) for problem in self.problems))
