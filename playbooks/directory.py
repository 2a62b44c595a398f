"""Read a directory of playbook files: the usable playbooks, the ids refused (an id two files
claim is refused as a whole), and every problem found in any file."""

from dataclasses import dataclass
from pathlib import Path

from playbooks.loader import load_playbook
from playbooks.model import Playbook
from playbooks.problems import PlaybookInvalid, Problem
from playbooks.together import check_together


@dataclass(frozen=True)
class DirectoryLoad:
    """Result of reading a directory: usable playbooks, refused ids, and every problem found."""

    playbooks: dict[str, Playbook]
    refused: dict[str, list[Problem]]  # id -> problems; an id is refused as a whole
    problems: list[Problem]


def load_directory(path: Path) -> DirectoryLoad:
    if not path.is_dir():
        found = "a file" if path.exists() else "nothing at that path"
        problem = Problem(
            str(path), "directory", f"a directory of playbook .toml files, got {found}"
        )
        return DirectoryLoad({}, {}, [problem])
    files = sorted(path.glob("*.toml"))
    if not files:
        problem = Problem(str(path), "directory", "at least one playbook .toml file, found none")
        return DirectoryLoad({}, {}, [problem])

    by_id: dict[str, list[tuple[Path, Playbook | None, list[Problem]]]] = {}
    problems: list[Problem] = []
    for file in files:
        try:
            playbook = load_playbook(file)
        except PlaybookInvalid as invalid:
            claimed = invalid.playbook_id or file.stem
            by_id.setdefault(claimed, []).append((file, None, invalid.problems))
            problems.extend(invalid.problems)
        else:
            by_id.setdefault(playbook.id, []).append((file, playbook, []))

    playbooks: dict[str, Playbook] = {}
    refused: dict[str, list[Problem]] = {}
    for playbook_id, entries in by_id.items():
        first_file = entries[0][0]
        id_problems = [problem for _, _, found in entries for problem in found]
        for later_file, _, _ in entries[1:]:
            # Two files with one id: neither wins, since picking one would hide the other's edits.
            duplicate = Problem(
                later_file.name,
                "id",
                f"an id used by only one file in the directory, got {playbook_id!r} "
                f"which {first_file.name} also uses",
            )
            id_problems.append(duplicate)
            problems.append(duplicate)
        playbook = entries[0][1]
        if id_problems or playbook is None:
            refused[playbook_id] = id_problems
        else:
            playbooks[playbook_id] = playbook
    return DirectoryLoad(playbooks, refused, problems)


def check_directory(path: Path) -> list[Problem]:
    """Every problem in every *.toml file of the directory, plus ids used by more than one file
    and steps the same as a step another playbook of the directory lacks."""
    loaded = load_directory(path)
    together = check_together(loaded.playbooks)
    return loaded.problems + [problem for found in together.values() for problem in found]
