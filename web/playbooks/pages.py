"""The playbook library's pages: every playbook (or those for one kind of incident), and one
playbook's phases and steps, with who owns each step."""

from typing import Annotated, Any

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from domain.account import Account
from domain.healing import COMPONENTS, STAKEHOLDER_GROUPS
from domain.kinds import KINDS
from playbooks.library import UnknownPlaybook
from playbooks.model import Playbook
from playbooks.problems import PlaybookInvalid
from service.incidents.application import Steady
from service.incidents.as_json import playbook_view
from web.rendering import context, not_found, page, page_route, role_label


def playbook_for_page(playbook: Playbook) -> dict[str, Any]:
    view = playbook_view(playbook)
    titles = {r["id"]: r["title"] for r in view["roles"]}
    for phase in view["phases"]:
        phase["label"] = phase["phase"].capitalize()
        for step in phase["steps"]:
            step["owner_title"] = titles.get(step["owner"], role_label(step["owner"]))
            step["stakeholder_label"] = STAKEHOLDER_GROUPS.get(
                step["stakeholder"], step["stakeholder"]
            )
            step["component_label"] = COMPONENTS.get(step["component"], step["component"])
            step["kind_labels"] = [KINDS.get(k, k) for k in step["kinds"]]
    view["kind_labels"] = [KINDS.get(k, k) for k in view["kinds"]]
    view["step_count"] = sum(len(p["steps"]) for p in view["phases"])
    return view


# `signed_in_as` is asked for, and not used, on each: only someone signed in reads the library.


@page_route("/playbooks", "playbooks")
def playbooks_page(
    request: Request,
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    kind: Annotated[str | None, QueryParameter(name="kind")] = None,
) -> Response:
    kind = kind if kind in KINDS else None
    chosen = steady.playbooks.for_kind(kind) if kind else steady.playbooks.all()
    return page(
        "playbooks.html",
        context(
            request,
            "Playbooks",
            playbooks=[playbook_for_page(p) for p in chosen],
            kind=kind or "",
            refused=sorted(steady.playbooks.refused),
        ),
    )


@page_route("/playbooks/{playbook_id:str}", "playbook")
def playbook_page(
    request: Request,
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    playbook_id: FromPath[str],
) -> Response:
    try:
        playbook = steady.playbooks.get(playbook_id)
    except UnknownPlaybook:
        return not_found(request, f"There is no playbook called “{playbook_id}”.")
    except PlaybookInvalid as error:
        return not_found(request, f"The playbook “{playbook_id}” was refused: {error}")
    view = playbook_for_page(playbook)
    return page("playbook.html", context(request, view["title"], playbook=view))


PLAYBOOK_PAGES = [playbooks_page, playbook_page]
