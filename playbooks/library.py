"""The playbooks a district can open incidents with: shipped ones, plus the district's own."""

from pathlib import Path

from playbooks.directory import load_directory
from playbooks.model import Playbook
from playbooks.problems import PlaybookInvalid, Problem
from playbooks.together import check_together

SHIPPED_DIR = Path(__file__).parent / "library"


class UnknownPlaybook(LookupError):
    """No playbook has that id."""


class Library:
    def __init__(
        self,
        playbooks: dict[str, Playbook],
        refused: dict[str, list[Problem]],
        problems: list[Problem],
    ) -> None:
        self._playbooks = dict(playbooks)
        self._refused = {playbook_id: list(found) for playbook_id, found in refused.items()}
        self._problems = list(problems)

    @classmethod
    def load(cls, district_dir: Path | None = None) -> "Library":
        """Shipped playbooks, then the district's, which add to or override shipped ones by id.

        An invalid district playbook refuses its id outright: a crisis team that edited a playbook
        must never be handed the shipped version silently, nor half of their own.
        """
        shipped = load_directory(SHIPPED_DIR)
        playbooks = dict(shipped.playbooks)
        refused = dict(shipped.refused)
        problems = list(shipped.problems)
        if district_dir is not None:
            district = load_directory(district_dir)
            problems.extend(district.problems)
            for playbook_id, playbook in district.playbooks.items():
                playbooks[playbook_id] = playbook
                refused.pop(playbook_id, None)
            for playbook_id, found in district.refused.items():
                playbooks.pop(playbook_id, None)
                refused[playbook_id] = found
        for playbook_id, found in check_together(playbooks).items():
            del playbooks[playbook_id]
            refused[playbook_id] = found
            problems.extend(found)
        return cls(playbooks, refused, problems)

    def all(self) -> list[Playbook]:
        return sorted(self._playbooks.values(), key=lambda playbook: (playbook.title, playbook.id))

    def get(self, playbook_id: str) -> Playbook:
        if playbook_id in self._refused:
            raise PlaybookInvalid(self._refused[playbook_id], playbook_id)
        try:
            return self._playbooks[playbook_id]
        except KeyError:
            known = ", ".join(sorted(self._playbooks)) or "none"
            raise UnknownPlaybook(
                f"no playbook with id {playbook_id!r}; known ids: {known}"
            ) from None

    def for_kind(self, kind: str) -> list[Playbook]:
        return [playbook for playbook in self.all() if kind in playbook.kinds]

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    @property
    def refused(self) -> dict[str, list[Problem]]:
        """Ids that cannot be used, with the problems that refused them."""
        return {playbook_id: list(found) for playbook_id, found in self._refused.items()}
