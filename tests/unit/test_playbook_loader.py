"""Loading and validating playbook files: every rule has a broken file that names file and field."""

from pathlib import Path

import pytest

from domain.phase import Phase
from domain.schedule import Offset
from playbooks.directory import check_directory
from playbooks.loader import load_playbook
from playbooks.problems import PlaybookInvalid, Problem

VALID = """\
id = "test-playbook"
title = "Test playbook"
version = 1
kinds = ["death", "suicide"]
summary = "A small playbook for tests."

[[roles]]
id = "crisis-lead"
title = "Crisis team lead"

[[roles]]
id = "family-liaison"
title = "Family liaison"

[[phases]]
phase = "response"
goal = "Respond."

[[phases.steps]]
id = "verify-facts"
title = "Verify the facts"
instructions = "Confirm what happened with an authoritative source."
owner = "crisis-lead"
due = "1 hour"
stakeholder = "schools-and-staff"
component = "crisis-support"

[[phases.steps]]
id = "staff-debrief"
title = "Debrief staff"
instructions = "Meet staff after students leave."
owner = "crisis-lead"
due = "1 day"
stakeholder = "all-staff"
component = "crisis-support"

[[phases]]
phase = "recovery"
goal = "Recover."

[[phases.steps]]
id = "family-call"
title = "Call the family"
instructions = "Call the family and ask how they are."
owner = "family-liaison"
due = "30 days"
stakeholder = "families-and-communities"
component = "crisis-support"
"""


