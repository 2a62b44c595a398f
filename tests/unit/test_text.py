"""Free text: what counts as showing something, and the pattern the API's document declares for
it, agree with the check every event's text passes."""

import re
import sys
import unicodedata

import pytest

from domain.errors import DomainError
from domain.text import INVISIBLE, check_text, text_pattern

FILLERS = "\u115f\u1160\u2800\u3164\uffa0"


def shows_nothing(char: str) -> bool:
    """Unicode's own words for what INVISIBLE lists."""
    category = unicodedata.category(char)
    return char.isspace() or category in ("Cc", "Cf", "Zs", "Zl", "Zp") or char in FILLERS


def test_the_invisible_ranges_are_this_pythons_unicode():
    # A newer Unicode database (a Python upgrade) that adds a format character fails here: add
    # it to INVISIBLE, or blank titles made of it would be recorded.
    listed = {code for first, last in INVISIBLE for code in range(first, last + 1)}
    found = {
        code
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and shows_nothing(chr(code))
    }
    assert listed == found


@pytest.mark.parametrize(
    "text",
    [" ", "\u200b", "\ufeff \u3164", "\t\n", "\U000e0001", "a\x00b", "note\x1b[31m", ""],
)
def test_text_the_pattern_refuses_is_refused(text):
    assert not re.match(text_pattern(), text)
    with pytest.raises(DomainError):
        check_text("title", text)


@pytest.mark.parametrize("text", ["a", " Room 214 ", "🚨", "line\r\nnext\tcolumn", "学校"])
def test_text_the_pattern_takes_is_taken(text):
    assert re.match(text_pattern(), text)
    assert check_text("title", text, multiline=True)


def test_optional_text_may_show_nothing_but_not_hold_a_control_beside_words():
    for blank in ("", " ", "\u0084", "\x07 \u200b"):
        assert re.match(text_pattern(required=False), blank)
        assert check_text("reason", blank, required=False) == ""
    assert not re.match(text_pattern(required=False), "a\x07")
    with pytest.raises(DomainError):
        check_text("reason", "a\x07", required=False)
