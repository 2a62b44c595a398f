"""The checks every people handler makes, in one order: the action by the person's roles (403),
then whether the affected person exists for them (404, as for no such person), then, for a
change on one incident, whether they see that incident whole."""

from dataclasses import dataclass

from litestar import Request

from domain.account import Account
from domain.affected_person import AffectedPerson
from domain.errors import DomainError, NotFound
from service.access.need_to_know import Sight, Viewer, may_see_identity, person_incidents
from service.access.permissions import Forbidden
from service.people.service import People
from web.access.auth import allow, viewer_of


@dataclass(frozen=True)
class Seen:
    account: Account
    viewer: Viewer
    person: AffectedPerson
    sight: Sight


def seen(request: Request, people: People, person_ref: str, action: str) -> Seen:
    account = allow(request, action)
    viewer = viewer_of(request, account)
    person, sight = people.seen_person(viewer, person_ref)
    return Seen(account, viewer, person, sight)


def whole(request: Request, people: People, person_ref: str, action: str) -> Seen:
    """For changes only those who see the person's record may make (a partner sees only their
    referral, so the person is, for such a change, none of theirs)."""
    found = seen(request, people, person_ref, action)
    if found.sight is not Sight.WHOLE:
        raise NotFound(f"no person {found.person.reference}")
    return found


def on_incident(people: People, found: Seen, incident_ref: str) -> str:
    """The incident's reference, if the person is on it and the viewer sees it."""
    ref = incident_ref.strip().upper()
    incidents = people.incidents_of(found.person)
    if ref in person_incidents(found.viewer, found.person, incidents):
        return ref
    if ref in found.person.incidents:
        raise NotFound(f"there is no incident {incident_ref}")
    raise DomainError(
        f"{found.person.reference} is not recorded on {incident_ref}: record them on it first"
    )


def identity_allowed(found: Seen) -> None:
    person = found.person
    if person.identity_erased:
        raise NotFound(f"the identity of {person.reference} was erased: no one can see it")
    if not person.has_identity:
        raise NotFound(f"no identity is recorded for {person.reference}")
    if not may_see_identity(found.viewer, person):
        raise Forbidden(
            f"you may not see the identity of {person.reference}: only crisis leads, the "
            "person's counselor, and a partner a crisis lead shares it with"
        )
