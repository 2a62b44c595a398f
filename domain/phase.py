"""The phases an incident moves through, in order."""

from enum import StrEnum

from domain.errors import DomainError


class Phase(StrEnum):
    RESPONSE = "response"  # minutes to hours
    STABILIZATION = "stabilization"  # days
    RECOVERY = "recovery"  # weeks to a year
    MONITORING = "monitoring"  # long-term watch after recovery work is done

    @property
    def rank(self) -> int:
        return list(Phase).index(self)

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @classmethod
    def parse(cls, value: str) -> "Phase":
        try:
            return cls(value.strip().lower())
        except ValueError:
            names = ", ".join(p.value for p in cls)
            raise DomainError(f"unknown phase {value!r}: expected one of {names}") from None
