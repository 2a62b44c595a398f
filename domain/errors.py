"""Errors a person can act on: each message says what was wrong and what to do instead."""


class DomainError(Exception):
    """A rule of crisis response was broken; the message explains which and how to proceed."""


class NotFound(DomainError):
    """Something referred to (an incident, a task, a note) does not exist."""


class Conflict(DomainError):
    """The command was based on a version of the incident that has since changed."""


class InvalidValue(DomainError):
    """A value given to a command cannot be taken as it is (e.g. a date outside the range
    Steady accepts): malformed input rather than a rule of crisis response, so it names the
    field it came in."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field
