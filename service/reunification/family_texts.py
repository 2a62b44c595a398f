"""What a family's update says, in their language: gettext catalogues under
service/reunification/translations/<lang>/LC_MESSAGES/messages.po, compiled in memory when
first asked (as the help pages' are), English being the source language (the msgids).

An update names the school, says reunification is under way at its site and to bring a photo
ID, and says of each of the family's own students (and only theirs) whether they have been
picked up yet. To extract the texts again:
    .venv/bin/pybabel extract -o /tmp/reunification.pot service/reunification/family_texts.py
    .venv/bin/pybabel update -i /tmp/reunification.pot -d service/reunification/translations"""

import gettext
import io
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
SOURCE_LANGUAGE = "en"
_loaded: dict[str, gettext.NullTranslations] = {}
_loading = threading.Lock()


def catalogues() -> dict[str, gettext.NullTranslations]:
    """Every language a family may be written to in: English and each catalogue found."""
    with _loading:
        if not _loaded:
            _loaded[SOURCE_LANGUAGE] = gettext.NullTranslations()
            for po in sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po")):
                language = po.parents[1].name
                with po.open("rb") as source:
                    catalogue = read_po(source, locale=language, abort_invalid=True)
                buffer = io.BytesIO()
                write_mo(buffer, catalogue, use_fuzzy=False)
                buffer.seek(0)
                _loaded[language] = gettext.GNUTranslations(buffer)
        return dict(_loaded)


def language_for(language: str) -> str:
    """The family's language if a catalogue speaks it ("es-MX" is "es"), else English."""
    found = catalogues()
    wanted = language.strip().lower().replace("_", "-")
    if wanted in found:
        return wanted
    return wanted.split("-")[0] if wanted.split("-")[0] in found else SOURCE_LANGUAGE


@dataclass(frozen=True)
class StudentNews:
    name: str
    released_at: datetime | None  # None: not picked up yet


def update_text(
    language: str,
    *,
    school: str,
    place: str,
    students: list[StudentNews],
    minutes: int,
    zone: ZoneInfo,
    drill: bool = False,
) -> tuple[str, str]:
    """(subject, body) of one family's update. A drill's says so first, in the subject and the
    body's first line: a family must never take a drill for the real thing."""
    t = catalogues()[language_for(language)]
    _ = t.gettext
    done = bool(students) and all(s.released_at for s in students)
    if done:
        subject = _("{school}: your student has been picked up").format(school=school)
    else:
        subject = _("{school}: family reunification is under way").format(school=school)
    lines = [
        _("Family reunification is under way for {school} at {place}.").format(
            school=school, place=place
        ),
        "",
    ]
    if drill:
        subject = _("DRILL: {subject}").format(subject=subject)
        lines[:0] = [_("DRILL: this is a practice, not a real emergency."), ""]
    for student in students:
        if student.released_at is not None:
            at = student.released_at.astimezone(zone).strftime("%H:%M")
            lines.append(
                _("{student} was picked up at {time}.").format(student=student.name, time=at)
            )
        else:
            lines.append(
                _("{student} is safe and waiting to be picked up.").format(student=student.name)
            )
    lines.append("")
    if not done:
        lines += [
            _("To pick up your student, come to {place} and bring a photo ID.").format(place=place),
            _("Only an adult on the student's guardian list can take them home."),
            _("We will write again in about {minutes} minutes.").format(minutes=minutes),
        ]
    else:
        lines.append(_("Reunification is done for your family. No more updates will follow."))
    return subject, "\n".join(lines) + "\n"
