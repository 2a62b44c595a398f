"""Sharing an incident, and notes within it, with partner organisations; and ending a share."""

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.sharing.partners import partner_named
from web.auth import allow, steady_of
from web.errors import COMMAND_ERRORS
from web.incidents.api import options


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
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Share the incident with a partner organisation",
        responses=COMMAND_ERRORS,
    )
    def share(self, request: Request, ref: FromPath[str], data: JSONBody[Share]) -> dict[str, Any]:
        allow(request, "share_incident", ref=ref)
        partner = partner_named(request.app.state.accounts, data.organisation)
        return (
            steady_of(request)
            .share_incident(
                ref, partner.slug, partner.name, **options(request, data.based_on_version)
            )
            .as_dict()
        )

    @post(
        "/shares/{organisation:str}/end",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="End the incident's share with a partner organisation",
        responses=COMMAND_ERRORS,
    )
    def end_share(
        self,
        request: Request,
        ref: FromPath[str],
        organisation: FromPath[str],
        data: JSONBody[EndShare],
    ) -> dict[str, Any]:
        allow(request, "share_incident", ref=ref)
        return (
            steady_of(request)
            .end_share(ref, organisation.strip().lower(), reason=data.reason, **options(request))
            .as_dict()
        )

    @post(
        "/notes/{note_id:str}/shares",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Share a note with a partner organisation the incident is shared with",
        responses=COMMAND_ERRORS,
    )
    def share_note(
        self,
        request: Request,
        ref: FromPath[str],
        note_id: FromPath[str],
        data: JSONBody[ShareNote],
    ) -> dict[str, Any]:
        allow(request, "share_incident", ref=ref)
        partner = partner_named(request.app.state.accounts, data.organisation)
        return (
            steady_of(request).share_note(ref, note_id, partner.slug, **options(request)).as_dict()
        )
