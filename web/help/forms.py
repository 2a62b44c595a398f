"""Reading the help forms: what was typed (kept, to be drawn back) and what is wrong with it,
each error in the visitor's language and beside its field. The service checks the same limits
(service/help_requests); checking here first lets each error be said in the visitor's words."""

from typing import Any

from web.help.site import HelpSite
from web.help.words import ASK_NEEDS, REPORT_CATEGORIES

WORDS_LIMIT = 4000
SHORT_LIMIT = 200  # when, contact
PASSPHRASE_CHARACTERS = 12
PASSPHRASE_WORDS = 4
FIELDS = ("category", "school", "when", "words", "contact", "passphrase", "passphrase_again")
# The input each field's error links to.
FIELD_IDS = {
    "category": "category-{first}",
    "school": "field-school",
    "when": "field-when",
    "words": "field-words",
    "contact": "field-contact",
    "passphrase": "field-passphrase",
    "passphrase_again": "field-passphrase_again",
    "text": "field-text",
}


def typed(data: dict[str, Any]) -> dict[str, Any]:
    """The form's values as typed (a field sent twice counts once, as the browser means it)."""

    def one(name: str) -> str:
        value = data.get(name, "")
        if isinstance(value, list):
            value = value[0] if value else ""
        return str(value)

    values: dict[str, Any] = {name: one(name) for name in FIELDS}
    values["life_safety"] = bool(one("life_safety"))
    values["website"] = one("website")
    return values


def field_ids(route: str) -> dict[str, str]:
    first = (REPORT_CATEGORIES if route == "report" else ASK_NEEDS)[0][0]
    return {**FIELD_IDS, "category": f"category-{first}"}


def passphrase_good_enough(passphrase: str) -> bool:
    return (
        len(passphrase.strip()) >= PASSPHRASE_CHARACTERS
        or len(passphrase.split()) >= PASSPHRASE_WORDS
    )


def problems(site: HelpSite, language: str, route: str, values: dict[str, Any]) -> dict[str, str]:
    """Field -> what is wrong with it and how to put it right, in the visitor's language."""

    _ = site.words(language)
    found: dict[str, str] = {}
    categories = {c for c, _label, _hint in (REPORT_CATEGORIES if route == "report" else ASK_NEEDS)}
    if values["category"] not in categories:
        found["category"] = (
            _("Choose what it is about.") if route == "report" else _("Choose what you need.")
        )
    if values["school"] and site.school(values["school"]) is None:
        found["school"] = _(
            "Choose a school from the list, or the first choice if you are not sure."
        )
    if len(values["when"]) > SHORT_LIMIT:
        found["when"] = _(
            "Keep this to %(limit)s characters (it has %(count)s).",
            limit=SHORT_LIMIT,
            count=len(values["when"]),
        )
    words = values["words"].strip()
    if not words:
        found["words"] = (
            _("Say what happened, in your own words.")
            if route == "report"
            else _("Say what would help, in your own words.")
        )
    elif len(words) > WORDS_LIMIT:
        found["words"] = _(
            "Keep this to %(limit)s characters (it has %(count)s): shorten it, and write the rest "
            "later with your case code.",
            limit=WORDS_LIMIT,
            count=len(words),
        )
    if len(values["contact"]) > SHORT_LIMIT:
        found["contact"] = _(
            "Keep this to %(limit)s characters (it has %(count)s).",
            limit=SHORT_LIMIT,
            count=len(values["contact"]),
        )
    if not passphrase_good_enough(values["passphrase"]):
        found["passphrase"] = _(
            "Choose a longer passphrase: at least %(characters)s characters, or %(words)s words.",
            characters=PASSPHRASE_CHARACTERS,
            words=PASSPHRASE_WORDS,
        )
    elif values["passphrase_again"] != values["passphrase"]:
        found["passphrase_again"] = _(
            "The two passphrases are not the same: type the same one in both boxes."
        )
    return found
