"""Free text as events record it: the one check every name, title, note and reason passes."""

import re
import unicodedata

from domain.errors import DomainError

MAX_TITLE = 200  # one line: a title, a name
MAX_TEXT = 10_000
# Characters that show nothing but are not whitespace or format characters to Unicode.
FILLERS = frozenset("\u115f\u1160\u2800\u3164\uffa0")
NEWLINES = re.compile(r"\r\n?")
# Unicode's control characters but line break and tab, and lone surrogates (never text).
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


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
    return any(
        not char.isspace()
        and unicodedata.category(char) not in ("Cc", "Cf", "Zs", "Zl", "Zp")
        and char not in FILLERS
        for char in text
    )
