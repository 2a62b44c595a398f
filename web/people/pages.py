"""The person page (/people/P-0007): the pseudonymous record, triage history and referrals, the
identity behind a "Show identity" action that is recorded before it is drawn, and the forms for
triage and referral; the incident page's form to record a person; the admin's erasure page.

Plain HTML forms (CSRF token, redirect back with a one-off confirmation), through the same
service commands as the JSON API; a refusal draws the page again saying what was wrong."""

from typing import Any

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from domain.account import Account
from domain.errors import DomainError, NotFound
from domain.identity import Identity
from domain.triage import FACTORS, WARNING_SIGNS
from service.access.need_to_know import Sight, may_see_identity
from service.access.permissions import Forbidden, scopes
from service.people.identities import IDENTITY_SURFACES
from service.people.service import People
from web.access.auth import allow
from web.accounts.forms import Form, back_with, every, take_flash, text
from web.people.access import Seen, identity_allowed, on_incident, seen, whole
from web.rendering import context, page, page_route

FORM_POST = {"sync_to_thread": True, "include_in_schema": False}


def person_context(
    request: Request,
    people: People,
    found: Seen,
    *,
    identity: Identity | None = None,
    error: str = "",
) -> dict[str, Any]:
    view = people.view(found.viewer, found.person)
    roles = found.account.roles
    whole_sight = found.sight is Sight.WHOLE
    return context(
        request,
        f"{found.person.reference}: affected person",
        person=view,
        whole=whole_sight,
        identity=identity.as_dict() if identity else None,
        may_show_identity=may_see_identity(found.viewer, found.person),
        may_triage=whole_sight and bool(scopes(roles, "triage")),
        may_refer=whole_sight and bool(scopes(roles, "refer")),
        factors=FACTORS,
        warning_signs=WARNING_SIGNS,
        surfaces=IDENTITY_SURFACES,
        flash=take_flash(request),
        error=error,
    )


@page_route("/people/{person:str}", "person", "view_people")
def person_page(
    request: Request, people: NamedDependency[People], person: FromPath[str]
) -> Response:
    found = seen(request, people, person, "view_people")
    return page("person.html", person_context(request, people, found))


@post("/people/{person:str}/identity", name="person_show_identity", **FORM_POST)
def show_identity(
    request: Request, people: NamedDependency[People], person: FromPath[str]
) -> Response:
    """The identity, drawn once and never cached: the view is in the person's history first."""
    found = seen(request, people, person, "view_identity")
    identity_allowed(found)
    actor = found.account.acting_as()
    shown = people.identity(found.person.reference, surface="page", actor=actor)
    found = seen(request, people, person, "view_identity")  # with this view in its history
    return page("person.html", person_context(request, people, found, identity=shown))


def _refused(request: Request, people: People, found: Seen, error: Exception) -> Response:
    status = 403 if isinstance(error, Forbidden) else 422
    message = str(error).strip()
    ctx = person_context(request, people, found, error=message[:1].upper() + message[1:])
    return page("person.html", ctx, status)


@post("/people/{person:str}/triage", name="person_triage", **FORM_POST)
def triage_form(
    request: Request, people: NamedDependency[People], person: FromPath[str], data: Form
) -> Response:
    found = whole(request, people, person, "triage")
    try:
        incident = on_incident(people, found, text(data, "incident"))
        done = people.triage(
            found.person.reference,
            incident,
            factors=[f for f in every(data, "factors") if f],
            warning_signs=[s for s in every(data, "warning_signs") if s],
            tier=text(data, "tier"),
            reason=text(data, "reason"),
            counselor=text(data, "counselor"),
            actor=found.account.acting_as(),
        )
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return _refused(request, people, found, error)
    message = f"Triaged on {incident}: {done.tier.label}."
    if done.raised:
        message += " Warning signs raised it to tier 3, and an urgent task is on the incident."
    return back_with(request, f"/people/{found.person.reference}", message)


@post("/people/{person:str}/referrals", name="person_refer", **FORM_POST)
def refer_form(
    request: Request, people: NamedDependency[People], person: FromPath[str], data: Form
) -> Response:
    found = whole(request, people, person, "refer")
    try:
        incident = on_incident(people, found, text(data, "incident"))
        referral = people.refer(
            found.person.reference,
            incident,
            kind=text(data, "to_kind"),
            to=text(data, "to"),
            reason=text(data, "reason"),
            asked_to=text(data, "asked_to"),
            actor=found.account.acting_as(),
        )
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return _refused(request, people, found, error)
    message = f"Referred to {referral.to} ({referral.id})."
    return back_with(request, f"/people/{found.person.reference}", message)


@post("/incidents/{ref:str}/people", name="incident_record_person", **FORM_POST)
def record_form(
    request: Request, people: NamedDependency[People], ref: FromPath[str], data: Form
) -> Response:
    account = allow(request, "record_people", ref=ref)
    name = text(data, "name").strip()
    try:
        identity = (
            Identity.parse(
                {
                    "name": name,
                    "person_id": text(data, "person_id"),
                    "date_of_birth": text(data, "date_of_birth").strip() or None,
                    "language": text(data, "language"),
                }
            )
            if name
            else None
        )
        reference, known = people.record_person(
            ref,
            kind=text(data, "kind"),
            school=text(data, "school"),
            grade=text(data, "grade"),
            how_affected=text(data, "how_affected"),
            identity=identity,
            actor=account.acting_as(),
        )
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        message = str(error)
        return back_with(request, f"/incidents/{ref}#people", f"Not recorded: {message}.")
    said = "already known from another incident: the same record" if known else "recorded"
    return back_with(request, f"/people/{reference}", f"{reference} {said} on {ref}.")


@page_route("/admin/people", "admin_people", "erase_identity")
def erase_page(request: Request, signed_in_as: NamedDependency[Account]) -> Response:
    ctx = context(request, "Erase an identity", flash=take_flash(request), error="", entered={})
    return page("admin_people.html", ctx)


@post("/admin/people/erase", name="admin_erase_identity", **FORM_POST)
def erase_form(request: Request, people: NamedDependency[People], data: Form) -> Response:
    account = allow(request, "erase_identity")
    entered = {"reference": text(data, "reference").strip(), "reason": text(data, "reason")}
    try:
        reference = people.person(entered["reference"]).reference
        people.erase_identity(reference, entered["reason"], actor=account.acting_as())
    except DomainError as error:
        message = str(error).strip()
        ctx = context(
            request,
            "Erase an identity",
            flash="",
            error=message[:1].upper() + message[1:],
            entered=entered,
        )
        return page("admin_people.html", ctx, 404 if isinstance(error, NotFound) else 422)
    message = f"The identity of {reference} is erased: its key is destroyed."
    return back_with(request, "/admin/people", message)


PEOPLE_PAGES = [
    person_page,
    show_identity,
    triage_form,
    refer_form,
    record_form,
    erase_page,
    erase_form,
]
