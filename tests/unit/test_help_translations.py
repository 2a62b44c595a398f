"""The help pages' catalogues: every text a family reads has its Spanish translation (extracted
from the templates and handlers as `pybabel extract` does, with babel.cfg), the catalogues are
compiled from the .po files found (a language is a catalogue), and a visitor's language is
chosen as the pages promise."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from domain.help_steps import OUTCOMES
from web.help.case import OUTCOME_TEXTS
from web.help.translations import TRANSLATIONS_DIR, CatalogueError, Catalogues

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> dict[str, str]:
    """Each msgid the help pages use (singular), with where it is: babel.cfg's own mapping."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map
    ):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.setdefault(text, f"{filename}:{lineno}")
    return found


def test_the_extraction_finds_the_pages_texts():
    found = extracted()
    # One from a template, one from a handler, one marked in a table: all three ways are read.
    assert "Someone is in danger right now" in found
    assert "We have your report." in found
    assert "A threat or a weapon" in found
    assert len(found) > 80


def test_every_text_on_the_help_pages_has_a_spanish_translation():
    with (TRANSLATIONS_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="es")
    translated: dict[str, list[str]] = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in ids:
            translated[text] = [s for s in strings if s]
    untranslated = [
        f"{where}: {text!r}" for text, where in extracted().items() if not translated.get(text)
    ]
    assert not untranslated, "texts without a Spanish translation:\n" + "\n".join(untranslated)
    wrong = [
        f"{text!r} -> {string!r}"
        for text in extracted()
        for string in translated[text]
        if set(PLACEHOLDER.findall(string)) - set(PLACEHOLDER.findall(text)) - {"num"}
        or set(PLACEHOLDER.findall(text)) - set(PLACEHOLDER.findall(string)) - {"num"}
    ]
    assert not wrong, "translations whose placeholders differ:\n" + "\n".join(wrong)


def test_catalogues_are_compiled_from_the_po_files_found():
    catalogues = Catalogues.load()
    assert catalogues.languages == ("en", "es")
    assert catalogues.of("es").gettext("Report something") == "Reportar algo"
    assert catalogues.of("en").gettext("Report something") == "Report something"
    too_many = "Too many tries from here. Wait %(num)s minute and try again."
    plural = "Too many tries from here. Wait %(num)s minutes and try again."
    assert catalogues.of("es").ngettext(too_many, plural, 3) % {"num": 3} == (
        "Demasiados intentos desde aquí. Espere 3 minutos e intente de nuevo."
    )


def test_adding_a_language_is_adding_a_catalogue(tmp_path):
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Get help"\nmsgstr "Obtenir de l\'aide"\n',
        encoding="utf-8",
    )
    catalogues = Catalogues.load(tmp_path)
    assert catalogues.languages == ("en", "fr")
    assert catalogues.of("fr").gettext("Get help") == "Obtenir de l'aide"
    assert catalogues.chosen(None, page_language=None, accept_language="fr-CA, en;q=0.5") == "fr"


def test_a_broken_catalogue_is_named(tmp_path):
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_bytes(b'msgid "Get help"\nmsgid "twice"\n')
    with pytest.raises(CatalogueError, match=r"de/LC_MESSAGES/messages.po"):
        Catalogues.load(tmp_path)


@pytest.mark.parametrize(
    ("asked", "page", "header", "chosen"),
    [
        ("es", None, "en-US,en;q=0.9", "es"),  # the switch wins over the browser
        ("en", "es", None, "en"),  # and over /ayuda
        ("xx", None, "es-MX,es;q=0.9", "es"),  # an unknown choice is ignored
        (None, "es", "en-US", "es"),  # /ayuda is Spanish
        (None, None, "fr-FR, es-MX;q=0.8, en;q=0.5", "es"),  # the first the pages speak
        (None, None, "en;q=0.2, es;q=0.9", "es"),  # by quality, not order
        (None, None, "es;q=0", "en"),  # q=0: not wanted
        (None, None, "de-DE", "en"),  # none spoken: English
        (None, None, None, "en"),
    ],
)
def test_a_visitors_language(asked, page, header, chosen):
    assert Catalogues.load().chosen(asked, page_language=page, accept_language=header) == chosen


def test_every_outcome_a_reporter_is_told_is_marked_for_translation():
    assert set(OUTCOMES.values()) == set(OUTCOME_TEXTS)
