"""The district's rosters: importing a OneRoster 1.1 CSV export, and the reads other parts use.

Importing (`Rosters.import_files`): the export is checked whole first (service.rosters.oneroster)
and refused whole on any problem. Every person on it is a person record of the people part
(domain/affected_person.py): a new one gets a pseudonym, a person already on the roster keeps
theirs (matched by their OneRoster sourcedId), and a student or staff member already recorded
on an incident under their student or staff id (OneRoster `identifier`) is found again by it.
Their identity (name, id, guardians with contact and relationship, language) is sealed in the
identity vault, a student's demographics beside it; the roster's stream records what changed.
Importing the same files again records nothing. An identity that was erased stays erased.

The read interface (typed values, plain dataclasses):

    classes_in_session(school: str, at: datetime) -> list[ClassInSession]
        The classes of a school (its id or name) meeting at that moment: in an academic session
        that covers the day, with a period whose times ("1 08:00-08:50") cover the moment;
        when none does (periods without times, or between periods), the school's homerooms.
    students_of(class_id: str, on: date | None = None) -> list[RosterStudent]
        The students enrolled in a class (on a day: enrollments' begin and end dates), with
        their pseudonym and name from the vault.
    guardians_of(person_ref: str) -> StudentGuardians
        A student's guardians (name, relationship, contact, pseudonym) and custody alert.
    staff_of(school: str) -> list[StaffMember]
        The staff of a school on the roster, with the Steady account each was matched to.

These reads do not record identity views and check no permission: a caller shows them only
to those with need-to-know (a teacher their own class; never a partner)."""

import threading
import time
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from domain.affected_person import AffectedPerson
from domain.errors import DomainError, NotFound
from domain.identity import Guardian, Identity
from domain.organisation import school_key
from domain.people import Actor
from domain.person_reference import PersonSequence
from domain.roster import (
    PERSON_KINDS,
    GuardianLink,
    Roster,
    RosterClass,
    RosterContents,
    RosterEnrollment,
    RosterMember,
    RosterSession,
)
from service.accounts.service import Accounts
from service.people.commands import match_id_of
from service.people.service import People
from service.rosters.oneroster import ParsedRoster, UserRow, parse_roster
from service.store.retrying import retry_on_conflict

TOO_BUSY = "the store is too busy to import the roster now; try again"
CHECKED_FOR = 1.0  # seconds the roster held is trusted before the store is asked again


@dataclass(frozen=True)
class Teacher:
    person_ref: str
    username: str  # the roster's username
    account: str  # the Steady account matched by username or email; "" when none


@dataclass(frozen=True)
class ClassInSession:
    class_id: str  # the OneRoster sourcedId
    school: str  # the Steady school's id
    title: str
    location: str
    class_type: str
    periods: tuple[str, ...]
    teachers: tuple[Teacher, ...]


@dataclass(frozen=True)
class RosterStudent:
    person_ref: str
    name: str  # from the vault; "" when the identity was erased
    grade: str
    custody_alert: bool


@dataclass(frozen=True)
class GuardianContact:
    person_ref: str
    name: str
    relationship: str
    contact: str  # phone, sms and email as the roster gave them


@dataclass(frozen=True)
class StudentGuardians:
    person_ref: str
    custody_alert: bool  # do not release without a lead
    guardians: tuple[GuardianContact, ...]


@dataclass(frozen=True)
class StaffMember:
    person_ref: str
    role: str
    username: str
    account: str
    name: str


@dataclass(frozen=True)
class ImportResult:
    counts: dict[str, dict[str, int]]  # kind -> {"set": n, "removed": n}
    people_added: int
    identities_recorded: int
    not_read: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.people_added or self.identities_recorded) or any(
            c["set"] or c["removed"] for c in self.counts.values()
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "counts": self.counts,
            "people_added": self.people_added,
            "identities_recorded": self.identities_recorded,
            "not_read": list(self.not_read),
        }

    def __str__(self) -> str:
        if not self.changed:
            return "The roster is as these files say already: nothing changed."
        lines = [
            f"Roster imported: {self.people_added} new people, "
            f"{self.identities_recorded} identities recorded."
        ]
        for kind, count in self.counts.items():
            lines.append(f"  {kind}: {count['set']} added or changed, {count['removed']} removed")
        if self.not_read:
            lines.append(f"  not read: {', '.join(self.not_read)}")
        return "\n".join(lines)


