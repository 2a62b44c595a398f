"""Confidential incidents and their case teams, for crisis leads: marking an incident
confidential and unmarking it, adding someone to its case team and taking them off it. Each is an
event in the incident's own stream, so the timeline and replay show who widened or narrowed
sight, and when."""

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.errors import DomainError, NotFound
from domain.need_to_know import MAX_REASON
from service.access.need_to_know import check_case_team_member
from service.accounts.service import Accounts
from service.incidents.application import Steady
from web.access.guards import requires
from web.api_fields import field, text, whole
from web.dependencies import CommandOptions
from web.errors import COMMAND_ERRORS, RefusedInput, UnknownInput

# Every route here is the crisis lead's: restrict_incident covers each whole.
RESTRICTING = {
    "sync_to_thread": True,
    "responses": COMMAND_ERRORS,
    "guards": [requires("restrict_incident")],
}


MaybeReason = Annotated[str, field(text(MAX_REASON, required=False))]
Version = Annotated[int | None, field(whole(1))]


@dataclass
class Mark:
    reason: MaybeReason = ""
    based_on_version: Version = None


@dataclass
class Unmark:
    # Widening who sees a case needs a reason, for auditors.
    reason: Annotated[str, field(text(MAX_REASON))]
    based_on_version: Version = None


@dataclass
class Member:
    username: Annotated[str, field(text(64))]


@dataclass
class Removal:
    reason: MaybeReason = ""


class NeedToKnowController(Controller):
    path = "/api/v1/incidents/{ref:str}"
    tags = ["need-to-know"]

    @post(
        "/confidential",
        status_code=HTTP_200_OK,
        summary="Mark the incident confidential: only crisis leads, its case team and auditors",
        **RESTRICTING,
    )
    def mark(
        self,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[Mark],
    ) -> dict[str, Any]:
        return steady.mark_confidential(
            ref, reason=data.reason, **command_options(data.based_on_version)
        ).as_dict()

    @post(
        "/confidential/end",
        status_code=HTTP_200_OK,
        summary="Unmark the incident confidential (not one about a single student by its kind)",
        **RESTRICTING,
    )
    def unmark(
        self,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[Unmark],
    ) -> dict[str, Any]:
        return steady.unmark_confidential(
            ref, reason=data.reason, **command_options(data.based_on_version)
        ).as_dict()

    @post(
        "/case-team",
        status_code=HTTP_201_CREATED,
        summary="Add a person (by username) to the incident's case team",
        **RESTRICTING,
    )
    def add_member(
        self,
        steady: NamedDependency[Steady],
        accounts: NamedDependency[Accounts],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[Member],
    ) -> dict[str, Any]:
        try:
            account = check_case_team_member(accounts, data.username)
        except NotFound:
            raise UnknownInput(f"there is no account {data.username!r}", "username") from None
        except DomainError as refusal:
            raise RefusedInput(str(refusal), "username") from None
        return steady.add_to_case_team(ref, account.username, **command_options()).as_dict()

    @post(
        "/case-team/{username:str}/remove",
        status_code=HTTP_200_OK,
        summary="Take a person off the incident's case team",
        **RESTRICTING,
    )
    def remove_member(
        self,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        username: FromPath[str],
        data: JSONBody[Removal],
    ) -> dict[str, Any]:
        return steady.remove_from_case_team(
            ref, username, reason=data.reason, **command_options()
        ).as_dict()


NEED_TO_KNOW_HANDLERS = [NeedToKnowController]
