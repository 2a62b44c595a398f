"""What the API's fields accept, as its OpenAPI document declares them: closed sets taken from the
domain's own lists, free text, moments and whole numbers.

Declarations only: the domain and the handlers still check every value and refuse with a message
a person can act on (their words and status codes stay theirs). The document promises no more
than they take, so a request valid by the document is accepted unless the incident's state or
the store refuses it (tests/e2e/test_openapi_contract.py sends such requests).
"""

from collections.abc import Iterable
from typing import Any

from litestar.params import KwargDefinition, PathParameter, QueryParameter

from domain.moments import EARLIEST, LATEST
from domain.text import MAX_TEXT, text_pattern

# The largest whole number every JSON reader keeps exactly (JavaScript's Number.MAX_SAFE_INTEGER):
# positions and versions never come near it.
MAX_WHOLE = 2**53 - 1
Schema = dict[str, Any]


def one_of(values: Iterable[str], *, nullable: bool = False) -> Schema:
    """One of a closed set (null too, where the field may be null)."""
    listed: list[Any] = [str(value) for value in values]  # an enum member as its value
    return {"enum": [*listed, None] if nullable else listed}


def text(limit: int = MAX_TEXT, *, required: bool = True) -> Schema:
    """Free text as check_text takes it: something visible when required, no control
    characters, at most `limit` characters."""
    fragment: Schema = {"maxLength": limit, "pattern": text_pattern(required)}
    return {"minLength": 1, **fragment} if required else fragment


def whole(least: int, most: int = MAX_WHOLE) -> Schema:
    return {"minimum": least, "maximum": most}


def matching(pattern: str, *, most: int | None = None) -> Schema:
    """Text of a fixed form: an id, a username."""
    return {"pattern": pattern, **({"maxLength": most} if most is not None else {})}


def items(element: Schema, *, least: int = 0, most: int | None = None) -> Schema:
    """A list of strings, each as `element` says."""
    bounds: Schema = {"minItems": least} if least else {}
    if most is not None:
        bounds["maxItems"] = most
    return {"items": {"type": "string", **element}, **bounds}


def _decades(first: int, last: int) -> str:
    """The four-digit years from `first` to `last` as a pattern: 197[1-9]|198[0-9]|..."""
    parts = []
    for decade in range(first // 10, last // 10 + 1):
        low, high = max(first, decade * 10) % 10, min(last, decade * 10 + 9) % 10
        digits = "[0-9]" if (low, high) == (0, 9) else f"[{low}-{high}]"
        parts.append(f"{decade}{digits}")
    return "|".join(parts)


# Years whose every moment, at any offset, lies within the range Steady accepts.
FIRST_YEAR, LAST_YEAR = EARLIEST.year + 1, LATEST.year - 2
MOMENT = (
    "an RFC 3339 date and time with its offset, e.g. 2026-11-23T09:30:00-06:00 (the API also "
    "takes one without an offset, read in the district's time zone); from "
    f"{EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d} (UTC), which the document declares as the years "
    f"{FIRST_YEAR} to {LAST_YEAR}"
)


def moment() -> Schema:
    return {"format": "date-time", "pattern": f"^({_decades(FIRST_YEAR, LAST_YEAR)})-"}


def _merged(schemas: tuple[Schema, ...]) -> Schema:
    merged: Schema = {}
    for schema in schemas:
        merged.update(schema)
    return merged


def field(*schemas: Schema, description: str | None = None) -> KwargDefinition:
    """A body field's declaration, for Annotated[type, field(...)]. Litestar writes it into the
    document; msgspec, decoding the body, does not enforce it (the domain does)."""
    return KwargDefinition(schema_extra=_merged(schemas), description=description)


def in_query(
    *schemas: Schema, name: str | None = None, description: str | None = None
) -> QueryParameter:
    """A query parameter's declaration, likewise for the document only (Litestar enforces a
    parameter's own ge, le, pattern and lengths, which these leave unset)."""
    return QueryParameter(schema_extra=_merged(schemas), name=name, description=description)


def in_path(*schemas: Schema, description: str | None = None) -> PathParameter:
    """A path parameter's declaration, for the document only."""
    return PathParameter(schema_extra=_merged(schemas), description=description)
