"""The public help page, /help (and /ayuda, in Spanish): the three routes (help yourself, a
trained counselor now, help from the school or community) and the places that help, the
district's and the chosen school's. No sign-in, no script; the crisis lines head every page
(web/templates/help/base.html)."""

from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency

from service.help_requests.resources import Resource
from web.help.site import HelpSite, language_name
from web.help.words import RESOURCE_KINDS

PUBLIC = {"sync_to_thread": False, "include_in_schema": False}


def resource_shown(site: HelpSite, resource: Resource, language: str) -> dict[str, Any]:
    return {
        "name": resource.name.in_language(language),
        "kind": site.words(language)(RESOURCE_KINDS[resource.kind]),
        "about": resource.about.in_language(language),
        "hours": resource.hours.in_language(language),
        "languages": ", ".join(language_names(resource.languages, language)),
        "phone": resource.phone,
        "phone_shown": phone_shown(resource.phone),
        "address": resource.address,
        "website": resource.website,
    }


def phone_shown(phone: str) -> str:
    """A tel: link's number as people write it: 555-555-0142 for a US number."""
    number = phone.removeprefix("tel:")
    digits = "".join(c for c in number if c.isdigit())
    if number.startswith("+1") and len(digits) == 11:
        return f"{digits[1:4]}-{digits[4:7]}-{digits[7:]}"
    return number


def language_names(codes: tuple[str, ...], language: str) -> list[str]:
    return [language_name(code, language) for code in codes]


def help_page(request: Request, site: HelpSite) -> Response:
    language = site.language(request)
    resources = site.resources
    chosen = site.school(request.query_params.get("school", ""))
    return site.page(
        request,
        "help/help.html",
        language,
        title=site.words(language)("Get help"),
        schools=site.schools(),
        chosen=chosen,
        at_school=[resource_shown(site, r, language) for r in resources.at_school(chosen.id)]
        if chosen
        else [],
        district_wide=[resource_shown(site, r, language) for r in resources.district_wide()],
    )


@get("/help", name="help", **PUBLIC)
def help_in_english(request: Request, help_site: NamedDependency[HelpSite]) -> Response:
    return help_page(request, help_site)


@get("/ayuda", name="ayuda", **PUBLIC)
def help_in_spanish(request: Request, help_site: NamedDependency[HelpSite]) -> Response:
    return help_page(request, help_site)


HELP_PAGES = [help_in_english, help_in_spanish]
