"""Sharing an incident, and notes within it, with partner organisations; and ending a share."""

from dataclasses import dataclass
from typing import Any

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.accounts.service import Accounts
from service.incidents.application import Steady
from service.sharing.partners import partner_named
from web.access.guards import requires
from web.dependencies import CommandOptions
from web.errors import COMMAND_ERRORS

SHARING = {
    "sync_to_thread": True,
    "responses": COMMAND_ERRORS,
    "guards": [requires("share_incident")],
}


@dataclass
class Share:
    organisation: str  # the partner organisation's id (or its name)
    based_on_version: int | None = None


@dataclass
class EndShare:
    reason: str = ""


@dataclass
class ShareNote:
    organisation: str


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
