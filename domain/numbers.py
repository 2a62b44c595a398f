"""The whole-number check every layer uses: for counts, versions, positions and limits.

A bool is an int in Python; here `True` is a mistake, never the number 1.
"""

from typing import TypeGuard

from domain.errors import DomainError


def is_whole_number(
    value: object, least: int | None = None, most: int | None = None
) -> TypeGuard[int]:
    """Whether the value is an int (never a bool) from `least` to `most`, where given."""
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return (least is None or value >= least) and (most is None or value <= most)


def check_whole_number(
    name: str,
    value: object,
    *,
    least: int,
    most: int | None = None,
    detail: str = "",
    wording: str = "a whole number from",
) -> int:
    """The value, if it is a whole number from `least` (to `most`); else a DomainError that
    names the field and the range: "version must be a whole number from 1; got 0"."""
    if is_whole_number(value, least, most):
        return value
    bounds = f"{least}" if most is None else f"{least} to {most}"
    raise DomainError(f"{name} must be {wording} {bounds}{detail}; got {value!r}")


def parse_whole_number(text: str) -> int | None:
    """The whole number a text writes (spaces around it allowed), or None if it writes none."""
    try:
        return int(text.strip())
    except ValueError:
        return None
