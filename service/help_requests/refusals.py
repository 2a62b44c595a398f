"""Why the help page refuses a reporter: said the same whatever was wrong, and when to try again."""

from domain.errors import DomainError


class CaseNotOpened(DomainError):
    """The case code and passphrase do not open a case. Never says which of them was wrong, nor
    whether the code is someone's: one answer for all."""

    def __init__(self) -> None:
        super().__init__(
            "that case code and passphrase do not open a case: check both (the code is on the "
            "page you were shown when you sent it, like 7KQ2-M9XD-4HTB) and try again"
        )


class TooManyRequests(DomainError):
    """Too many requests, or too many wrong codes or passphrases, from one place for now."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)  # seconds
