"""Need-to-know inside the district: the one rule that decides how much of an incident a person
gets. The edge (404 or not), the board, the incident list, the event feeds and the live feed all
ask `sight`, so no surface can show what another hides.

- Crisis leads and auditors see every incident.
- District leaders see every incident that is not confidential.
- Responders see the incidents of their schools (their organisation when it is a school, and
  the schools they are given) and any incident where a task is assigned to them by name.
- A confidential incident (about one student by its kind, or marked so by a crisis lead) is seen
  only by crisis leads, the people on its case team, and auditors; district leaders, and
  responders of its schools, get it as a count per school, with nothing else.
- Partners see what is shared with their organisation (service/sharing/view.py says how much).
- A family's needs case, opened from a help request, touches no incident: those who see people
  district-wide see it, and the responders of its school.

Visibility is judged with the incident as it is now (not as it was when an event happened): a
person taken off a case team no longer receives its history on any surface.
"""

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from domain.account import Account
from domain.affected_person import AffectedPerson
from domain.errors import DomainError, NotFound
from domain.incident import Incident
from domain.organisation import school_key
from service.access.permissions import Scope, scopes
from service.accounts.service import Accounts

# Roles whose people see every incident, confidential ones included.
EVERY_CASE = frozenset({"crisis-lead", "auditor"})


class Sight(IntEnum):
    """How much of an incident a person gets, least first."""

    NONE = 0  # it does not exist for them: 404
    COUNT = 1  # counted on the board under its schools; otherwise it does not exist for them
    SHARED = 2  # a partner's share of it
    WHOLE = 3


@dataclass(frozen=True)
class Viewer:
    """What the rule needs to know of a person. An empty username stands for everyone alike in
    roles and schools (a live feed audience), who share no personal grant."""

    username: str
    roles: frozenset[str]
    organisation: str
    schools: frozenset[str]  # school keys (see school_key) of their schools
    disabled: bool = False

    @property
    def every_case(self) -> bool:
        return not self.disabled and bool(self.roles & EVERY_CASE)

    @property
    def reach(self) -> frozenset[Scope]:
        return frozenset() if self.disabled else scopes(self.roles, "view_incident")

    @property
    def district_person(self) -> bool:
        """Someone of the district (not only a partner): case teams and names reach them."""
        return bool(self.reach - {Scope.SHARED})

    def anonymous(self) -> "Viewer":
        """The same roles and schools without the personal grants."""
        return Viewer("", self.roles, self.organisation, self.schools, self.disabled)


def viewer_of(account: Account, school_names: Iterable[str] = ()) -> Viewer:
    """The account as the rule sees it; school_names are the names of its schools (ids alone
    match when the incident names the school as its id reads)."""
    ids = list(account.schools)
    if account.organisation_kind == "school":
        ids.append(account.organisation)
    keys = {school_key(s) for s in [*ids, *school_names]}
    return Viewer(
        account.username,
        frozenset(account.roles),
        account.organisation,
        frozenset(keys),
        account.disabled,
    )


def of_their_schools(viewer: Viewer, incident: Incident) -> bool:
    return any(school_key(s) in viewer.schools for s in incident.schools)


def their_schools(viewer: Viewer, incident: Incident) -> list[str]:
    return [s for s in incident.schools if school_key(s) in viewer.schools]


def named_on_a_task(viewer: Viewer, incident: Incident) -> bool:
    if not viewer.username:
        return False
    return any(
        t.assignee is not None
        and t.assignee.kind == "person"
        and t.assignee.name.strip().casefold() == viewer.username
        for t in incident.tasks.values()
    )


def on_case_team(viewer: Viewer, incident: Incident) -> bool:
    return bool(viewer.username) and viewer.username in incident.case_team


