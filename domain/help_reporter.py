"""What an anonymous reporter holds and gives: the case code they come back with, the
passphrase they choose, the sizes of what they write, and the signs that a request is spam."""

import re
import secrets

from domain.errors import DomainError

# Crockford's base32: no I, L, O or U, so what is read aloud or copied by hand comes back right
# (an O typed is a zero, an I or L a one). 12 characters of 32 are 60 bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")

MAX_WORDS = 4000  # what happened
MAX_CONTACT = 200
MAX_WHEN = 200
MAX_MESSAGE = 4000
MAX_PASSPHRASE = 200
MIN_PASSPHRASE_CHARACTERS = 12
MIN_PASSPHRASE_WORDS = 4
LANGUAGE = re.compile(r"^[a-z]{2}$")
_LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
MOST_LINKS = 2  # a neighbour may paste a link or two; a list of them is advertising


def new_case_code() -> str:
    """A fresh case code as the reporter is shown it: XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return shown_code(raw)


def shown_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def read_case_code(typed: object) -> str | None:
    """The code as typed (any case, with or without dashes or spaces, O for 0, I or L for 1),
    in its one written form; None when it cannot be a case code at all."""
    if not isinstance(typed, str):
        return None
    code = _SEPARATORS.sub("", typed).upper().translate(_READ_AS)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return shown_code(code)


def check_passphrase(passphrase: object) -> str:
    """A passphrase the reporter chooses: at least four words or twelve characters, so that the
    code alone (if someone sees it) does not open the case."""
    if not isinstance(passphrase, str) or not passphrase.strip():
        raise DomainError(
            "choose a passphrase: four words or more, or at least 12 characters, that you will "
            "remember (you need it with your case code to read replies)"
        )
    value = passphrase.strip()
    if len(value) > MAX_PASSPHRASE:
        raise DomainError(f"the passphrase is {len(value)} characters: keep it to {MAX_PASSPHRASE}")
    if len(value) < MIN_PASSPHRASE_CHARACTERS and len(value.split()) < MIN_PASSPHRASE_WORDS:
        raise DomainError(
            "the passphrase is too short: use four words or more (such as 'blue river tall "
            "window'), or at least 12 characters"
        )
    return value


def check_language(language: object) -> str:
    if not isinstance(language, str) or not LANGUAGE.match(language):
        raise DomainError(
            f"language {language!r} is not a language code: give one such as en or es"
        )
    return language


def spam_signs(words: str) -> str:
    """Why these words look like spam ("" if they do not): only what no one in need writes."""
    links = len(_LINK.findall(words))
    if links > MOST_LINKS:
        return f"holds {links} links"
    return ""
