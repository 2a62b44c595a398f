"""How severe an incident is: four levels, 1 the most severe."""

from domain.numbers import check_whole_number

SEVERITIES = {1: "critical", 2: "high", 3: "moderate", 4: "low"}


def check_severity(severity: object) -> int:
    levels = ", ".join(f"{k} ({v})" for k, v in SEVERITIES.items())
    return check_whole_number(
        "severity", severity, least=min(SEVERITIES), most=max(SEVERITIES), detail=f": {levels}"
    )
