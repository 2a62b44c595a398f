"""The help page's resources are configuration: the shipped crisis lines (911, 988 and the
Crisis Text Line with their Spanish routes) and counselor line, a district's file over them with
its schools and resources, and every mistake in a file named by file and field."""

from pathlib import Path

import pytest

from service.config import Settings
from service.demo.staff import SCHOOLS, slug
from service.help_requests.resources import ResourcesInvalid, load_resources

DEMO = Path(__file__).resolve().parents[2] / "service" / "demo" / "help_resources.toml"


def hrefs(line) -> list[str]:
    return [way.href for way in line.ways]


def test_the_shipped_crisis_lines_and_their_spanish_routes():
    resources = load_resources()
    emergency, lifeline, text_line = resources.lines
    assert emergency.urgent and hrefs(emergency) == ["tel:911"]
    assert hrefs(lifeline) == ["tel:988", "sms:988", "sms:988?body=AYUDA"]
    assert "press 2" in lifeline.says.in_language("en")
    assert "marque 2" in lifeline.says.in_language("es")
    assert hrefs(text_line) == [
        "sms:741741?body=HOME",
        "sms:741741?body=AYUDA",
        "https://wa.me/14422983263",  # 442-AYUDAME
    ]
    assert [w.language for w in text_line.ways] == ["", "es", "es"]
    assert "442-AYUDAME" in text_line.ways[2].label.in_language("es")
    counselor = resources.counselor
    assert counselor.target("call", "en") == "tel:988"
    assert counselor.target("text", "en") == "sms:988"
    assert counselor.target("text", "es") == "sms:988?body=AYUDA"
    assert resources.schools == () and resources.resources == ()


def test_a_language_a_text_lacks_falls_back_to_english():
    lifeline = load_resources().lines[1]
    assert lifeline.name.in_language("vi") == "988 Suicide & Crisis Lifeline"


def test_the_demo_districts_file_lists_its_schools_and_resources():
    resources = load_resources(DEMO)
    assert [s.name for s in resources.schools] == SCHOOLS
    assert [s.id for s in resources.schools] == [slug(name) for name in SCHOOLS]
    assert len(resources.lines) == 3  # the shipped lines: the demo gives none of its own
    district_wide = {r.kind for r in resources.district_wide()}
    assert {"food", "clinic", "shelter"} <= district_wide
    roosevelt = resources.at_school("roosevelt-high-school")
    assert [r.name.in_language("es") for r in roosevelt] == ["Despensa Rough Riders de Roosevelt"]
    assert all("es" in r.languages and r.hours.in_language("es") for r in resources.resources)


def test_a_district_replaces_the_lines_and_the_counselor_line(tmp_path):
    district = tmp_path / "district.toml"
    district.write_text(
        """
[[lines]]
id = "county"
urgent = true
name = "County crisis team"
says = { en = "Any hour", es = "A cualquier hora" }
ways = [{ href = "tel:+15555550100", label = "Call the county" }]

[counselor]
name = "County line"
says = "Counselors answer"
how = "Call or text"
call = "tel:+15555550100"
text = { en = "sms:+15555550101", es = "sms:+15555550102" }
""",
        encoding="utf-8",
    )
    resources = load_resources(district)
    assert [line.id for line in resources.lines] == ["county"]
    assert resources.lines[0].says.in_language("es") == "A cualquier hora"
    assert resources.counselor.target("text", "es") == "sms:+15555550102"
    assert resources.counselor.target("call", "es") == "tel:+15555550100"


def test_every_mistake_is_named_by_file_and_field(tmp_path):
    district = tmp_path / "district.toml"
    district.write_text(
        """
[[schools]]
id = "lincoln-elementary"
name = "Lincoln Elementary"

[[resources]]
kind = "library"
name = { es = "Solo en español" }
hours = "9-5"
schools = ["hogwarts"]
phone = "555-0100"
colour = "blue"

[counselor]
name = "Line"
says = "Says"
how = "How"
call = "https://example.org"
text = "sms:988"
""",
        encoding="utf-8",
    )
    with pytest.raises(ResourcesInvalid) as refused:
        load_resources(district)
    problems = refused.value.problems
    assert all(p.startswith(f"{district}: ") for p in problems)
    said = "\n".join(problems)
    assert "resources[0].kind: one of food, clinic" in said and "'library'" in said
    assert "resources[0].name: an English text is required" in said
    assert "resources[0].schools: 'hogwarts' is not a school" in said
    assert "lincoln-elementary" in said  # the schools it could have named
    assert "resources[0].phone: a link starting tel:" in said
    assert "resources[0].colour: unknown field" in said
    assert "counselor.call.en: a link starting tel:" in said
    assert len(problems) == 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[resources]\nkind =", "not valid TOML"),
        ("lines = []\n", "lines: at least one crisis line"),
        (
            '[[lines]]\nid = "x"\nname = "X"\nsays = "Y"\nways = []\n',
            r"lines\[0\].ways: at least one",
        ),
    ],
)
def test_a_file_that_cannot_be_used(tmp_path, text, expected):
    district = tmp_path / "district.toml"
    district.write_text(text, encoding="utf-8")
    with pytest.raises(ResourcesInvalid, match=expected) as refused:
        load_resources(district)
    assert str(district) in str(refused.value)


def test_a_missing_file_says_which_and_what_to_do(tmp_path):
    with pytest.raises(ResourcesInvalid, match="STEADY_HELP_RESOURCES") as refused:
        load_resources(tmp_path / "nowhere.toml")
    assert "nowhere.toml: cannot read" in str(refused.value)


def test_the_setting_names_the_districts_file():
    settings = Settings.from_env({"STEADY_HELP_RESOURCES": str(DEMO)})
    assert settings.help_resources == DEMO
    assert Settings.from_env({}).help_resources is None
