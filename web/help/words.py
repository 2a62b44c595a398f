"""The help pages' words for the routes, categories and kinds of resource, marked for the
catalogues (N_ marks a text for extraction; it is translated when a page is drawn)."""

from typing import Any

from web.help.site import Words


def N_(message: str) -> str:  # the name gettext's extractors look for
    return message


# A report's categories, in the order the form offers them: (id, label, hint).
REPORT_CATEGORIES = (
    ("bullying", N_("Bullying or harassment"), ""),
    ("unsafe", N_("An unsafe situation"), ""),
    ("threat", N_("A threat or a weapon"), ""),
    (
        "worry-friend",
        N_("Worry about a friend"),
        N_("For example, a friend who might hurt themselves"),
    ),
)
# An ask's needs.
ASK_NEEDS = (
    ("food", N_("Food"), ""),
    ("transport", N_("Transport"), ""),
    ("clothing", N_("Clothing"), ""),
    ("shelter", N_("A place to stay"), ""),
    ("medical", N_("Medical care"), ""),
    ("mental-health", N_("Mental health"), ""),
    ("other", N_("Something else"), ""),
)
RESOURCE_KINDS = {
    "food": N_("Food"),
    "clinic": N_("Clinic"),
    "shelter": N_("Shelter"),
    "counseling": N_("Counseling"),
    "transport": N_("Transport"),
    "clothing": N_("Clothing"),
    "other": N_("Other help"),
}
# How a reporter's case stands, as the case page says it (the service's status ids).
CASE_STATUSES = {
    "received": N_("Received: not read yet"),
    "in progress": N_("In progress: someone is working on it"),
    "resolved": N_("Resolved"),
}


def choices(_: Words, route: str) -> list[dict[str, Any]]:
    listed = REPORT_CATEGORIES if route == "report" else ASK_NEEDS
    return [{"id": choice, "label": _(label), "hint": _(hint)} for choice, label, hint in listed]
