"""Affected people in the JSON API: those of an incident, one person by pseudonym, their
identity (need-to-know, every view recorded), triage, referrals, sharing and erasure."""

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.errors import NotFound
from domain.identity import Identity
from service.access.need_to_know import Sight
from service.people.service import People
from web.access.auth import allow, viewer_of
from web.access.guards import requires
from web.dependencies import CommandOptions
from web.errors import COMMAND_ERRORS, ITEM_ERRORS
from web.people.access import identity_allowed, on_incident, seen, whole
from web.people.bodies import (
    AssignCounselor,
    EndShare,
    Erase,
    IdentityBody,
    MoveReferral,
    RecordPerson,
    Refer,
    ShareIdentity,
    TriagePerson,
)

TAGS = ["people"]
READ = {"sync_to_thread": True, "tags": TAGS, "responses": ITEM_ERRORS}
CHANGED = {
    "sync_to_thread": True,
    "tags": TAGS,
    "status_code": HTTP_200_OK,
    "responses": COMMAND_ERRORS,
}
ADDED = {**CHANGED, "status_code": HTTP_201_CREATED}
PERSON = "/api/v1/people/{person:str}"


@get(
    "/api/v1/incidents/{ref:str}/people",
    summary="The people the incident affected, by pseudonym",
    description="Pseudonyms only: an identity is read on its own, by those with need-to-know. "
    "A partner's people see only the people referred to their organisation.",
    guards=[requires("view_people")],
    **READ,
)
def incident_people(
    request: Request, people: NamedDependency[People], ref: FromPath[str]
) -> dict[str, Any]:
    viewer = viewer_of(request, allow(request, "view_people"))
    reference = people.steady.incident(ref).reference  # the path may give the incident's id
    shown = []
    for person in people.on_incident(reference):
        if people.sight_of(viewer, person) is not Sight.NONE:
            shown.append(people.view(viewer, person))
    return {"incident": reference, "people": shown}


@post(
    "/api/v1/incidents/{ref:str}/people",
    summary="Record a person the incident affected",
    description="The same student or staff member (by their id) on a second incident is the "
    "same record and keeps their pseudonym (`known`: true).",
    guards=[requires("record_people")],
    **ADDED,
)
def record_person(
    people: NamedDependency[People],
    command_options: NamedDependency[CommandOptions],
    ref: FromPath[str],
    data: JSONBody[RecordPerson],
) -> dict[str, Any]:
    identity = Identity.parse(data.identity.as_data()) if data.identity else None
    reference, known = people.record_person(
        ref,
        kind=data.kind,
        school=data.school,
        grade=data.grade or "",
        how_affected=data.how_affected,
        identity=identity,
        actor=command_options.actor(),
    )
    return {"reference": reference, "known": known}


@get(PERSON, summary="One affected person, by pseudonym", guards=[requires("view_people")], **READ)
def person_api(
    request: Request, people: NamedDependency[People], person: FromPath[str]
) -> dict[str, Any]:
    found = seen(request, people, person, "view_people")
    return people.view(found.viewer, found.person)


@get(
    f"{PERSON}/identity",
    summary="The person's identity (the view is recorded)",
    description="For the person's counselor, crisis leads, and a partner it is shared with. "
    "Every answer is recorded in the person's history before it is sent.",
    guards=[requires("view_identity")],
    **READ,
)
def identity_api(
    request: Request,
    people: NamedDependency[People],
    command_options: NamedDependency[CommandOptions],
    person: FromPath[str],
) -> dict[str, Any]:
    found = seen(request, people, person, "view_identity")
    identity_allowed(found)
    identity = people.identity(found.person.reference, surface="api", actor=command_options.actor())
    return {"reference": found.person.reference, "identity": identity.as_dict()}


@post(
    f"{PERSON}/identity",
    summary="Record or replace the person's identity",
    guards=[requires("record_people")],
    **CHANGED,
)
def record_identity(
    request: Request,
    people: NamedDependency[People],
    command_options: NamedDependency[CommandOptions],
    person: FromPath[str],
    data: JSONBody[IdentityBody],
) -> dict[str, Any]:
    found = whole(request, people, person, "record_people")
    if found.person.has_identity and not found.person.identity_erased:
        identity_allowed(found)  # replacing one is for those who may see the one it replaces
    identity = Identity.parse(data.as_data())
    people.record_identity(found.person.reference, identity, actor=command_options.actor())
    return {"reference": found.person.reference, "identity_recorded": True}


@post(
    f"{PERSON}/triage",
    summary="Triage the person on an incident",
    guards=[requires("triage")],
    **ADDED,
)
def triage_api(
    request: Request,
    people: NamedDependency[People],
    command_options: NamedDependency[CommandOptions],
    person: FromPath[str],
    data: JSONBody[TriagePerson],
) -> dict[str, Any]:
    found = whole(request, people, person, "triage")
    incident = on_incident(people, found, data.incident)
    done = people.triage(
        found.person.reference,
        incident,
        factors=data.factors,
        warning_signs=data.warning_signs,
        tier=data.tier,
        reason=data.reason,
        counselor=data.counselor,
        actor=command_options.actor(),
    )
    return {"reference": found.person.reference, "triage": done.as_dict()}


