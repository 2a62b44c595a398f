"""The playbook library's JSON API: every playbook (or those for one kind), and one playbook."""

from typing import Annotated, Any

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath

from domain.account import Account
from domain.errors import DomainError
from domain.kinds import KINDS, check_kind
from service.incidents.application import Steady
from service.incidents.as_json import playbook_view
from web.api_fields import in_query, one_of
from web.errors import ITEM_ERRORS, READ_ERRORS, BadInput

# `signed_in_as` is asked for, and not used, on each: only someone signed in reads the library.


@get(
    "/api/v1/playbooks",
    sync_to_thread=True,
    tags=["playbooks"],
    summary="The playbook library",
    responses=READ_ERRORS,
)
def list_playbooks(
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    kind: Annotated[str | None, in_query(one_of(KINDS, nullable=True))] = None,
) -> dict[str, Any]:
    library = steady.playbooks
    if kind:
        try:
            check_kind(kind)
        except DomainError as error:  # the document lists the kinds: another is malformed
            raise BadInput(str(error), "kind") from None
    playbooks = library.for_kind(kind) if kind else library.all()
    return {"playbooks": [playbook_view(p) for p in playbooks]}


@get(
    "/api/v1/playbooks/{playbook_id:str}",
    sync_to_thread=True,
    tags=["playbooks"],
    responses=ITEM_ERRORS,
)
def show_playbook(
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    playbook_id: FromPath[str],
) -> dict[str, Any]:
    return playbook_view(steady.playbooks.get(playbook_id))


PLAYBOOK_API_HANDLERS = [list_playbooks, show_playbook]
