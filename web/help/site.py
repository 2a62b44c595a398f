"""What every public help page needs: the language it is drawn in, the crisis lines always at
its top, links that keep the language, and drawing it (anonymous, never cached, no referrer).

The help pages have a Jinja environment per language, each with the i18n extension and that
language's catalogue installed (web/help/translations.py), so a page is translated as it is
drawn and the signed-in pages' engine (web/app.py) is left as it is. Their templates are under
web/templates/help/ with a light base of their own: no script, one small stylesheet."""

import gettext
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import jinja2
from babel import Locale, UnknownLocaleError
from litestar import Request, Response
from litestar.enums import MediaType

from service.help_requests.resources import HelpResources, School
from web.help.translations import LANGUAGE_NAMES, Catalogues
from web.rendering import ASSET_VERSION

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# Never kept by a browser or a proxy (a shared phone), and never telling the next site where
# its visitor came from.
HELP_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Vary": "Accept-Language",
}
SPANISH_PAGE = "/ayuda"


@dataclass
class HelpSite:
    """The help pages' catalogues, resources and template environments (one per language)."""

    resources: HelpResources
    catalogues: Catalogues
    district: str
    zone: ZoneInfo
    # The district's schools as Steady holds them, for a resources file that lists none.
    district_schools: Callable[[], tuple[School, ...]] = tuple
    environments: dict[str, jinja2.Environment] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for language in self.catalogues.languages:
            environment = jinja2.Environment(
                loader=jinja2.FileSystemLoader(TEMPLATES),
                autoescape=True,
                extensions=["jinja2.ext.i18n"],
            )
            environment.install_gettext_translations(  # type: ignore[attr-defined]
                self.catalogues.of(language), newstyle=True
            )
            self.environments[language] = environment

    def schools(self) -> tuple[School, ...]:
        """The schools a visitor chooses from: the resources file's, else the district's own."""
        return self.resources.schools or self.district_schools()

    def school(self, school_id: str) -> School | None:
        return next((s for s in self.schools() if s.id == school_id), None)

    def language(self, request: Request, asked: str | None = None) -> str:
        """This request's language: `asked` (a form's field), ?lang=, /ayuda, the browser's."""
        return self.catalogues.chosen(
            asked or request.query_params.get("lang"),
            page_language="es" if request.url.path == SPANISH_PAGE else None,
            accept_language=request.headers.get("accept-language"),
        )

    def words(self, language: str) -> "Words":
        """The handlers' gettext in one language: `_ = site.words(language)`, then `_("...")`
        (the name the extractor finds, so a handler's texts reach the catalogue too)."""
        return Words(self.catalogues.of(language))

    def page(
        self,
        request: Request,
        template: str,
        language: str,
        status_code: int = 200,
        **values: Any,
    ) -> Response:
        html = (
            self.environments[language]
            .get_template(template)
            .render(**self.context(request, language), **values)
        )
        return Response(
            content=html,
            media_type=MediaType.HTML,
            status_code=status_code,
            headers={**HELP_HEADERS, "Content-Language": language},
        )

    def context(self, request: Request, language: str) -> dict[str, Any]:
        here = "/help" if request.url.path == SPANISH_PAGE else request.url.path
        kept = {k: v for k, v in request.query_params.items() if k != "lang"}
        return {
            "lang": language,
            "district": self.district,
            "asset_version": ASSET_VERSION,
            "path": request.url.path,
            "switch": [
                {
                    "lang": other,
                    "name": LANGUAGE_NAMES.get(other, other),
                    "href": f"{here}?{urlencode({**kept, 'lang': other})}",
                }
                for other in self.catalogues.languages
                if other != language
            ],
            "lines": self.lines(language),
            "link": lambda path, **query: link(path, language, **query),
            "language_name": lambda code: language_name(code, language),
        }

    def lines(self, language: str) -> list[dict[str, Any]]:
        return [
            {
                "id": line.id,
                "urgent": line.urgent,
                "name": line.name.in_language(language),
                "says": line.says.in_language(language),
                "ways": [
                    {
                        "href": way.href,
                        "label": way.label.in_language(language),
                        "language": way.language,
                    }
                    for way in line.ways
                ],
            }
            for line in self.resources.lines
        ]


@dataclass(frozen=True)
class Words:
    translations: gettext.NullTranslations

    def __call__(self, message: str, **values: Any) -> str:
        text = self.translations.gettext(message) if message else ""
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        return self.translations.ngettext(singular, plural, n) % {"num": n, **values}


def link(path: str, language: str, **query: str) -> str:
    """A help page's address that keeps the visitor's language."""
    return f"{path}?{urlencode({**query, 'lang': language})}"


def language_name(code: str, language: str) -> str:
    """A language's name in the page's language ("español", "Spanish"), as Babel knows it."""
    try:
        name = Locale.parse(code).get_display_name(language) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]
