"""Kinds of incident a district responds to (docs/domain.md, 'Guidance the playbooks follow')."""

from domain.errors import DomainError

KINDS: dict[str, str] = {
    "death": "Death of a student or staff member",
    "suicide": "Suicide (postvention)",
    "self-harm-risk": "Self-harm or suicide risk",
    "hold": "Hold (clear the halls, stay in rooms)",
    "lockdown": "Lockdown or secure",
    "threat": "Threat or report of a weapon",
    "evacuation": "Evacuation or shelter (fire, hazmat)",
    "severe-weather": "Severe weather",
    "community-violence": "Community violence nearby",
    "bullying": "Bullying or harassment report",
    "other": "Other crisis",
}

# Incidents about one student: who needs to know is the case team, not the whole district.
ONE_STUDENT_KINDS = frozenset({"self-harm-risk", "bullying"})


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise DomainError(f"unknown incident kind {kind!r}: expected one of {', '.join(KINDS)}")
    return kind


# Incidents in which every teacher accounts for the students in their care, and staff for
# themselves (hold, lockdown or secure, evacuation or shelter, severe weather: shelter in place).
ACCOUNTING_KINDS = frozenset({"hold", "lockdown", "evacuation", "severe-weather"})
