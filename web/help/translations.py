"""The help pages' languages: gettext catalogues read from web/translations/<lang>/LC_MESSAGES/
messages.po and compiled in memory at start-up (so no compiled .mo is kept in the repository),
and the choice of a language for a request.

English is the source language (the msgids are the English text), so it needs no catalogue;
every other language is the catalogue found for it: adding a language is adding a catalogue.
A visitor's language is, in order: `?lang=` (the switch on every page), the page's own (/ayuda
is Spanish), the browser's Accept-Language (Babel's negotiate_locale), else English. Nothing is
kept in a cookie: the pages' links and forms carry the choice."""

import gettext
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
SOURCE_LANGUAGE = "en"
# Each language's name in itself: what the switch says.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


class CatalogueError(Exception):
    """A catalogue cannot be read; the message names the file."""


@dataclass(frozen=True)
class Catalogues:
    """The languages the help pages speak, each with its translations."""

    translations: Mapping[str, gettext.NullTranslations]

    @classmethod
    def load(cls, directory: Path = TRANSLATIONS_DIR) -> "Catalogues":
        found: dict[str, gettext.NullTranslations] = {SOURCE_LANGUAGE: gettext.NullTranslations()}
        for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
            language = po.parents[1].name
            found[language] = compiled(po, language)
        return cls(found)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.translations)

    def of(self, language: str) -> gettext.NullTranslations:
        return self.translations[language]

    def chosen(
        self, asked: str | None, *, page_language: str | None, accept_language: str | None
    ) -> str:
        """The language to answer in (see the module's docstring for the order)."""
        if asked and asked.strip().lower() in self.translations:
            return asked.strip().lower()
        if page_language in self.translations:
            return page_language
        preferred = preferred_languages(accept_language or "")
        return negotiate_locale(preferred, list(self.translations), sep="-") or SOURCE_LANGUAGE


def compiled(po: Path, language: str) -> gettext.GNUTranslations:
    """One catalogue, compiled to .mo in memory; fuzzy entries are left out, as msgfmt does."""
    try:
        with po.open("rb") as source:
            catalogue = read_po(source, locale=language, abort_invalid=True)
    except Exception as error:  # babel raises several kinds for a malformed file
        raise CatalogueError(f"{po}: cannot read this catalogue: {error}") from error
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def preferred_languages(header: str) -> list[str]:
    """The languages of an Accept-Language header, most preferred first (by q, then order)."""
    weighted: list[tuple[float, int, str]] = []
    for index, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]
