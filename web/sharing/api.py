"""Sharing an incident, and notes within it, with partner organisations; and ending a share."""

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.organisation import MAX_NAME
from service.accounts.service import Accounts
from service.incidents.application import Steady
from service.sharing.partners import partner_named
from web.access.guards import requires
from web.api_fields import field, text, whole
from web.dependencies import CommandOptions
from web.errors import COMMAND_ERRORS

SHARING = {
    "sync_to_thread": True,
    "responses": COMMAND_ERRORS,
    "guards": [requires("share_incident")],
}


# The partner organisation's id (or its name): one that is not a partner's answers 404 or 422.
Partner = Annotated[str, field(text(MAX_NAME), description="a partner organisation's id or name")]


@dataclass
class Share:
    organisation: Partner
    based_on_version: Annotated[int | None, field(whole(1))] = None


@dataclass
class EndShare:
    reason: Annotated[str, field(text(required=False))] = ""


@dataclass
class ShareNote:
    organisation: Partner


class SharingController(Controller):
    path = "/api/v1/incidents/{ref:str}"
    tags = ["sharing"]

    @post(
        "/shares",
        status_code=HTTP_201_CREATED,
        summary="Share the incident with a partner organisation",
        **SHARING,
    )
    def share(
        self,
        steady: NamedDependency[Steady],
        accounts: NamedDependency[Accounts],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[Share],
    ) -> dict[str, Any]:
        partner = partner_named(accounts, data.organisation)
        options = command_options(data.based_on_version)
        return steady.share_incident(ref, partner.slug, partner.name, **options).as_dict()

    @post(
        "/shares/{organisation:str}/end",
        status_code=HTTP_200_OK,
        summary="End the incident's share with a partner organisation",
        **SHARING,
    )
    def end_share(
        self,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        organisation: FromPath[str],
        data: JSONBody[EndShare],
    ) -> dict[str, Any]:
        slug = organisation.strip().lower()
        return steady.end_share(ref, slug, reason=data.reason, **command_options()).as_dict()

    @post(
        "/notes/{note_id:str}/shares",
        status_code=HTTP_201_CREATED,
        summary="Share a note with a partner organisation the incident is shared with",
        **SHARING,
    )
    def share_note(
        self,
        steady: NamedDependency[Steady],
        accounts: NamedDependency[Accounts],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        note_id: FromPath[str],
        data: JSONBody[ShareNote],
    ) -> dict[str, Any]:
        partner = partner_named(accounts, data.organisation)
        return steady.share_note(ref, note_id, partner.slug, **command_options()).as_dict()


SHARING_HANDLERS = [SharingController]