def write(tmp_path: Path, text: str, name: str = "test.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"test setup: {old!r} must occur exactly once"
    return text.replace(old, new)


def problems_in(tmp_path: Path, text: str) -> list[Problem]:
    with pytest.raises(PlaybookInvalid) as caught:
        load_playbook(write(tmp_path, text))
    return caught.value.problems


def the_problem(problems: list[Problem], field: str) -> Problem:
    matching = [problem for problem in problems if problem.field == field]
    assert len(matching) == 1, f"expected one problem at {field}, got {problems}"
    assert matching[0].file == "test.toml"
    return matching[0]


# -- a valid file ---------------------------------------------------------------------------------


def test_valid_playbook_loads_into_the_model(tmp_path):
    path = write(tmp_path, VALID)
    playbook = load_playbook(path)
    assert playbook.id == "test-playbook"
    assert playbook.version == 1
    assert playbook.kinds == ("death", "suicide")
    assert [role.id for role in playbook.roles] == ["crisis-lead", "family-liaison"]
    assert [plan.phase for plan in playbook.phases] == [Phase.RESPONSE, Phase.RECOVERY]
    pairs = [(plan.phase, step.id) for plan, step in playbook.steps()]
    assert pairs == [
        (Phase.RESPONSE, "verify-facts"),
        (Phase.RESPONSE, "staff-debrief"),
        (Phase.RECOVERY, "family-call"),
    ]
    first = playbook.phases[0].steps[0]
    assert first.due == Offset(1, "hours")
    assert first.stakeholder == "schools-and-staff"
    assert first.component == "crisis-support"
    assert playbook.source == str(path)
    assert playbook.content_hash.startswith("sha256:") and len(playbook.content_hash) == 7 + 64


def test_role_title_resolves_declared_roles_and_refuses_others(tmp_path):
    playbook = load_playbook(write(tmp_path, VALID))
    assert playbook.role_title("family-liaison") == "Family liaison"
    with pytest.raises(LookupError, match="crisis-lead, family-liaison"):
        playbook.role_title("janitor")


def test_problem_is_one_line_naming_file_field_and_expectation():
    problem = Problem("death.toml", "phases[0].steps[2].owner", "one of the roles, got 'princpal'")
    assert (
        str(problem)
        == "death.toml: phases[0].steps[2].owner: expected one of the roles, got 'princpal'"
    )


def test_all_problems_in_a_file_are_reported_not_just_the_first(tmp_path):
    text = edit(VALID, "version = 1", "version = 0")
    text = edit(text, 'owner = "family-liaison"', 'owner = "princpal"')
    text = edit(text, 'due = "1 hour"', 'due = "soon"')
    with pytest.raises(PlaybookInvalid) as caught:
        load_playbook(write(tmp_path, text))
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["version", "phases[0].steps[0].due", "phases[1].steps[0].owner"]
    assert str(caught.value).splitlines() == [str(problem) for problem in caught.value.problems]
    assert caught.value.playbook_id == "test-playbook"


# -- one broken file per rule ----------------------------------------------------------------------


def test_missing_field(tmp_path):
    text = edit(VALID, 'title = "Test playbook"\n', "")
    text = edit(text, 'instructions = "Meet staff after students leave."\n', "")
    problems = problems_in(tmp_path, text)
    assert (
        "a non-empty string, got nothing (the key is missing)"
        in the_problem(problems, "title").expected
    )
    assert "missing" in the_problem(problems, "phases[0].steps[1].instructions").expected


def test_missing_phases_and_roles(tmp_path):
    text = VALID.split("[[roles]]")[0]
    problems = problems_in(tmp_path, text)
    assert "at least one [[roles]] entry" in the_problem(problems, "roles").expected
    assert "at least one [[phases]] entry" in the_problem(problems, "phases").expected


def test_wrong_type(tmp_path):
    text = edit(VALID, 'title = "Test playbook"', "title = 5")
    text = edit(text, 'kinds = ["death", "suicide"]', 'kinds = "death"')
    text = edit(text, 'goal = "Respond."', "goal = true")
    problems = problems_in(tmp_path, text)
    assert the_problem(problems, "title").expected == "a non-empty string, got the integer 5"
    assert "an array of at least one incident kind, got 'death'" in (
        the_problem(problems, "kinds").expected
    )
    assert "got the boolean true" in the_problem(problems, "phases[0].goal").expected


def test_empty_string_is_not_a_value(tmp_path):
    problems = problems_in(tmp_path, edit(VALID, 'goal = "Recover."', 'goal = "   "'))
    assert "got an empty string" in the_problem(problems, "phases[1].goal").expected


def test_unknown_key(tmp_path):
    text = edit(VALID, 'due = "1 day"', 'due = "1 day"\ninstructons = "typo"')
    text = edit(text, "version = 1", 'version = 1\nauthor = "someone"')
    problems = problems_in(tmp_path, text)
    step = the_problem(problems, "phases[0].steps[1].instructons")
    assert "one of the known keys (id, title, instructions" in step.expected
    assert "got unknown key 'instructons'" in step.expected
    assert "got unknown key 'author'" in the_problem(problems, "author").expected


def test_entry_that_is_not_a_table(tmp_path):
    text = edit(VALID, 'id = "test-playbook"', 'id = "test-playbook"\nroles = ["crisis-lead"]')
    text = text.replace("[[roles]]", "[[other]]")
    problems = problems_in(tmp_path, text)
    assert "a table with keys id, title, got 'crisis-lead'" in (
        the_problem(problems, "roles[0]").expected
    )


def test_bad_id_pattern(tmp_path):
    text = edit(VALID, 'id = "test-playbook"', 'id = "Test Playbook"')
    text = edit(text, 'id = "staff-debrief"', 'id = "staff_debrief"')
    problems = problems_in(tmp_path, text)
    assert "an id of lowercase letters, digits and single hyphens" in (
        the_problem(problems, "id").expected
    )
    assert "got 'Test Playbook'" in the_problem(problems, "id").expected
    assert "got 'staff_debrief'" in the_problem(problems, "phases[0].steps[1].id").expected


def test_invalid_id_falls_back_to_file_stem_for_refusal(tmp_path):
    with pytest.raises(PlaybookInvalid) as caught:
        load_playbook(write(tmp_path, edit(VALID, 'id = "test-playbook"', "id = 7")))
    assert caught.value.playbook_id == "test"


@pytest.mark.parametrize(
    ("value", "got"),
    [
        ("0", "the integer 0"),
        ("-2", "the integer -2"),
        ('"1"', "'1'"),
        ("true", "the boolean true"),
    ],
)
def test_version_must_be_a_whole_number_of_at_least_one(tmp_path, value, got):
    problems = problems_in(tmp_path, edit(VALID, "version = 1", f"version = {value}"))
    assert the_problem(problems, "version").expected == f"a whole number of at least 1, got {got}"


def test_unknown_kind(tmp_path):
    problems = problems_in(tmp_path, edit(VALID, '"death", "suicide"', '"death", "deaht"'))
    problem = the_problem(problems, "kinds[1]")
    assert problem.expected.startswith("one of the incident kinds (death, suicide, self-harm-risk")
    assert problem.expected.endswith("got 'deaht'")


def test_empty_and_repeated_kinds(tmp_path):
    problems = problems_in(tmp_path, edit(VALID, '["death", "suicide"]', "[]"))
    assert "at least one incident kind" in the_problem(problems, "kinds").expected
    problems = problems_in(tmp_path, edit(VALID, '["death", "suicide"]', '["death", "death"]'))
    assert "each kind listed once" in the_problem(problems, "kinds[1]").expected


def test_unknown_phase(tmp_path):
    problems = problems_in(tmp_path, edit(VALID, 'phase = "response"', 'phase = "respnse"'))
    assert the_problem(problems, "phases[0].phase").expected == (
        "one of response, stabilization, recovery, monitoring, got 'respnse'"
    )


def test_duplicate_phase(tmp_path):
    problems = problems_in(tmp_path, edit(VALID, 'phase = "recovery"', 'phase = "response"'))
    problem = the_problem(problems, "phases[1].phase")
    assert problem.expected == (
        "each phase at most once, got 'response' which phases[0] already declares"
    )


def test_phases_out_of_order(tmp_path):
    text = edit(VALID, 'phase = "response"', 'phase = "PLACEHOLDER"')
    text = edit(text, 'phase = "recovery"', 'phase = "response"')
    text = edit(text, 'phase = "PLACEHOLDER"', 'phase = "recovery"')
    problems = problems_in(tmp_path, text)
    assert the_problem(problems, "phases[1].phase").expected == (
        "phases in the order response, stabilization, recovery, monitoring, "
        "got 'response' after 'recovery'"
    )


def test_owner_must_be_a_declared_role(tmp_path):
    problems = problems_in(tmp_path, edit(VALID, 'owner = "family-liaison"', 'owner = "princpal"'))
    problem = the_problem(problems, "phases[1].steps[0].owner")
    assert problem.expected == (
        "one of the roles declared in [[roles]] (crisis-lead, family-liaison), got 'princpal'"
    )
    assert str(problem) == (
        "test.toml: phases[1].steps[0].owner: expected one of the roles declared in [[roles]] "
        "(crisis-lead, family-liaison), got 'princpal'"
    )


def test_duplicate_role_id(tmp_path):
    problems = problems_in(tmp_path, edit(VALID, 'id = "family-liaison"', 'id = "crisis-lead"'))
    assert the_problem(problems, "roles[1].id").expected == (
        "a role id not already declared, got 'crisis-lead' which roles[0] already declares"
    )


def test_duplicate_step_id(tmp_path):
    problems = problems_in(tmp_path, edit(VALID, 'id = "family-call"', 'id = "verify-facts"'))
    assert the_problem(problems, "phases[1].steps[0].id").expected == (
        "a step id unique within the playbook, got 'verify-facts' "
        "which phases[0].steps[0] already uses"
    )


@pytest.mark.parametrize(
    ("value", "got"),
    [('"1 fortnight"', "'1 fortnight'"), ("5", "the integer 5"), ('"-1 day"', "'-1 day'")],
)
def test_bad_due_offset(tmp_path, value, got):
    problems = problems_in(tmp_path, edit(VALID, 'due = "30 days"', f"due = {value}"))
    problem = the_problem(problems, "phases[1].steps[0].due")
    assert "'30 minutes', '4 hours', '7 days', '10 school days', 'before school starts'" in (
        problem.expected
    )
    assert problem.expected.endswith(f"got {got}")


def test_due_offsets_accept_every_unit(tmp_path):
    text = edit(VALID, 'due = "30 days"', 'due = "10 school days"')
    text = edit(text, 'due = "1 day"', 'due = "45 minutes"')
    playbook = load_playbook(write(tmp_path, text))
    dues = [step.due for _, step in playbook.steps()]
    assert dues == [Offset(1, "hours"), Offset(45, "minutes"), Offset(10, "school days")]


def test_unknown_stakeholder(tmp_path):
    text = edit(VALID, 'stakeholder = "schools-and-staff"', 'stakeholder = "parents"')
    problem = the_problem(problems_in(tmp_path, text), "phases[0].steps[0].stakeholder")
    assert problem.expected == (
        "one of the stakeholder groups (schools-and-staff, all-staff, families-and-communities, "
        "students), got 'parents'"
    )


def test_unknown_component(tmp_path):
    text = edit(
        VALID, 'component = "crisis-support"\n\n[[phases]]', 'component = "x"\n\n[[phases]]'
    )
    problem = the_problem(problems_in(tmp_path, text), "phases[0].steps[1].component")
    assert problem.expected.startswith("one of the components (education-and-awareness,")
    assert problem.expected.endswith("got 'x'")


def test_phase_without_steps(tmp_path):
    text = edit(
        VALID,
        '[[phases]]\nphase = "recovery"',
        '[[phases]]\nphase = "stabilization"\ngoal = "Settle."\n\n[[phases]]\nphase = "recovery"',
    )
    problem = the_problem(problems_in(tmp_path, text), "phases[1].steps")
    assert (
        problem.expected == "at least one [[phases.steps]] entry, got nothing (the key is missing)"
    )


def test_phase_with_empty_steps_array(tmp_path):
    text = edit(VALID, 'goal = "Recover."\n', 'goal = "Recover."\nsteps = []\n')
    text = text.split("steps = []\n")[0] + "steps = []\n"
    problems = problems_in(tmp_path, text)
    assert "got an array of 0 item(s)" in the_problem(problems, "phases[1].steps").expected


def test_missing_staff_wellbeing_step(tmp_path):
    text = edit(VALID, 'stakeholder = "all-staff"', 'stakeholder = "schools-and-staff"')
    problem = the_problem(problems_in(tmp_path, text), "phases")
    assert problem.expected.startswith("at least one step with stakeholder 'all-staff'")
    assert "staff wellbeing" in problem.expected
    assert problem.expected.endswith("found none")


def test_missing_family_step(tmp_path):
    text = edit(VALID, 'stakeholder = "families-and-communities"', 'stakeholder = "students"')
    problem = the_problem(problems_in(tmp_path, text), "phases")
    assert problem.expected.startswith(
        "at least one step with stakeholder 'families-and-communities' (family contact)"
    )


def test_toml_syntax_error_reports_line_and_column(tmp_path):
    problems = problems_in(tmp_path, edit(VALID, "version = 1", "version = "))
    assert problems == [
        Problem(
            "test.toml", "line 3, column 11", "valid TOML syntax; the parser says: Invalid value"
        )
    ]


def test_toml_error_at_end_of_document(tmp_path):
    problems = problems_in(tmp_path, VALID + 'note = """never closed\n')
    assert [problem.field for problem in problems] == ["end of document"]
    assert problems[0].expected.startswith("valid TOML syntax")


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "test.toml"
    path.write_bytes(b'id = "caf\xe9"\n')
    with pytest.raises(PlaybookInvalid) as caught:
        load_playbook(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.field) == ("test.toml", "file")
    assert problem.expected.startswith("a readable UTF-8 text file")


# -- content hash ---------------------------------------------------------------------------------

REFORMATTED = """\
# Same content: comments, key order, spacing, string style and wrapping differ.
title   =   'Test playbook'
id = "test-playbook"
kinds = [
    "death",
    "suicide",
]
version = 1
summary = \"\"\"A small \\
playbook for tests.\"\"\"

[[roles]]
title = "Crisis team lead"
id = "crisis-lead"

[[roles]]
id = "family-liaison"
title = "Family liaison"

[[phases]]
goal = "Respond."
phase = "response"
steps = [
  { id = "verify-facts", title = "Verify the facts", owner = "crisis-lead", due = "1 hour", \
instructions = "Confirm what happened with an authoritative source.", \
stakeholder = "schools-and-staff", component = "crisis-support" },
  { id = "staff-debrief", title = "Debrief staff", \
instructions = "Meet staff after students leave.", owner = "crisis-lead", due = "1 day", \
stakeholder = "all-staff", component = "crisis-support" },
]

[[phases]]
phase = "recovery"
goal = "Recover."

    [[phases.steps]]
    id = "family-call"
    title = "Call the family"
    instructions = "Call the family and ask how they are."
    owner = "family-liaison"
    due = "30 days"
    stakeholder = "families-and-communities"
    component = "crisis-support"
"""


def test_content_hash_is_stable_across_reformatting(tmp_path):
    original = load_playbook(write(tmp_path, VALID, "a.toml"))
    reformatted = load_playbook(write(tmp_path, REFORMATTED, "b.toml"))
    assert reformatted.content_hash == original.content_hash
    assert reformatted.phases == original.phases


def test_content_hash_changes_when_a_step_changes(tmp_path):
    original = load_playbook(write(tmp_path, VALID, "a.toml"))
    changed_text = edit(VALID, 'due = "30 days"', 'due = "31 days"')
    changed = load_playbook(write(tmp_path, changed_text, "b.toml"))
    assert changed.content_hash != original.content_hash
    reworded_text = edit(VALID, "ask how they are.", "ask how they are!")
    reworded = load_playbook(write(tmp_path, reworded_text, "c.toml"))
    assert reworded.content_hash not in {original.content_hash, changed.content_hash}


# -- directories ----------------------------------------------------------------------------------


def test_check_directory_of_valid_files_has_no_problems(tmp_path):
    write(tmp_path, VALID, "one.toml")
    write(tmp_path, edit(VALID, 'id = "test-playbook"', 'id = "other"'), "two.toml")
    (tmp_path / "notes.md").write_text("not a playbook")
    assert check_directory(tmp_path) == []


def test_check_directory_reports_problems_from_every_file(tmp_path):
    write(tmp_path, edit(VALID, "version = 1", "version = 0"), "a.toml")
    write(tmp_path, edit(VALID, 'id = "test-playbook"', 'id = "b-book"\nextra = 1'), "b.toml")
    problems = check_directory(tmp_path)
    assert [(problem.file, problem.field) for problem in problems] == [
        ("a.toml", "version"),
        ("b.toml", "extra"),
    ]


def test_duplicate_ids_across_files(tmp_path):
    write(tmp_path, VALID, "first.toml")
    write(tmp_path, VALID, "second.toml")
    [problem] = check_directory(tmp_path)
    assert (problem.file, problem.field) == ("second.toml", "id")
    assert problem.expected == (
        "an id used by only one file in the directory, got 'test-playbook' "
        "which first.toml also uses"
    )


def test_missing_directory_is_a_problem(tmp_path):
    [problem] = check_directory(tmp_path / "nowhere")
    assert (problem.file, problem.field) == (str(tmp_path / "nowhere"), "directory")
    assert problem.expected == "a directory of playbook .toml files, got nothing at that path"


def test_directory_without_toml_files_is_a_problem(tmp_path):
    (tmp_path / "readme.txt").write_text("empty")
    [problem] = check_directory(tmp_path)
    assert (problem.file, problem.field) == (str(tmp_path), "directory")
    assert problem.expected == "at least one playbook .toml file, found none"


# -- school-day anchors, milestones, playbooks used together, measures ---------------------------


def test_due_accepts_anchors_on_the_school_day(tmp_path):
    text = edit(VALID, 'due = "1 day"', 'due = "next school morning"')
    text = edit(text, 'due = "30 days"', 'due = "2 school days, by the end of the school day"')
    dues = [str(step.due) for _, step in load_playbook(write(tmp_path, text)).steps()]
    assert dues == ["1 hour", "next school morning", "2 school days, by the end of the school day"]


TOGETHER = edit(
    VALID,
    'summary = "A small playbook for tests."\n',
    'summary = "A small playbook for tests."\nused_with = ["long-term-recovery-follow-ups"]\n\n'
    '[[milestones]]\nid = "discharge"\ntitle = "Student discharged from hospital or care"\n\n'
    '[[measures]]\nid = "facts-verified"\ntitle = "Time to verify the facts"\n'
    'to = "verify-facts"\ntarget = "45 minutes"\n\n'
    '[[measures]]\nid = "debrief-to-call"\ntitle = "Debrief to family call"\n'
    'from = "staff-debrief"\nto = "family-call"\n',
)
TOGETHER = edit(
    TOGETHER,
    'due = "30 days"\n',
    'due = "2 school days"\nfrom = "discharge"\n'
    'same_as = "long-term-recovery-follow-ups:first-day-back"\n',
)


def test_milestones_used_with_same_as_and_measures_load_into_the_model(tmp_path):
    playbook = load_playbook(write(tmp_path, TOGETHER))
    assert playbook.used_with == ("long-term-recovery-follow-ups",)
    assert [(m.id, m.title) for m in playbook.milestones] == [
        ("discharge", "Student discharged from hospital or care")
    ]
    call = playbook.step("family-call")
    assert call is not None and call.milestone == "discharge"
    assert str(call.same_as) == "long-term-recovery-follow-ups:first-day-back"
    first, second = playbook.measures
    assert (first.start, first.to, str(first.target)) == ("incident", "verify-facts", "45 minutes")
    assert (second.start, second.to, second.target) == ("staff-debrief", "family-call", None)


def test_a_step_from_an_undeclared_milestone_names_the_ones_declared(tmp_path):
    problems = problems_in(tmp_path, edit(TOGETHER, 'from = "discharge"', 'from = "dischrage"'))
    assert the_problem(problems, "phases[1].steps[0].from").expected == (
        "one of the milestones declared in [[milestones]] (discharge), got 'dischrage'"
    )


def test_same_as_must_name_a_step_of_a_playbook_in_used_with(tmp_path):
    text = edit(TOGETHER, '"long-term-recovery-follow-ups:', '"suicide-postvention:')
    problem = the_problem(problems_in(tmp_path, text), "phases[1].steps[0].same_as")
    assert "add 'suicide-postvention' to used_with" in problem.expected
    text = edit(TOGETHER, 'ups:first-day-back"', 'ups"')
    problem = the_problem(problems_in(tmp_path, text), "phases[1].steps[0].same_as")
    assert problem.expected.startswith("another playbook's step as 'playbook-id:step-id'")


def test_used_with_lists_other_playbooks_once(tmp_path):
    text = edit(
        TOGETHER,
        'used_with = ["long-term-recovery-follow-ups"]',
        'used_with = ["test-playbook", "long-term-recovery-follow-ups", "Bad Id"]',
    )
    problems = problems_in(tmp_path, text)
    assert "this playbook's own id" in the_problem(problems, "used_with[0]").expected
    assert the_problem(problems, "used_with[2]").expected.startswith("a playbook id of lowercase")


def test_a_measure_names_steps_of_its_own_playbook_and_a_readable_target(tmp_path):
    text = edit(TOGETHER, 'to = "verify-facts"', 'to = "verify-fact"')
    text = edit(text, 'target = "45 minutes"', 'target = "soon"')
    text = edit(text, 'from = "staff-debrief"', 'from = "occurred"')
    problems = problems_in(tmp_path, text)
    assert the_problem(problems, "measures[0].to").expected == (
        "the id of the step whose task being done ends it "
        "(family-call, staff-debrief, verify-facts), got 'verify-fact'"
    )
    assert the_problem(problems, "measures[0].target").expected.startswith("a target duration")
    assert the_problem(problems, "measures[1].from").expected.startswith("'incident' (when it")


def test_a_same_as_naming_a_step_the_other_playbook_lacks_refuses_the_playbook(tmp_path):
    other = edit(VALID, 'id = "test-playbook"', 'id = "long-term-recovery-follow-ups"')
    write(tmp_path, other, "other.toml")
    write(tmp_path, TOGETHER)
    problems = check_directory(tmp_path)
    assert [str(p) for p in problems] == [
        "test.toml: phases[1].steps[0].same_as: expected a step of "
        "long-term-recovery-follow-ups (one of family-call, staff-debrief, verify-facts), "
        "got 'long-term-recovery-follow-ups:first-day-back'"
    ]
    fixed = edit(TOGETHER, ":first-day-back", ":family-call")
    write(tmp_path, fixed)
    assert check_directory(tmp_path) == []


# -- a step's kinds -------------------------------------------------------------------------------

FAMILY_STEP = 'stakeholder = "families-and-communities"\n'
KIND_SUICIDE = 'kinds = ["suicide"]\n'


def test_a_step_may_name_the_kinds_it_is_for(tmp_path):
    first_step = 'stakeholder = "schools-and-staff"\n'
    playbook = load_playbook(write(tmp_path, edit(VALID, first_step, first_step + KIND_SUICIDE)))
    verify, debrief, _ = (step for _, step in playbook.steps())
    assert (verify.kinds, debrief.kinds) == (("suicide",), ())
    assert [step.id for _, step in playbook.steps_for("death")] == ["staff-debrief", "family-call"]
    assert len(list(playbook.steps_for("suicide"))) == 3


def test_a_step_kind_must_be_a_known_incident_kind(tmp_path):
    text = edit(VALID, FAMILY_STEP, FAMILY_STEP + 'kinds = ["death", "deaht"]\n')
    problem = the_problem(problems_in(tmp_path, text), "phases[1].steps[0].kinds[1]")
    assert problem.expected.startswith("one of the incident kinds (death, suicide, self-harm-risk")
    assert problem.expected.endswith("got 'deaht'")


def test_a_step_kind_must_be_one_the_playbook_is_for(tmp_path):
    text = edit(VALID, FAMILY_STEP, FAMILY_STEP + 'kinds = ["threat"]\n')
    problem = the_problem(problems_in(tmp_path, text), "phases[1].steps[0].kinds[0]")
    assert problem.expected == (
        "one of the kinds this playbook is for (death, suicide): add 'threat' to the top-level "
        "kinds, or take it out of this step's kinds, got 'threat'"
    )


@pytest.mark.parametrize("value, got", [("[]", "an array of 0 item(s)"), ('"death"', "'death'")])
def test_a_step_kinds_is_a_non_empty_array(tmp_path, value, got):
    text = edit(VALID, FAMILY_STEP, FAMILY_STEP + f"kinds = {value}\n")
    problem = the_problem(problems_in(tmp_path, text), "phases[1].steps[0].kinds")
    assert problem.expected.endswith(f"got {got}")
    assert "or no kinds key for a step every incident gets" in problem.expected


def test_a_step_kind_listed_twice(tmp_path):
    text = edit(VALID, FAMILY_STEP, FAMILY_STEP + 'kinds = ["death", "death"]\n')
    problem = the_problem(problems_in(tmp_path, text), "phases[1].steps[0].kinds[1]")
    assert "each kind listed once" in problem.expected


def test_every_kind_keeps_its_family_step(tmp_path):
    # The rules across the playbook hold for each kind of incident, not for the file as a whole.
    text = edit(VALID, FAMILY_STEP, FAMILY_STEP + 'kinds = ["death"]\n')
    problem = the_problem(problems_in(tmp_path, text), "phases")
    assert problem.expected == (
        "at least one step with stakeholder 'families-and-communities' (family contact) for "
        "incidents of kind 'suicide', found only steps whose kinds leave it out"
    )
