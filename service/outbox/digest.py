"""The school-morning digest: once each school day, at STEADY_DIGEST_TIME in the district's
time, every enabled account with an email address is sent the items due and overdue for them,
if there are any.

The items come from a list of sources, each `(username, at) -> list[DigestItem]`: the open
tasks of My work (`open_tasks`, here) and whatever the composition root adds (follow-ups). A
source says an item in pseudonyms and references only; the digest adds nothing but links.
A digest's key is the day and the account's id: made twice (a restart, a second process), it is
kept once."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.account import Account
from domain.school_days import WEEKDAYS, SchoolCalendar
from service.access.need_to_know import SchoolNames
from service.access.permissions import Scope, scopes
from service.accounts.service import Accounts
from service.calendars.service import schools_of
from service.incidents.application import Steady
from service.outbox.store import Message
from service.work.my_work import my_work

KIND = "digest"
WANTED_GROUPS = ("overdue", "today")  # My work's groups a digest holds
FEED_GROUPS = ("overdue", "today", "this_week", "later")  # a calendar feed's: with a due time


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest (and one event of the calendar feed)."""

    what: str  # a line of text with pseudonyms only, e.g. "T3 Call the family"
    incident_ref: str
    due: datetime | None
    overdue: bool
    link: str  # a path, such as /incidents/INC-2026-0007#task-T3
    key: str = ""  # what the item is, for ever (a calendar's UID); the link when empty
    drill: bool = False  # an item of a drill: its line says DRILL


DigestSource = Callable[[str, datetime], list[DigestItem]]


class DueCheckIn(Protocol):
    """What a follow-ups read model says of a check-in due (service.follow_ups.due)."""

    person_ref: str
    incident_ref: str
    check_in_id: str
    label: str
    due: datetime
    overdue: bool


def check_ins(
    due_for_owner: Callable[[str, datetime], Iterable[DueCheckIn]],
    zone: ZoneInfo,
    *,
    upcoming: bool = False,
    link: str = "/my-follow-ups",
) -> DigestSource:
    """A source of the person's follow-up check-ins (FollowUpsDue.for_owner): those due today
    or overdue, for the digest; with `upcoming`, every one ahead too, for the calendar feed.
    A check-in is said by the person's reference and its label: never a name."""

    def items(username: str, at: datetime) -> list[DigestItem]:
        today = at.astimezone(zone).date()
        return [
            DigestItem(
                what=f"{c.person_ref} {c.label}",
                incident_ref=c.incident_ref,
                due=c.due,
                overdue=c.overdue,
                link=link,
                key=f"check-in/{c.incident_ref}/{c.person_ref}/{c.check_in_id}",
            )
            for c in due_for_owner(username, at)
            if upcoming or c.overdue or c.due.astimezone(zone).date() <= today
        ]

    return items


def partner_of(account: Account) -> str | None:
    """The organisation whose shares bound what this person sees, if they see only those (as
    web.access.auth.partner_organisation decides for the pages)."""
    if (scopes(account.roles, "view_incident") - {Scope.SHARED}) and not account.disabled:
        return None
    return account.organisation


def open_tasks(
    steady: Steady, accounts: Accounts, names: SchoolNames, *, groups: Sequence[str] = ()
) -> DigestSource:
    """My work's open tasks of the person (those due today and overdue, or the groups given;
    the calendar feed asks for every task with a due time)."""
    wanted = tuple(groups) or WANTED_GROUPS

    def items(username: str, at: datetime) -> list[DigestItem]:
        account = accounts.account(username)
        if account.disabled:
            return []
        incidents = steady.incidents()
        drills = {i.reference for i in incidents if i.drill}
        grouped = my_work(
            account,
            names.viewer(account),
            partner_of(account),
            incidents,
            titles={},
            now=at,
            zone=steady.zone,
        )
        return [
            DigestItem(
                what=f"{row['task_id']} {row['title']}",
                incident_ref=row["reference"],
                due=datetime.fromisoformat(row["due_at"]) if row["due_at"] else None,
                overdue=bool(row["overdue"]),
                link=f"/incidents/{row['reference']}#task-{row['task_id']}",
                drill=row["reference"] in drills,
            )
            for group in grouped
            if group["group"] in wanted
            for row in group["tasks"]
        ]

    return items