def sight(viewer: Viewer, incident: Incident) -> Sight:
    """THE rule: how much of this incident this person may see."""
    reach = viewer.reach
    if not reach:
        return Sight.NONE
    if viewer.every_case:
        return Sight.WHOLE
    district = viewer.district_person
    if district and on_case_team(viewer, incident):
        return Sight.WHOLE
    shared = Scope.SHARED in reach and viewer.organisation in incident.shares
    ours = Scope.SCHOOL in reach and of_their_schools(viewer, incident)
    if incident.confidential:
        # Not on the case team: a count at most, whatever their role or their tasks.
        if shared:
            return Sight.SHARED  # a crisis lead chose to share it with their organisation
        return Sight.COUNT if Scope.ALL in reach or ours else Sight.NONE
    if Scope.ALL in reach or ours or (district and named_on_a_task(viewer, incident)):
        return Sight.WHOLE
    return Sight.SHARED if shared else Sight.NONE


def may_see(viewer: Viewer, incident: Incident) -> bool:
    """Whether the incident exists for them (wholly, or as a partner's share)."""
    return sight(viewer, incident) >= Sight.SHARED


def counted_under(viewer: Viewer, incident: Incident) -> list[str]:
    """The schools under which a confidential incident is counted for this person (none if
    they see it, or may not even count it)."""
    if sight(viewer, incident) != Sight.COUNT:
        return []
    if Scope.ALL in viewer.reach:
        return list(incident.schools)
    return their_schools(viewer, incident)


def confidential_counts(viewer: Viewer, incidents: Iterable[Incident]) -> dict[str, int]:
    """How many confidential incidents they may only count, per school, in the schools' order
    of first appearance."""
    counts: dict[str, int] = {}
    for incident in incidents:
        for school in counted_under(viewer, incident):
            counts[school] = counts.get(school, 0) + 1
    return counts


def is_personal(viewer: Viewer, incidents: Iterable[Incident]) -> bool:
    """Whether they see more than others with the same roles and schools: a case team or a
    task named to them. Such a person's live feed is encoded for them alone."""
    if viewer.every_case or not viewer.district_person:
        return False
    return any(on_case_team(viewer, i) or named_on_a_task(viewer, i) for i in incidents)


def partner_referrals(viewer: Viewer, person: AffectedPerson) -> list[str]:
    """The ids of the person's referrals to the viewer's partner organisation still open: all a
    partner may know of a person, and only while one is open."""
    if Scope.SHARED not in scopes(viewer.roles, "view_people") or viewer.disabled:
        return []
    return [r.id for r in person.referred_to_partner(viewer.organisation) if r.status != "closed"]


def person_incidents(
    viewer: Viewer, person: AffectedPerson, incidents: Mapping[str, Incident]
) -> list[str]:
    """The incidents of the person this viewer sees the person on (pseudonym, triage,
    referrals): those whose incident they see whole, and those where they are the person's
    counselor. `incidents` holds the person's incidents by reference."""
    if viewer.disabled or not scopes(viewer.roles, "view_people") - {Scope.SHARED}:
        return []
    return [
        ref
        for ref in person.incidents
        if (ref in incidents and sight(viewer, incidents[ref]) is Sight.WHOLE)
        or (viewer.username and person.counselors.get(ref) == viewer.username)
    ]


def person_sight(
    viewer: Viewer, person: AffectedPerson, incidents: Mapping[str, Incident]
) -> Sight:
    """THE rule for an affected person: WHOLE (their record, on the incidents the viewer sees),
    SHARED (a partner they are referred to: their referrals only) or NONE (no such person)."""
    if person_incidents(viewer, person, incidents) or sees_needs_case(viewer, person):
        return Sight.WHOLE
    return Sight.SHARED if partner_referrals(viewer, person) else Sight.NONE


def sees_needs_case(viewer: Viewer, person: AffectedPerson) -> bool:
    """A family's needs case (from a help request) touches no incident: it is seen by those
    who see people district-wide, and by the responders of its school."""
    if viewer.disabled or not person.needs_cases:
        return False
    found = scopes(viewer.roles, "view_people")
    return Scope.ALL in found or (
        Scope.SCHOOL in found and school_key(person.school) in viewer.schools
    )


