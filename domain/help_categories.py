"""What a help request can be: its route (a report or an ask), its category, the time the desk
has to answer it first, and the playbook suggested when a report becomes an incident."""

from dataclasses import dataclass

from domain.errors import DomainError


@dataclass(frozen=True)
class Category:
    route: str  # "report" or "ask"
    name: str  # the desk's words for it
    target_minutes: int  # to the desk's first answer (a life-safety request has its own)
    playbook_id: str = ""  # suggested when the report becomes an incident ("": the lead chooses)
    incident_kind: str = ""  # the incident kind that playbook is for

    @property
    def suggests_playbook(self) -> bool:
        return bool(self.playbook_id)


ROUTES = ("report", "ask")
DAY = 24 * 60
CATEGORIES: dict[str, Category] = {
    "threat": Category("report", "A threat or a weapon", 15, "lockdown-or-threat", "threat"),
    "worry-friend": Category(
        "report", "Worry about a friend", 60, "self-harm-or-suicide-risk", "self-harm-risk"
    ),
    "unsafe": Category("report", "An unsafe situation", 120),
    "bullying": Category(
        "report", "Bullying or harassment", DAY, "bullying-or-harassment-report", "bullying"
    ),
    "food": Category("ask", "Food", DAY),
    "transport": Category("ask", "Transport", DAY),
    "clothing": Category("ask", "Clothing", DAY),
    "shelter": Category("ask", "Shelter", DAY),
    "medical": Category("ask", "Medical help", DAY),
    "mental-health": Category("ask", "Mental-health help", DAY),
    "other": Category("ask", "Something else", DAY),
}
LIFE_SAFETY_MINUTES = 5  # "someone is in danger right now": the desk answers within minutes


def categories_of(route: str) -> list[str]:
    return [key for key, category in CATEGORIES.items() if category.route == route]


def check_route(route: object) -> str:
    if route not in ROUTES:
        raise DomainError(
            f"route {route!r} is not one: give report (to tell the school something) or ask "
            "(for help with a need)"
        )
    return str(route)


def check_category(route: str, category: object) -> Category:
    found = CATEGORIES.get(category) if isinstance(category, str) else None
    if found is None or found.route != route:
        raise DomainError(
            f"{category!r} is not a kind of {route}: give one of {', '.join(categories_of(route))}"
        )
    return found


def target_minutes(category: str, life_safety: bool, targets: dict[str, int] | None = None) -> int:
    """Minutes to the first answer: the district's own targets where it set them (a setting),
    otherwise the shipped ones; "life-safety" is the key for a request someone is in danger in."""
    chosen = targets or {}
    if life_safety:
        return chosen.get("life-safety", LIFE_SAFETY_MINUTES)
    return chosen.get(category, CATEGORIES[category].target_minutes)


def suggested_playbook(category: str) -> str | None:
    found = CATEGORIES.get(category)
    return found.playbook_id if found and found.playbook_id else None
