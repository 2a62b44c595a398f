"""A playbook's [[follow_ups]]: read into the plan per tier, and every mistake reported as
`file: field: expected ...`, by the loader and by `steady playbooks check`."""

from playbooks.library import Library
from playbooks.loader import load_playbook
from service.cli.main import main
from tests.unit.test_playbook_loader import VALID, problems_in, write

PLAN = """
[[follow_ups]]
tier = 2
title = "Targeted"
check_ins = [
    { label = "Weekly check-in", every = "week", times = 2 },
    { label = "One-month check-in", at = "1 month" },
]
milestones = ["first-day-back"]
"""


def test_a_plan_loads_with_its_tiers(tmp_path):
    playbook = load_playbook(write(tmp_path, VALID + PLAN))
    assert playbook.follow_ups is not None
    tier = playbook.follow_ups.for_tier(2)
    assert tier is not None and [c.label for c in tier.check_ins] == [
        "Weekly check-in",
        "One-month check-in",
    ]
    assert playbook.follow_ups.for_tier(3) is None
    assert load_playbook(write(tmp_path, VALID)).follow_ups is None


def test_mistakes_name_the_file_the_field_and_what_was_expected(tmp_path):
    text = VALID + PLAN.replace("times = 2", "times = 0").replace(
        '"first-day-back"', '"prom-night"'
    )
    shown = [str(p) for p in problems_in(tmp_path, text)]
    assert shown == [
        "test.toml: follow_ups[0].check_ins[0].times: expected a whole number from 1 to 52, "
        "got the integer 0",
        "test.toml: follow_ups[0].milestones[0]: expected one of the milestones (re-entry, "
        "first-day-back, six-months, next-school-year, birthday, graduation, anniversary), "
        "got 'prom-night'",
    ]


def test_steady_playbooks_check_reports_them(tmp_path, capsys):
    write(tmp_path, VALID + PLAN.replace("tier = 2", "tier = 4"))
    assert main(["playbooks", "check", str(tmp_path)]) != 0
    said = capsys.readouterr()
    assert (
        "test.toml: follow_ups[0].tier: expected 1 (universal), 2 (targeted) or 3 (intensive), "
        "got the integer 4"
    ) in said.out + said.err


def test_the_shipped_playbooks_after_a_loss_declare_every_tier():
    library = Library.load()
    for playbook_id in (
        "death-of-student-or-staff",
        "suicide-postvention",
        "community-violence-nearby",
        "long-term-recovery-follow-ups",
    ):
        plan = library.get(playbook_id).follow_ups
        assert plan is not None and [t.tier for t in plan.tiers] == [1, 2, 3], playbook_id
