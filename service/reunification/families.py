"""The families' updates during reunification, through the outbox (service/outbox/): every
STEADY_REUNIFICATION_UPDATE_MINUTES (30 by default) from the moment reunification opened, each
family of a student at the incident's schools gets one update in their language
(service/reunification/family_texts.py), and once every student of theirs is picked up, one
last update saying so. An update speaks only of the family's own students.

Each message's key names the reunification, the guardian's pseudonym and the update's number
(or "done"): deriving it again, in this process or another, adds nothing. The round runs with the
outbox's other rounds (Reminders.rounds) and does nothing between updates unless a student has
been picked up since it last looked.

How a message travels is a channel: email now. SMS goes behind the same protocol and is chosen
before email only when a provider is configured; no SMS provider ships with Steady, so today a
family without an email address on the roster gets no update."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.errors import NotFound
from domain.incident import Incident
from domain.reunification import Reunification
from service.outbox.store import Message
from service.reunification.family_texts import StudentNews, update_text
from service.reunification.service import Reunifications
from service.rosters.service import Rosters, RosterStudent

KIND = "reunification_update"
DEFAULT_MINUTES = 30
EMAIL = re.compile(r"[^\s,;<>]+@[^\s,;<>]+\.[^\s,;<>]+")


class FamilyChannel(Protocol):
    """A way to reach a family: their address on it from the roster's contact, and the
    outbox message that carries an update there."""

    name: str

    def address(self, contact: str) -> str | None: ...

    def message(self, key: str, to: str, subject: str, body: str) -> Message: ...


class EmailChannel:
    name = "email"

    def address(self, contact: str) -> str | None:
        found = EMAIL.search(contact)
        return found.group(0) if found else None

    def message(self, key: str, to: str, subject: str, body: str) -> Message:
        return Message(key=key, kind=KIND, to=to, subject=subject, body=body)


def family_channels(sms: FamilyChannel | None = None) -> list[FamilyChannel]:
    """The channels in the order tried: SMS first when a provider is configured (none ships),
    then email."""
    return [*([sms] if sms is not None else []), EmailChannel()]


@dataclass
class Family:
    contact: str
    language: str
    school: str
    students: list[RosterStudent] = field(default_factory=list)


class FamilyUpdates:
    def __init__(
        self,
        reunifications: Reunifications,
        rosters: Rosters,
        zone: ZoneInfo,
        *,
        minutes: int = DEFAULT_MINUTES,
        channels: Sequence[FamilyChannel] | None = None,
    ) -> None:
        self.reunifications = reunifications
        self.rosters = rosters
        self.zone = zone
        self.minutes = minutes
        self.channels = list(channels) if channels is not None else family_channels()
        self._looked: dict[str, tuple[int, int]] = {}  # stream -> (update number, released)

    def number_at(self, reunification: Reunification, at: datetime) -> int:
        """Which update is due at `at`: the first at once, the next `minutes` later, ..."""
        return max(0, int((at - reunification.created_on).total_seconds() // (self.minutes * 60)))

    def round(self, at: datetime, add: Callable[[Sequence[Message]], int]) -> int:
        """Adds the updates due (through `add`, the outbox's); returns how many were new."""
        added = 0
        for incident, reunification in self.reunifications.open_ones():
            number = self.number_at(reunification, at)
            looked = (number, len(reunification.released))
            if self._looked.get(str(reunification.id)) == looked:
                continue
            added += add(self.updates(incident, reunification, number))
            self._looked[str(reunification.id)] = looked
        return added

    def families(self, incident: Incident) -> dict[str, Family]:
        """The guardians of the incident's schools' students, by their pseudonym."""
        found: dict[str, Family] = {}
        for school in incident.schools:
            try:
                students = self.rosters.students_at(school)
            except NotFound:
                continue
            for student in students:
                language = self.rosters.family_language(student.person_ref)
                for guardian in self.rosters.guardians_of(student.person_ref).guardians:
                    family = found.setdefault(
                        guardian.person_ref, Family(guardian.contact, language, school)
                    )
                    family.students.append(student)
        return found

    def updates(
        self, incident: Incident, reunification: Reunification, number: int
    ) -> list[Message]:
        messages = []
        for guardian_ref, family in self.families(incident).items():
            news = []
            for student in family.students:
                case = reunification.release_of(student.person_ref)
                news.append(StudentNews(student.name, case.released_at if case else None))
            done = all(n.released_at for n in news)
            key = f"reunification:{reunification.id}:{guardian_ref}:{'done' if done else number}"
            subject, body = update_text(
                family.language,
                school=family.school,
                place=reunification.place,
                students=news,
                minutes=self.minutes,
                zone=self.zone,
                drill=incident.drill,
            )
            for channel in self.channels:
                address = channel.address(family.contact)
                if address:
                    messages.append(channel.message(key, address, subject, body))
                    break
        return messages
