"""The shipped library, and how a district's own playbooks add to or override it."""

import re
import tomllib
from pathlib import Path

import pytest

from domain.healing import STAKEHOLDER_GROUPS
from domain.kinds import KINDS
from domain.phase import Phase
from domain.schedule import Offset
from playbooks.directory import check_directory
from playbooks.library import SHIPPED_DIR, Library, UnknownPlaybook
from playbooks.loader import load_playbook
from playbooks.problems import PlaybookInvalid

SHIPPED_IDS = {
    "death-of-student-or-staff",
    "suicide-postvention",
    "self-harm-or-suicide-risk",
    "lockdown-or-threat",
    "evacuation-or-shelter",
    "community-violence-nearby",
    "bullying-or-harassment-report",
    "long-term-recovery-follow-ups",
    "hold-in-place",
    "severe-weather-closure",
}


def shipped_text(playbook_id: str) -> str:
    return (SHIPPED_DIR / f"{playbook_id}.toml").read_text(encoding="utf-8")


def with_version(text: str, version: int) -> str:
    """The playbook's text with its version line replaced, whatever version it ships at."""
    return re.sub(r"^version = \d+$", f"version = {version}", text, count=1, flags=re.MULTILINE)


def district(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "district"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# -- the shipped library --------------------------------------------------------------------------


def test_shipped_library_loads_with_no_problems():
    assert check_directory(SHIPPED_DIR) == []
    library = Library.load()
    assert library.problems == []
    assert library.refused == {}
    assert {playbook.id for playbook in library.all()} == SHIPPED_IDS


def test_shipped_file_names_match_their_ids():
    # The file stem names the id a broken override refuses, so the two must agree.
    for path in SHIPPED_DIR.glob("*.toml"):
        assert load_playbook(path).id == path.stem


def test_shipped_playbooks_are_substantial_and_cover_staff_and_families():
    for playbook in Library.load().all():
        steps = [step for _, step in playbook.steps()]
        # Counted as a team gets them, on one kind of incident; past 30 a playbook wants splitting.
        for kind in playbook.kinds:
            assert 10 <= len(list(playbook.steps_for(kind))) <= 30, (playbook.id, kind)
        stakeholders = {step.stakeholder for step in steps}
        assert {"all-staff", "families-and-communities"} <= stakeholders, playbook.id
        assert stakeholders <= set(STAKEHOLDER_GROUPS)
        assert Phase.RECOVERY in {plan.phase for plan in playbook.phases}, playbook.id
        assert all(playbook.role_title(step.owner) for step in steps)


def test_every_incident_kind_except_other_has_a_playbook():
    library = Library.load()
    for kind in KINDS:
        if kind != "other":
            assert library.for_kind(kind), kind


def test_for_kind_returns_matching_playbooks_sorted_by_title():
    ids = [playbook.id for playbook in Library.load().for_kind("death")]
    assert ids == ["death-of-student-or-staff", "long-term-recovery-follow-ups"]
    assert Library.load().for_kind("no-such-kind") == []


def test_all_is_sorted_by_title():
    titles = [playbook.title for playbook in Library.load().all()]
    assert titles == sorted(titles)


def test_bullying_clocks_count_school_days():
    playbook = Library.load().get("bullying-or-harassment-report")
    due = {step.id: step.due for _, step in playbook.steps()}
    assert due["notify-targeted-family"] == Offset(24, "hours")
    assert due["notify-alleged-family"] == Offset(24, "hours")
    assert due["start-investigation"] == Offset(2, "school days")
    assert due["complete-investigation"] == Offset(10, "school days")


def test_long_term_follow_ups_count_school_days_then_reach_the_first_anniversary():
    playbook = Library.load().get("long-term-recovery-follow-ups")
    due = {step.id: str(step.due) for _, step in playbook.steps()}
    assert due["one-week-check-in"] == "5 school days"
    assert due["one-month-review"] == "20 school days"
    assert due["six-month-review"] == "182 days"
    assert due["anniversary-day"] == "365 days"
    watched = {
        step.id for plan in playbook.phases if plan.phase is Phase.MONITORING for step in plan.steps
    }
    assert {"six-month-review", "anniversary-day", "close-the-year"} <= watched


def test_every_role_a_playbook_declares_owns_one_of_its_steps():
    # A role nobody's steps belong to is a position someone is assigned for nothing.
    for playbook in Library.load().all():
        owners = {step.owner for _, step in playbook.steps()}
        assert {role.id for role in playbook.roles} == owners, playbook.id


def test_a_hold_and_an_overnight_weather_closure_have_playbooks_of_their_own():
    library = Library.load()
    assert [p.id for p in library.for_kind("hold")] == ["hold-in-place"]
    weather = {p.id for p in library.for_kind("severe-weather")}
    assert {"severe-weather-closure", "evacuation-or-shelter"} <= weather
    closure = library.get("severe-weather-closure")
    first = [step.title for _, step in closure.steps()][:3]
    assert not any("Evacuate" in title for title in first)


def test_self_harm_steps_are_owned_by_someone_free_to_record_them():
    # The staff member who found the student stays with them: nothing of theirs is due soon.
    playbook = Library.load().get("self-harm-or-suicide-risk")
    theirs = [step for _, step in playbook.steps() if step.owner == "reporting-staff"]
    assert [str(step.due) for step in theirs] == ["by the end of the school day"]


def test_lockdown_after_action_report_measures_time_to_seal_rooms():
    document = tomllib.loads(shipped_text("lockdown-or-threat"))
    steps = {step["id"] for phase in document["phases"] for step in phase["steps"]}
    measures = {measure["id"]: measure for measure in document["measures"]}
    assert measures["rooms-sealed"]["target"] == "3 minutes"
    assert {measure["to"] for measure in measures.values()} <= steps


def test_get_unknown_id_lists_known_ids():
    with pytest.raises(UnknownPlaybook) as caught:
        Library.load().get("fire-drill")
    assert isinstance(caught.value, LookupError)
    assert "'fire-drill'" in str(caught.value)
    assert "suicide-postvention" in str(caught.value)


# -- district playbooks ---------------------------------------------------------------------------


def test_district_playbook_adds_to_the_library(tmp_path):
    text = shipped_text("death-of-student-or-staff")
    text = text.replace('id = "death-of-student-or-staff"', 'id = "death-of-alumnus"', 1)
    text = text.replace('title = "Death of a student or staff member"', 'title = "Alumni death"', 1)
    library = Library.load(district(tmp_path, {"alumni.toml": text}))
    assert library.problems == []
    assert library.get("death-of-alumnus").title == "Alumni death"
    assert {playbook.id for playbook in library.all()} == SHIPPED_IDS | {"death-of-alumnus"}


def test_district_playbook_overrides_shipped_one_by_id(tmp_path):
    text = with_version(shipped_text("suicide-postvention"), 9)
    text = text.replace('title = "Suicide postvention"', 'title = "Postvention (district)"', 1)
    folder = district(tmp_path, {"our-postvention.toml": text})
    library = Library.load(folder)
    playbook = library.get("suicide-postvention")
    assert (playbook.version, playbook.title) == (9, "Postvention (district)")
    assert playbook.source == str(folder / "our-postvention.toml")
    assert playbook.content_hash != Library.load().get("suicide-postvention").content_hash
    assert len(library.all()) == len(SHIPPED_IDS)


def test_invalid_district_override_refuses_the_id_without_falling_back(tmp_path):
    text = shipped_text("suicide-postvention").replace(
        'owner = "counselor"', 'owner = "councelor"', 1
    )
    library = Library.load(district(tmp_path, {"suicide-postvention.toml": text}))
    with pytest.raises(PlaybookInvalid) as caught:
        library.get("suicide-postvention")
    [problem] = caught.value.problems
    assert problem.file == "suicide-postvention.toml"
    assert problem.field.endswith(".owner")
    assert "got 'councelor'" in problem.expected
    assert library.problems == [problem]
    assert "suicide-postvention" not in {playbook.id for playbook in library.all()}
    assert "suicide-postvention" not in {playbook.id for playbook in library.for_kind("suicide")}
    assert library.get("death-of-student-or-staff").id == "death-of-student-or-staff"


def test_unparseable_district_override_is_refused_by_file_stem(tmp_path):
    files = {"lockdown-or-threat.toml": shipped_text("lockdown-or-threat") + "\nbroken = \n"}
    library = Library.load(district(tmp_path, files))
    with pytest.raises(PlaybookInvalid, match=r"lockdown-or-threat.toml: line \d+, column \d+"):
        library.get("lockdown-or-threat")
    assert [playbook.id for playbook in library.for_kind("lockdown")] == [
        "long-term-recovery-follow-ups"
    ]


def test_invalid_new_district_playbook_is_refused_and_others_still_load(tmp_path):
    text = shipped_text("death-of-student-or-staff")
    text = text.replace('id = "death-of-student-or-staff"', 'id = "new-one"', 1)
    text = with_version(text, 0)
    good = with_version(shipped_text("bullying-or-harassment-report"), 9)
    library = Library.load(district(tmp_path, {"new-one.toml": text, "bullying.toml": good}))
    with pytest.raises(PlaybookInvalid, match=r"new-one\.toml: version: expected"):
        library.get("new-one")
    assert library.get("bullying-or-harassment-report").version == 9
    assert set(library.refused) == {"new-one"}


def test_duplicate_district_ids_refuse_the_id(tmp_path):
    text = with_version(shipped_text("evacuation-or-shelter"), 9)
    library = Library.load(district(tmp_path, {"a.toml": text, "b.toml": text}))
    with pytest.raises(PlaybookInvalid, match=r"b\.toml: id: expected .* which a\.toml also uses"):
        library.get("evacuation-or-shelter")


def test_missing_district_directory_is_a_problem_but_shipped_playbooks_remain(tmp_path):
    library = Library.load(tmp_path / "missing")
    [problem] = library.problems
    assert problem.field == "directory"
    assert {playbook.id for playbook in library.all()} == SHIPPED_IDS
