"""Free text as events record it: the one check every name, title, note and reason passes."""

import re

from domain.errors import DomainError

MAX_TITLE = 200  # one line: a title, a name
MAX_TEXT = 10_000
# What shows nothing, as ranges of code points: whitespace, Unicode's controls (Cc), format
# characters (Cf: zero-width space, joiners, byte order mark, ...), space and line separators
# (Zs, Zl, Zp) and the blank fillers (U+115F, U+1160, U+2800, U+3164, U+FFA0). Written out
# rather than asked of unicodedata (scanning every code point takes a second) so that the API's
# document can declare the same rule as a pattern; tests/unit/test_text.py checks it against
# this Python's Unicode database.
INVISIBLE: tuple[tuple[int, int], ...] = (
    (0x0000, 0x0020), (0x007F, 0x00A0), (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2), (0x115F, 0x1160),
    (0x1680, 0x1680), (0x180E, 0x180E), (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x2064),
    (0x2066, 0x206F), (0x2800, 0x2800), (0x3000, 0x3000), (0x3164, 0x3164), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)  # fmt: skip
# Controls that text may not hold (line breaks and tabs may; a CR is read as a line break).
REFUSED: tuple[tuple[int, int], ...] = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F))
SURROGATES = ((0xD800, 0xDFFF),)  # never text; JSON Schema's strings cannot hold one either
NEWLINES = re.compile(r"\r\n?")


def character_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """The ranges as the inside of a regular expression's [...], in a form both Python's re and
    JSON Schema's (ECMA-262) patterns read: \\uXXXX for the first 65,536 code points, the
    characters themselves beyond (ECMA-262 has no escape for those without its u flag)."""

    def one(code: int) -> str:
        return f"\\u{code:04X}" if code <= 0xFFFF else chr(code)

    return "".join(one(a) if a == b else f"{one(a)}-{one(b)}" for a, b in ranges)


VISIBLE = re.compile(f"[^{character_class(INVISIBLE)}{character_class(REFUSED)}]")
CONTROLS = re.compile(f"[{character_class(REFUSED + SURROGATES)}]")


def text_pattern(required: bool = True) -> str:
    """What check_text takes, as a pattern for the API's document: no refused control and, when
    the text is required, something visible. (Lengths are the document's maxLength.)"""
    allowed = f"[^{character_class(REFUSED)}]*"
    if not required:  # optional text that shows nothing is taken (as nothing), controls and all
        return f"^({allowed}|[{character_class(INVISIBLE)}]*)$"
    return f"^{allowed}{VISIBLE.pattern}{allowed}$"


def check_text(
    field: str,
    value: object,
    *,
    limit: int = MAX_TEXT,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Free text as it is recorded: trimmed, with no control characters (a NUL or an escape
    sequence cannot be shown or printed) except line breaks and tabs in multi-line text; in one
    line, a line break or tab reads as a space. Required text must hold something visible."""
    if not isinstance(value, str):
        raise DomainError(f"{field} must be text")
    value = NEWLINES.sub("\n", value)  # a browser's textarea sends CRLF
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    value = value.strip()
    if not _visible(value):
        if required:
            raise DomainError(
                f"{field} must not be empty: write it in words people can read "
                "(spaces and invisible characters alone do not count)"
            )
        return ""  # optional text that shows nothing is recorded as nothing
    if len(value) > limit:
        raise DomainError(f"{field} is {len(value)} characters long; keep it under {limit}")
    control = CONTROLS.search(value)
    if control:
        raise DomainError(
            f"{field} holds a control character (U+{ord(control.group()):04X}) that cannot be "
            "shown; remove it, or type the text again rather than pasting it"
        )
    return value


def _visible(text: str) -> bool:
    """Holds a character that shows: not whitespace, a control, a format character (zero-width
    space, joiners, byte order mark) or a blank filler."""
    return VISIBLE.search(text) is not None