def sees_follow_up(
    viewer: Viewer, incident: Incident | None, owner: str, owner_organisation: str
) -> bool:
    """Whether news of a follow-up (a plan, a check-in recorded) reaches this viewer: they may
    record the owner's check-ins (permissions.may_record_check_in's rule), or they see its
    incident whole."""
    if viewer.disabled:
        return False
    found = scopes(viewer.roles, "record_check_in")
    if Scope.ALL in found or (Scope.OWN in found and viewer.username and owner == viewer.username):
        return True
    if Scope.SHARED in found and owner_organisation and owner_organisation == viewer.organisation:
        return True
    return incident is not None and sight(viewer, incident) is Sight.WHOLE


def sees_person_on(
    viewer: Viewer, incidents: Mapping[str, Incident], counselors: Mapping[str, str]
) -> bool:
    """Whether news of a person on these incidents (by reference) reaches this viewer: the rule
    of person_incidents, asked of the incidents the news concerns. `counselors` gives the
    person's counselor on each."""
    if viewer.disabled or not scopes(viewer.roles, "view_people") - {Scope.SHARED}:
        return False
    return any(sight(viewer, incident) is Sight.WHOLE for incident in incidents.values()) or bool(
        viewer.username and viewer.username in counselors.values()
    )


def may_see_identity(viewer: Viewer, person: AffectedPerson) -> bool:
    """Need-to-know for an identity: crisis leads, the person's counselor, and a partner it is
    shared with while their referral is open. No one once it is erased."""
    found = frozenset() if viewer.disabled else scopes(viewer.roles, "view_identity")
    if person.identity_erased or not person.has_identity or not found:
        return False
    if Scope.ALL in found:
        return True
    if Scope.OWN in found and person.is_counselor(viewer.username):
        return True
    return (
        Scope.SHARED in found
        and viewer.organisation in person.shared_with
        and bool(partner_referrals(viewer, person))
    )


class SchoolNames:
    """Organisation ids to names, for matching an account's schools against the names an
    incident gives. Organisations are never renamed (they have no event but their creation), so
    what is read once is kept."""

    def __init__(self, accounts: Accounts) -> None:
        self._accounts = accounts
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()

    def name(self, slug: str) -> str | None:
        with self._lock:
            if slug in self._names:
                return self._names[slug]
        try:
            name = self._accounts.organisation(slug).name
        except (NotFound, DomainError):
            return None  # not (or no longer) an organisation: the id alone still matches
        with self._lock:
            self._names[slug] = name
        return name

    def viewer(self, account: Account) -> Viewer:
        ids = [*account.schools]
        if account.organisation_kind == "school":
            ids.append(account.organisation)
        names = [n for n in (self.name(s) for s in ids) if n]
        return viewer_of(account, names)


def case_team_candidates(accounts: Accounts, incident: Incident) -> list[tuple[str, str]]:
    """(username, label) of everyone who may join the incident's case team and is not on it:
    the lead picks from these, never types a name that a refusal then sends back."""
    return [
        (a.username, f"{a.display_name} ({a.username})")
        for a in accounts.list_users()
        if not a.disabled
        and a.username not in incident.case_team
        and scopes(a.roles, "view_incident") - {Scope.SHARED}
    ]


def check_case_team_member(accounts: Accounts, username: str) -> Account:
    """Someone may join a case team if they are of the district and may see incidents: a
    partner's people see only shares, and an admin sees no incident."""
    account = accounts.account(username)
    reach = scopes(account.roles, "view_incident")
    if not reach - {Scope.SHARED}:
        raise DomainError(
            f"{account.username} ({', '.join(account.roles)}) cannot join a case team: it is "
            "for the district's people who see incidents; share the incident with a partner "
            "organisation instead"
        )
    if account.disabled:
        raise DomainError(f"{account.username} is disabled; enable the account first")
    return account
