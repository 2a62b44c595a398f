"""Playbooks used together: a step that says it is the same as another playbook's step must
name a step that playbook has, or applying both would lay the work out twice."""

from pathlib import Path

from playbooks.model import Playbook
from playbooks.problems import Problem


def check_together(playbooks: dict[str, Playbook]) -> dict[str, list[Problem]]:
    """Problems by the id of the playbook they refuse. A same_as naming a playbook that is not
    loaded here is left alone: that playbook may come from elsewhere (the shipped library for a
    district's directory), and without it there is nothing to lay out twice."""
    found: dict[str, list[Problem]] = {}
    for playbook in playbooks.values():
        for phase_index, plan in enumerate(playbook.phases):
            for step_index, step in enumerate(plan.steps):
                other = playbooks.get(step.same_as.playbook) if step.same_as else None
                if other is None or step.same_as is None or other.step(step.same_as.step):
                    continue
                steps = ", ".join(sorted(s.id for _, s in other.steps()))
                found.setdefault(playbook.id, []).append(
                    Problem(
                        Path(playbook.source).name,
                        f"phases[{phase_index}].steps[{step_index}].same_as",
                        f"a step of {other.id} (one of {steps}), got '{step.same_as}'",
                    )
                )
    return found
