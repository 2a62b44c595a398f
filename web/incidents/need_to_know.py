"""Confidential incidents and their case teams, for crisis leads: marking an incident
confidential and unmarking it, adding someone to its case team and taking them off it. Each is an
event in the incident's own stream, so the timeline and replay show who widened or narrowed
sight, and when."""

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.errors import DomainError, NotFound
from service.access.need_to_know import check_case_team_member
from web.auth import accounts_of, allow, steady_of
from web.errors import COMMAND_ERRORS, BadInput
from web.incidents.api import options

ACTION = "restrict_incident"


@dataclass
class Mark:
    reason: str = ""
    based_on_version: int | None = None


@dataclass
class Unmark:
    reason: str  # widening who sees a case needs a reason, for auditors
    based_on_version: int | None = None


@dataclass
class Member:
    username: str


@dataclass
class Removal:
    reason: str = ""


class NeedToKnowController(Controller):
    path = "/api/v1/incidents/{ref:str}"
    tags = ["need-to-know"]

    @post(
        "/confidential",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Mark the incident confidential: only crisis leads, its case team and auditors",
        responses=COMMAND_ERRORS,
    )
    def mark(self, request: Request, ref: FromPath[str], data: JSONBody[Mark]) -> dict[str, Any]:
        allow(request, ACTION, ref=ref)
        return (
            steady_of(request)
            .mark_confidential(ref, reason=data.reason, **options(request, data.based_on_version))
            .as_dict()
        )

    @post(
        "/confidential/end",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Unmark the incident confidential (not one about a single student by its kind)",
        responses=COMMAND_ERRORS,
    )
    def unmark(
        self, request: Request, ref: FromPath[str], data: JSONBody[Unmark]
    ) -> dict[str, Any]:
        allow(request, ACTION, ref=ref)
        return (
            steady_of(request)
            .unmark_confidential(ref, reason=data.reason, **options(request, data.based_on_version))
            .as_dict()
        )

    @post(
        "/case-team",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Add a person (by username) to the incident's case team",
        responses=COMMAND_ERRORS,
    )
    def add_member(
        self, request: Request, ref: FromPath[str], data: JSONBody[Member]
    ) -> dict[str, Any]:
        allow(request, ACTION, ref=ref)
        try:
            account = check_case_team_member(accounts_of(request), data.username)
        except NotFound:
            raise BadInput(f"there is no account {data.username!r}", "username") from None
        except DomainError as refusal:
            raise BadInput(str(refusal), "username") from None
        return (
            steady_of(request).add_to_case_team(ref, account.username, **options(request)).as_dict()
        )

    @post(
        "/case-team/{username:str}/remove",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Take a person off the incident's case team",
        responses=COMMAND_ERRORS,
    )
    def remove_member(
        self, request: Request, ref: FromPath[str], username: FromPath[str], data: JSONBody[Removal]
    ) -> dict[str, Any]:
        allow(request, ACTION, ref=ref)
        return (
            steady_of(request)
            .remove_from_case_team(ref, username, reason=data.reason, **options(request))
            .as_dict()
        )


NEED_TO_KNOW_HANDLERS = [NeedToKnowController]