def digest_day(at: datetime, zone: ZoneInfo, when: time, calendar: SchoolCalendar) -> date | None:
    """The school day whose digest is due at `at`: today (district time) once it is a school
    day and past the digest time; None otherwise."""
    local = at.astimezone(zone)
    if not calendar.is_school_day(local.date()) or local.time() < when:
        return None
    return local.date()


def digest_email(
    account: Account, day: date, items: Sequence[DigestItem], *, public_url: str, zone: ZoneInfo
) -> Message:
    overdue = [i for i in items if i.overdue]
    due = [i for i in items if not i.overdue]
    lines = [f"Your work for {day:%A %d %B %Y}:", ""]
    for title, chosen in (("Overdue", overdue), ("Due today", due)):
        if not chosen:
            continue
        lines.append(f"{title}:")
        for item in chosen:
            when = f" (due {item.due.astimezone(zone):%a %d %b, %H:%M})" if item.due else ""
            marked = "DRILL: " if item.drill else ""
            lines.append(f"  {marked}{item.incident_ref} {item.what}{when}")
            lines.append(f"    {public_url}{item.link}")
        lines.append("")
    lines.append(f"All your work: {public_url}/my-work")
    lines.append("Steady sends this each school-day morning when something is due or overdue.")
    return Message(
        key=f"{KIND}/{day.isoformat()}/{account.id}",
        kind=KIND,
        to=account.email,
        # Only drills' work in it: the subject says so first (some real work: it says nothing).
        subject=("DRILL: " if items and all(i.drill for i in items) else "")
        + f"Steady: {len(overdue)} overdue, {len(due)} due today ({day:%a %d %b})",
        body="\n".join(lines) + "\n",
        # News of this morning only: not sent once its day is over (after an outage, say).
        expires_at=datetime.combine(day + timedelta(days=1), time(0), zone),
    )


CalendarFor = Callable[[Sequence[str]], SchoolCalendar]


def weekdays(schools: Sequence[str]) -> SchoolCalendar:
    """Monday to Friday for every school: until the district's calendars are wired in."""
    return WEEKDAYS


class Digests:
    """Makes each school day's digests once the digest time has come: a person's day is a
    school day by the calendar of their schools (`calendar_for`, the district's for people of
    no school)."""

    def __init__(
        self,
        steady: Steady,
        accounts: Accounts,
        sources: list[DigestSource],
        *,
        when: time,
        calendar_for: CalendarFor = weekdays,
        public_url: str,
    ) -> None:
        self.steady = steady
        self.accounts = accounts
        self.sources = sources  # shared with Reminders: the composition root may add more
        self.when = when
        self.calendar_for = calendar_for
        self.public_url = public_url
        self._made: date | None = None  # the day this process made digests for

    def due(self, at: datetime) -> date | None:
        """The day whose digests are to be made at `at` (past the digest time, not made yet by
        this process); whether it is a school day is each person's calendar's to say."""
        local = at.astimezone(self.steady.zone)
        if local.time() < self.when or local.date() == self._made:
            return None
        return local.date()

    def make(self, at: datetime) -> list[Message]:
        """The digests due at `at` and not yet made by this process (another process, or this
        one before a restart, may have: the outbox keeps each key once)."""
        day = self.due(at)
        if day is None:
            return []
        messages = []
        zone = self.steady.zone
        for account in self.accounts.list_users():
            if account.disabled or not account.email:
                continue
            if digest_day(at, zone, self.when, self.calendar_for(schools_of(account))) != day:
                continue  # not a school day where they work
            items = [item for source in self.sources for item in source(account.username, at)]
            if items:
                messages.append(
                    digest_email(account, day, items, public_url=self.public_url, zone=zone)
                )
        return messages

    def made(self, day: date) -> None:
        self._made = day