def _identity(user: UserRow, parsed: ParsedRoster) -> Identity:
    guardians = tuple(
        Guardian(
            name=parsed.users[g].name,
            contact=parsed.users[g].contact,
            relationship=parsed.users[g].role,
        )
        for g in parsed.guardians.get(user.sourced_id, [])
    )
    return Identity(
        name=user.name,
        person_id=user.identifier,
        guardians=guardians,
        language=user.language,
    )


class Rosters:
    def __init__(self, people: People, accounts: Accounts) -> None:
        self.people = people
        self.accounts = accounts
        self.steady = people.steady
        self._importing = threading.Lock()  # one import at a time in this process
        # The roster as last read, brought up to date on each read by its newer events only: a
        # lockdown's hundred class lists read it at once, and it changes a few times a day.
        self._held: Roster | None = None
        self._checked_at = 0.0  # when the store was last asked for a newer roster (monotonic)
        self._holding = threading.Lock()

    # -- importing ----------------------------------------------------------------------------

    def _school_for(self, name: str, identifier: str) -> str | None:
        schools = [o for o in self.accounts.organisations() if o.kind == "school"]
        wanted = {school_key(name), *([school_key(identifier)] if identifier else [])}
        for school in schools:
            if school.slug in wanted or school_key(school.name) in wanted:
                return school.slug
        return None

    def roster(self) -> Roster:
        try:
            found = self.steady.repository.get(Roster.id_for())
        except AggregateNotFoundError:
            return Roster.start(actor=Actor("steady", "system"), at=self.steady.clock())
        if not isinstance(found, Roster):
            raise NotFound("no roster")
        return found

    def import_files(
        self, files: dict[str, str], *, source: str, actor: Actor, at: datetime | None = None
    ) -> ImportResult:
        """Checks the export whole (RosterRefused on any problem), then brings the roster,
        the people on it and their identities to what it says."""
        parsed = parse_roster(files, self._school_for)
        with self._importing:
            done = self._import(parsed, source=source, actor=actor, at=at or self.steady.clock())
        with self._holding:
            self._held = None  # read the new roster at once in this process
        return done

    def _import(
        self, parsed: ParsedRoster, *, source: str, actor: Actor, at: datetime
    ) -> ImportResult:
        roster = self.roster()
        held = roster.contents.members
        vault = self.people._vault_now()
        names = {o.slug: o.name for o in self.accounts.organisations()}
        # Who is who: kept from the roster, else found by their id, else new.
        refs: dict[str, str] = {}
        for user in parsed.users.values():
            if user.sourced_id in held:
                refs[user.sourced_id] = held[user.sourced_id].person_ref
                continue
            match = match_id_of(self.steady, _kind(user), _identity(user, parsed))
            known = vault.match(match) if match is not None else None
            if known is not None:
                refs[user.sourced_id] = known
        new_users = [u for u in parsed.users.values() if u.sourced_id not in refs]
        refs.update(self._record_people(new_users, parsed, names, actor=actor, at=at))

        # Identities and demographics into the vault first, then the events that say so.
        changed_people: list[AffectedPerson] = []
        for user in parsed.users.values():
            person = self.people.person(refs[user.sourced_id])
            if person.identity_erased:
                continue  # erased on purpose: a roster does not bring it back
            identity = _identity(user, parsed)
            before = vault.get(person.id) if person.has_identity else None
            if before is not None:  # a date of birth given on an incident stays
                identity = replace(identity, date_of_birth=before.date_of_birth)
            if before != identity:
                self.people.store_identity(person, identity)
                person.identity_recorded(actor=actor, at=at)
                changed_people.append(person)
            demographics = parsed.demographics.get(user.sourced_id)
            if demographics is not None and vault.demographics(person.id) != demographics:
                vault.put_demographics(person.id, demographics)

        wanted = self._contents(parsed, refs)
        change = roster.change_to(wanted, source=source, actor=actor, at=at)
        pending: list[Any] = [*changed_people, *([] if change.empty else [roster])]
        if pending:
            self.steady.save(*pending)
        return ImportResult(
            counts=change.counts(),
            people_added=len(new_users),
            identities_recorded=len(changed_people),
            not_read=parsed.not_read,
        )

    def _record_people(
        self,
        users: list[UserRow],
        parsed: ParsedRoster,
        names: dict[str, str],
        *,
        actor: Actor,
        at: datetime,
    ) -> dict[str, str]:
        """New person records for the users not known yet, saved together with the sequence
        their pseudonyms are drawn from (drawn again if another writer drew first)."""
        if not users:
            return {}
        drawn: dict[str, str] = {}

        def attempt() -> bool:
            try:
                sequence = self.steady.repository.get(PersonSequence.id_for())
            except AggregateNotFoundError:
                sequence = PersonSequence.start()
            records = []
            drawn.clear()
            for user in users:
                reference = sequence.next_reference()
                drawn[user.sourced_id] = reference
                records.append(
                    AffectedPerson.record_without_incident(
                        reference=reference,
                        kind=_kind(user),
                        school=names[_school_of(user, parsed)],
                        grade=user.grade if user.role == "student" else "",
                        actor=actor,
                        at=at,
                    )
                )
            self.steady.save(sequence, *records)
            return True

        retry_on_conflict(attempt, too_busy=TOO_BUSY)
        return dict(drawn)

    def _contents(self, parsed: ParsedRoster, refs: dict[str, str]) -> RosterContents:
        by_login = {}
        for account in self.accounts.list_users():
            by_login[account.username.casefold()] = account.username
            if account.email:
                by_login.setdefault(account.email.casefold(), account.username)
        members = {}
        for user in parsed.users.values():
            staff = _kind(user) == "staff"
            account = ""
            if staff:
                account = by_login.get(user.username.casefold(), "") if user.username else ""
                if not account and user.email:
                    account = by_login.get(user.email.casefold(), "")
            members[user.sourced_id] = RosterMember(
                sourced_id=user.sourced_id,
                role=user.role,
                person_ref=refs[user.sourced_id],
                schools=user.schools,
                grade=user.grade,
                username=user.username if staff else "",
                account=account,
                guardians=tuple(
                    GuardianLink(g, parsed.users[g].role)
                    for g in parsed.guardians.get(user.sourced_id, [])
                ),
                custody_alert=user.custody_alert,
            )
        return RosterContents(
            sessions={
                k: RosterSession(s.sourced_id, s.title, s.type, s.start, s.end)
                for k, s in parsed.sessions.items()
            },
            classes={
                k: RosterClass(
                    sourced_id=c.sourced_id,
                    school=c.school,
                    title=c.title,
                    class_code=c.class_code,
                    class_type=c.class_type,
                    location=c.location,
                    periods=c.periods,
                    terms=c.terms,
                )
                for k, c in parsed.classes.items()
            },
            members=members,
            enrollments={
                k: RosterEnrollment(
                    e.sourced_id, e.class_id, e.user_id, e.role, e.primary, e.begins, e.ends
                )
                for k, e in parsed.enrollments.items()
            },
        )

    # -- reading ------------------------------------------------------------------------------

    def _school(self, school: str) -> str:
        wanted = school_key(school)
        for organisation in self.accounts.organisations():
            if organisation.kind == "school" and wanted in (
                organisation.slug,
                school_key(organisation.name),
            ):
                return organisation.slug
        raise NotFound(f"no school {school!r}: give a school's id or name")

    def contents(self) -> RosterContents:
        """What the roster holds now, for reading only (never changed in place: an import works
        on a roster of its own, and a newer one replaces the one held here, so a reader may tell
        a new roster by its identity). The store is asked for a newer event at most once every
        CHECKED_FOR seconds: at a lockdown's peak a hundred class lists a second read it, and a
        profile found that question a third of a report's time. An import in this process is
        seen at once, one in another within CHECKED_FOR."""
        with self._holding:
            held, now = self._held, time.monotonic()
            if held is not None and now - self._checked_at < CHECKED_FOR:
                return held.contents
            recorder = self.steady.recorder
            self._checked_at = now
            if held is not None and not recorder.select_events(held.id, gt=held.version, limit=1):
                return held.contents
            self._held = self.roster()
            return self._held.contents

    def _names(self, person_refs: list[str]) -> dict[str, str]:
        """Names from the vault, read together; those erased (their key is gone) or never
        given one are left out."""
        ids = {AffectedPerson.id_for(ref): ref for ref in person_refs}
        found = self.people._vault_now().identities(ids)
        return {ids[person_id]: identity.name for person_id, identity in found.items()}

    def _name(self, person_ref: str) -> str:
        return self._names([person_ref]).get(person_ref, "")

    def classes_in_session(self, school: str, at: datetime) -> list[ClassInSession]:
        slug = self._school(school)
        contents = self.contents()
        local = at.astimezone(self.steady.zone)
        day, moment = local.date(), local.time()

        def in_term(c: RosterClass) -> bool:
            sessions = [contents.sessions.get(t) for t in c.terms]
            return any(s is not None and s.covers(day) for s in sessions)

        here = [c for c in contents.classes.values() if c.school == slug and in_term(c)]
        meeting = [c for c in here if c.meets_at(moment)]
        chosen = meeting or [c for c in here if c.class_type == "homeroom"]
        return [self._class_view(c, contents, day) for c in sorted(chosen, key=lambda c: c.title)]

    def _class_view(self, c: RosterClass, contents: RosterContents, day: date) -> ClassInSession:
        teachers = []
        for e in contents.enrollments.values():
            member = contents.members.get(e.member_id)
            if e.class_id == c.sourced_id and e.role == "teacher" and member and e.current_on(day):
                teachers.append(Teacher(member.person_ref, member.username, member.account))
        return ClassInSession(
            class_id=c.sourced_id,
            school=c.school,
            title=c.title,
            location=c.location,
            class_type=c.class_type,
            periods=c.periods,
            teachers=tuple(teachers),
        )

    def students_of(self, class_id: str, on: date | None = None) -> list[RosterStudent]:
        contents = self.contents()
        if class_id not in contents.classes:
            raise NotFound(f"no class {class_id!r} on the roster")
        day = on or self.steady.clock().astimezone(self.steady.zone).date()
        enrolled = []
        for e in contents.enrollments.values():
            member = contents.members.get(e.member_id)
            if e.class_id != class_id or e.role != "student" or member is None:
                continue
            if e.current_on(day):
                enrolled.append(member)
        names = self._names([m.person_ref for m in enrolled])
        found = [
            RosterStudent(m.person_ref, names.get(m.person_ref, ""), m.grade, m.custody_alert)
            for m in enrolled
        ]
        return sorted(found, key=lambda s: (s.name.casefold(), s.person_ref))

    def guardians_of(self, person_ref: str) -> StudentGuardians:
        contents = self.contents()
        member = next((m for m in contents.members.values() if m.person_ref == person_ref), None)
        if member is None or member.role != "student":
            raise NotFound(f"no student {person_ref} on the roster")
        person = self.people.person(person_ref)
        identity = (
            self.people._vault_now().get(person.id)
            if person.has_identity and not person.identity_erased
            else None
        )
        on_file = {g.name: g for g in identity.guardians} if identity else {}
        guardians = []
        for link in member.guardians:
            guardian = contents.members.get(link.sourced_id)
            if guardian is None:
                continue
            name = self._name(guardian.person_ref)
            said = on_file.get(name)
            guardians.append(
                GuardianContact(
                    guardian.person_ref,
                    name,
                    link.relationship,
                    said.contact if said else "",
                )
            )
        return StudentGuardians(person_ref, member.custody_alert, tuple(guardians))

    def staff_of(self, school: str) -> list[StaffMember]:
        slug = self._school(school)
        staff = [
            m for m in self.contents().members.values() if m.kind == "staff" and slug in m.schools
        ]
        names = self._names([m.person_ref for m in staff])
        found = [
            StaffMember(m.person_ref, m.role, m.username, m.account, names.get(m.person_ref, ""))
            for m in staff
        ]
        return sorted(found, key=lambda s: (s.name.casefold(), s.person_ref))

    # -- added for reunification (service/reunification): the students of a school, and the
    # language their family reads, which the roster carries on the student's row.

    def students_at(self, school: str) -> list[RosterStudent]:
        """The students on the roster at a school (its id or name), by name."""
        slug = self._school(school)
        members = [
            m for m in self.contents().members.values() if m.role == "student" and slug in m.schools
        ]
        names = self._names([m.person_ref for m in members])  # one read of the vault
        found = [
            RosterStudent(m.person_ref, names.get(m.person_ref, ""), m.grade, m.custody_alert)
            for m in members
        ]
        return sorted(found, key=lambda s: (s.name.casefold(), s.person_ref))

    def family_language(self, person_ref: str) -> str:
        """The language a student's family reads ("" when the roster says none)."""
        person = self.people.person(person_ref)
        if person.identity_erased or not person.has_identity:
            return ""
        found = self.people._vault_now().get(person.id)
        return found.language if found else ""


def _kind(user: UserRow) -> str:
    return PERSON_KINDS[user.role]


def _school_of(user: UserRow, parsed: ParsedRoster) -> str:
    """A person record's school: their own, or for a guardian their first student's."""
    if user.schools:
        return user.schools[0]
    for student, linked in parsed.guardians.items():
        if user.sourced_id in linked and parsed.users[student].schools:
            return parsed.users[student].schools[0]
    raise DomainError(f"user {user.sourced_id} has no school on the roster: link them to one")
