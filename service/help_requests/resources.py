"""The help page's crisis lines, counselor line, schools and community resources: configuration,
not code. Steady ships national defaults (resources.toml beside this module); a district's file
(STEADY_HELP_RESOURCES) may replace the lines or the counselor line and adds its schools and its
resources (food pantries, clinics, shelters, with hours and languages), district-wide or per
school. Text is given per language, `{ en = "...", es = "..." }` (or one string, for every
language); English is required and stands in for a language a text lacks.

A file that is wrong stops Steady at start-up with every problem found, each naming the file
and the field (as playbooks do), so the person editing it can fix them all at once."""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.config import ConfigError

SHIPPED = Path(__file__).with_name("resources.toml")
SOURCE_LANGUAGE = "en"
LINK_SCHEMES = ("tel:", "sms:", "https://", "http://")
# The kinds of community resource the page groups by (its words for them are the web's).
KINDS = ("food", "clinic", "shelter", "counseling", "transport", "clothing", "other")


class ResourcesInvalid(ConfigError):
    """The help resources cannot be used; `problems` lists everything found wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Text:
    """A text in each language it is given in."""

    by_language: Mapping[str, str]

    def in_language(self, language: str) -> str:
        return self.by_language.get(language) or self.by_language[SOURCE_LANGUAGE]


@dataclass(frozen=True)
class Way:
    """One way to reach a line: a link (tel:, sms:, https:) and what its button says."""

    href: str
    label: Text
    language: str = ""  # the language this way answers in ("es": a Spanish route); "" any


@dataclass(frozen=True)
class Line:
    id: str
    name: Text
    says: Text
    ways: tuple[Way, ...]
    urgent: bool = False  # 911: drawn first and strongest


@dataclass(frozen=True)
class Counselor:
    """Where "a trained counselor now" hands off to, per language."""

    name: Text
    says: Text
    how: Text
    call: Text  # tel: URLs
    text: Text  # sms: URLs

    def target(self, channel: str, language: str) -> str:
        return (self.call if channel == "call" else self.text).in_language(language)


@dataclass(frozen=True)
class School:
    id: str  # the slug incidents use, e.g. roosevelt-high-school
    name: str


@dataclass(frozen=True)
class Resource:
    name: Text
    kind: str
    about: Text
    hours: Text
    languages: tuple[str, ...]  # the languages spoken there
    schools: tuple[str, ...] = ()  # the schools it is for (ids); none: the whole district
    phone: str = ""  # a tel: link
    address: str = ""
    website: str = ""


@dataclass(frozen=True)
class HelpResources:
    lines: tuple[Line, ...]
    counselor: Counselor
    schools: tuple[School, ...] = ()
    resources: tuple[Resource, ...] = field(default=())

    def school(self, school_id: str) -> School | None:
        return next((s for s in self.schools if s.id == school_id), None)

    def district_wide(self) -> list[Resource]:
        return [r for r in self.resources if not r.schools]

    def at_school(self, school_id: str) -> list[Resource]:
        return [r for r in self.resources if school_id in r.schools]


def load_resources(district_file: Path | None = None) -> HelpResources:
    """The shipped defaults, with the district's file (if any) over them."""
    shipped = _Reader(SHIPPED, _read_toml(SHIPPED))
    lines = shipped.lines()
    counselor = shipped.counselor()
    schools: tuple[School, ...] = ()
    resources: tuple[Resource, ...] = ()
    problems = shipped.problems
    if district_file is not None:
        district = _Reader(district_file, _read_toml(district_file))
        if "lines" in district.data:
            lines = district.lines()
        if "counselor" in district.data:
            counselor = district.counselor()
        schools = district.schools()
        resources = district.resources({s.id for s in schools})
        district.unknown_keys({"lines", "counselor", "schools", "resources"})
        problems = problems + district.problems
    if problems:
        raise ResourcesInvalid(problems)
    assert counselor is not None
    return HelpResources(lines, counselor, schools, resources)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as source:
            return tomllib.load(source)
    except OSError as error:
        raise ResourcesInvalid(
            [
                f"{path}: cannot read the help resources file ({error.strerror}); set "
                "STEADY_HELP_RESOURCES to a TOML file that exists, or leave it unset for the "
                "shipped crisis lines only"
            ]
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ResourcesInvalid([f"{path}: not valid TOML: {error}"]) from None


class _Reader:
    """Reads one file's tables, noting each problem with the field it is in."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.problems: list[str] = []

    def problem(self, where: str, expected: str) -> None:
        self.problems.append(f"{self.path}: {where}: {expected}")

    def unknown_keys(
        self, known: set[str], table: Mapping[str, Any] | None = None, where: str = ""
    ) -> None:
        for key in table if table is not None else self.data:
            if key not in known:
                place = f"{where}.{key}" if where else key
                self.problem(place, f"unknown field; expected one of {', '.join(sorted(known))}")

    def text(
        self, table: Mapping[str, Any], key: str, where: str, *, required: bool = True
    ) -> Text:
        value = table.get(key)
        place = f"{where}.{key}"
        if value is None and not required:
            return Text({SOURCE_LANGUAGE: ""})
        if isinstance(value, str) and value.strip():
            return Text({SOURCE_LANGUAGE: value.strip()})
        if isinstance(value, dict):
            texts = {str(k): v.strip() for k, v in value.items() if isinstance(v, str)}
            if len(texts) != len(value) or any(not v for v in texts.values()):
                self.problem(place, "every language's text must be a non-empty string")
            elif SOURCE_LANGUAGE not in texts:
                self.problem(place, 'an English text is required: { en = "...", es = "..." }')
            else:
                return Text(texts)
            return Text({SOURCE_LANGUAGE: ""})
        self.problem(place, 'a text, such as "Open 9-5" or { en = "Open 9-5", es = "Abierto 9-5" }')
        return Text({SOURCE_LANGUAGE: ""})

    def link(self, value: object, place: str, schemes: tuple[str, ...] = LINK_SCHEMES) -> str:
        if isinstance(value, str) and value.startswith(schemes) and len(value) > 6:
            return value
        self.problem(place, f"a link starting {' or '.join(schemes)}, such as tel:988")
        return ""

    def links(self, table: Mapping[str, Any], key: str, where: str, scheme: str) -> Text:
        text = self.text(table, key, where)
        for language, value in text.by_language.items():
            if value:
                self.link(value, f"{where}.{key}.{language}", (scheme,))
        return text

    def tables(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(key, f"a list of tables, each [[{key}]]")
            return []
        return [(f"{key}[{index}]", table) for index, table in enumerate(value)]

    def lines(self) -> tuple[Line, ...]:
        found = []
        for where, table in self.tables("lines"):
            self.unknown_keys({"id", "name", "says", "ways", "urgent"}, table, where)
            ways = []
            raw_ways = table.get("ways")
            if not isinstance(raw_ways, list) or not raw_ways:
                self.problem(f"{where}.ways", 'at least one way, { href = "tel:988", label = ... }')
                raw_ways = []
            for index, way in enumerate(raw_ways):
                place = f"{where}.ways[{index}]"
                if not isinstance(way, dict):
                    self.problem(place, '{ href = "tel:988", label = { en = "Call 988" } }')
                    continue
                self.unknown_keys({"href", "label", "language"}, way, place)
                href = self.link(way.get("href"), f"{place}.href")
                ways.append(Way(href, self.text(way, "label", place), str(way.get("language", ""))))
            line_id = table.get("id")
            if not isinstance(line_id, str) or not line_id:
                self.problem(f"{where}.id", 'a short name for the line, such as "988"')
                line_id = ""
            found.append(
                Line(
                    line_id,
                    self.text(table, "name", where),
                    self.text(table, "says", where),
                    tuple(ways),
                    urgent=table.get("urgent") is True,
                )
            )
        if not found and "lines" in self.data:
            self.problem("lines", "at least one crisis line: the page must always show one")
        return tuple(found)

    def counselor(self) -> Counselor | None:
        table = self.data.get("counselor")
        if not isinstance(table, dict):
            self.problem("counselor", "a table [counselor] with name, says, how, call and text")
            return None
        self.unknown_keys({"name", "says", "how", "call", "text"}, table, "counselor")
        return Counselor(
            self.text(table, "name", "counselor"),
            self.text(table, "says", "counselor"),
            self.text(table, "how", "counselor"),
            self.links(table, "call", "counselor", "tel:"),
            self.links(table, "text", "counselor", "sms:"),
        )

    def schools(self) -> tuple[School, ...]:
        found = []
        for where, table in self.tables("schools"):
            self.unknown_keys({"id", "name"}, table, where)
            school_id, name = table.get("id"), table.get("name")
            if not isinstance(school_id, str) or not school_id.strip():
                self.problem(f"{where}.id", 'the school\'s id, such as "roosevelt-high-school"')
                continue
            if not isinstance(name, str) or not name.strip():
                self.problem(f"{where}.name", 'the school\'s name, such as "Roosevelt High School"')
                continue
            found.append(School(school_id.strip(), name.strip()))
        return tuple(found)

    def resources(self, school_ids: set[str]) -> tuple[Resource, ...]:
        found = []
        known = {
            "name",
            "kind",
            "about",
            "hours",
            "languages",
            "schools",
            "phone",
            "address",
            "website",
        }
        for where, table in self.tables("resources"):
            self.unknown_keys(known, table, where)
            kind = table.get("kind")
            if kind not in KINDS:
                self.problem(f"{where}.kind", f"one of {', '.join(KINDS)}; found {kind!r}")
            languages = table.get("languages", [SOURCE_LANGUAGE])
            if not (
                isinstance(languages, list)
                and languages
                and all(isinstance(v, str) and v for v in languages)
            ):
                self.problem(f"{where}.languages", 'the languages spoken there, e.g. ["en", "es"]')
                languages = []
            schools = table.get("schools", [])
            if not isinstance(schools, list) or not all(isinstance(v, str) for v in schools):
                self.problem(f"{where}.schools", "a list of school ids from [[schools]]")
                schools = []
            for school in schools:
                if school not in school_ids:
                    self.problem(
                        f"{where}.schools",
                        f"{school!r} is not a school in this file's [[schools]]; add it there "
                        "or use one of " + (", ".join(sorted(school_ids)) or "(none yet)"),
                    )
            phone = table.get("phone", "")
            if phone:
                phone = self.link(phone, f"{where}.phone", ("tel:",))
            website = table.get("website", "")
            if website:
                website = self.link(website, f"{where}.website", ("https://", "http://"))
            address = table.get("address", "")
            if not isinstance(address, str):
                self.problem(f"{where}.address", "the address as one string")
                address = ""
            found.append(
                Resource(
                    name=self.text(table, "name", where),
                    kind=str(kind),
                    about=self.text(table, "about", where, required=False),
                    hours=self.text(table, "hours", where),
                    languages=tuple(languages),
                    schools=tuple(schools),
                    phone=phone,
                    address=address.strip(),
                    website=website,
                )
            )
        return tuple(found)