@post(
    f"{PERSON}/counselor",
    summary="Assign the person's counselor on an incident",
    guards=[requires("triage")],
    **CHANGED,
)
def counselor_api(
    request: Request,
    people: NamedDependency[People],
    command_options: NamedDependency[CommandOptions],
    person: FromPath[str],
    data: JSONBody[AssignCounselor],
) -> dict[str, Any]:
    found = whole(request, people, person, "triage")
    incident = on_incident(people, found, data.incident)
    people.assign_counselor(
        found.person.reference, incident, data.counselor, actor=command_options.actor()
    )
    return {
        "reference": found.person.reference,
        "incident": incident,
        "counselor": data.counselor.strip().lower(),
    }


@post(
    f"{PERSON}/referrals",
    summary="Refer the person to a professional or a partner",
    guards=[requires("refer")],
    **ADDED,
)
def refer_api(
    request: Request,
    people: NamedDependency[People],
    command_options: NamedDependency[CommandOptions],
    person: FromPath[str],
    data: JSONBody[Refer],
) -> dict[str, Any]:
    found = whole(request, people, person, "refer")
    incident = on_incident(people, found, data.incident)
    referral = people.refer(
        found.person.reference,
        incident,
        kind=data.to_kind,
        to=data.to,
        reason=data.reason,
        asked_to=data.asked_to,
        actor=command_options.actor(),
    )
    return {"reference": found.person.reference, "referral": referral.as_dict()}


@post(
    f"{PERSON}/referrals/{{referral:str}}/status",
    summary="Accept or close a referral",
    description="A partner's people move only the referrals made to their organisation.",
    guards=[requires("update_referral")],
    **CHANGED,
)
def move_referral_api(
    request: Request,
    people: NamedDependency[People],
    command_options: NamedDependency[CommandOptions],
    person: FromPath[str],
    referral: FromPath[str],
    data: JSONBody[MoveReferral],
) -> dict[str, Any]:
    found = seen(request, people, person, "update_referral")
    wanted = referral.strip().upper()
    if found.sight is not Sight.WHOLE:
        mine = [r.id for r in found.person.referred_to_partner(found.viewer.organisation)]
        if wanted not in mine:
            raise NotFound(f"{found.person.reference} has no referral {referral!r} of yours")
    moved = people.move_referral(
        found.person.reference, wanted, data.status, note=data.note, actor=command_options.actor()
    )
    return {"reference": found.person.reference, "referral": moved.as_dict()}


@post(
    f"{PERSON}/identity/shares",
    summary="Share the identity with the partner the person is referred to",
    guards=[requires("share_identity")],
    **ADDED,
)
def share_identity_api(
    request: Request,
    people: NamedDependency[People],
    command_options: NamedDependency[CommandOptions],
    person: FromPath[str],
    data: JSONBody[ShareIdentity],
) -> dict[str, Any]:
    found = whole(request, people, person, "share_identity")
    people.share_identity(found.person.reference, data.organisation, actor=command_options.actor())
    return {"reference": found.person.reference, "shared_with": data.organisation.strip().lower()}


@post(
    f"{PERSON}/identity/shares/{{organisation:str}}/end",
    summary="End the sharing of the identity with a partner",
    guards=[requires("share_identity")],
    **CHANGED,
)
def end_share_api(
    request: Request,
    people: NamedDependency[People],
    command_options: NamedDependency[CommandOptions],
    person: FromPath[str],
    organisation: FromPath[str],
    data: JSONBody[EndShare],
) -> dict[str, Any]:
    found = whole(request, people, person, "share_identity")
    people.revoke_identity_share(
        found.person.reference, organisation, data.reason, actor=command_options.actor()
    )
    return {"reference": found.person.reference, "ended": organisation.strip().lower()}


@post(
    f"{PERSON}/erase",
    summary="Erase the person's identity (destroys its key)",
    description="The history keeps the pseudonym and says who erased the identity and why; "
    "the identity can no longer be read by anyone.",
    guards=[requires("erase_identity")],
    **CHANGED,
)
def erase_api(
    request: Request,
    people: NamedDependency[People],
    command_options: NamedDependency[CommandOptions],
    person: FromPath[str],
    data: JSONBody[Erase],
) -> dict[str, Any]:
    allow(request, "erase_identity")
    reference = people.person(person).reference  # an admin sees no incident: by pseudonym only
    people.erase_identity(reference, data.reason, actor=command_options.actor())
    return {"reference": reference, "identity_erased": True}


PEOPLE_API_HANDLERS = [
    incident_people,
    record_person,
    person_api,
    identity_api,
    record_identity,
    triage_api,
    counselor_api,
    refer_api,
    move_referral_api,
    share_identity_api,
    end_share_api,
    erase_api,
]
