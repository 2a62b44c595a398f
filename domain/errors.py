"""Errors a person can act on: each message says what was wrong and what to do instead."""


class DomainError(Exception):
    """A rule of crisis response was broken; the message explains which and how to proceed."""


class NotFound(DomainError):
    """Something referred to (an incident, a task, a note) does not exist."""


class Conflict(DomainError):
    """The command was based on a version of the incident that has since changed."""
