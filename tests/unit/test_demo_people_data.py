"""The demo's people as people.toml declares them: the stories the brief of the demo asks for,
identities that are plainly made up, and a file mistake said clearly."""

import re
from pathlib import Path

import pytest

from domain.identity import Identity
from service.demo.incidents import INCIDENTS
from service.demo.people import PEOPLE, load_people


def test_the_student_death_has_twelve_students_three_staff_and_the_family():
    death = [p for p in PEOPLE if p.incident == "student-death-jefferson"]
    kinds = [p.kind for p in death]
    assert (kinds.count("student"), kinds.count("staff"), kinds.count("family")) == (12, 3, 1)
    assert {p.incident for p in PEOPLE} <= {i.key for i in INCIDENTS}
    # Each is found again by how they were affected: no two alike on an incident.
    told = [(p.incident, p.how_affected) for p in PEOPLE]
    assert len(set(told)) == len(told)


def test_identities_are_made_up_and_valid():
    for person in PEOPLE:
        identity = Identity.parse(person.identity)
        if person.kind != "family":
            assert re.fullmatch(r"DEMO-[ST]-\d{4,5}", identity.person_id), identity.person_id
        for guardian in identity.guardians:
            assert re.fullmatch(r"555-01\d\d|[a-z.]+@example\.org", guardian.contact)
    assert sum(Identity.parse(p.identity).language == "Spanish" for p in PEOPLE) >= 5


def test_a_mistyped_next_due_is_refused_naming_the_choices(tmp_path: Path):
    bad = tmp_path / "people.toml"
    bad.write_text(
        '[[person]]\nincident = "x"\nkind = "student"\nschool = "s"\nhow_affected = "h"\n'
        'identity = { name = "n" }\ntriage = { tier = 1 }\nnext_due = "tomorrow"\n'
    )
    with pytest.raises(ValueError, match="'tomorrow': expected one of"):
        load_people(bad)
