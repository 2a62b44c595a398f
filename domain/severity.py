"""How severe an incident is: four levels, 1 the most severe."""

from domain.errors import DomainError

SEVERITIES = {1: "critical", 2: "high", 3: "moderate", 4: "low"}


def check_severity(severity: object) -> int:
    if isinstance(severity, bool) or not isinstance(severity, int) or severity not in SEVERITIES:
        levels = ", ".join(f"{k} ({v})" for k, v in SEVERITIES.items())
        raise DomainError(
            f"severity must be a whole number from 1 to 4: {levels}; got {severity!r}"
        )
    return severity
