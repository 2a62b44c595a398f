"""Reunification in the JSON API, beside its pages: the state with the live counts, the roster's
students of the incident's schools, and each station's command. Guardians' and students' names
are in the answers (those who may see reunification need them at the stations); never in a path."""

from datetime import datetime
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.reunification import Case
from service.reunification.access import require_decide
from service.reunification.service import CaseView, Reunifications
from web.access.auth import allow
from web.access.guards import requires
from web.api_fields import in_path, in_query, matching, text
from web.errors import COMMAND_ERRORS, ITEM_ERRORS
from web.reunification.bodies import Answer, CheckIn, Decision, OpenReunification, Verification

TAGS = ["reunification"]
READ = {"sync_to_thread": True, "tags": TAGS, "responses": ITEM_ERRORS}
CHANGED = {
    "sync_to_thread": True,
    "tags": TAGS,
    "status_code": HTTP_200_OK,
    "responses": COMMAND_ERRORS,
}
BASE = "/api/v1/incidents/{ref:str}/reunification"
CASE = BASE + "/cases/{number:str}"
CaseNumber = Annotated[
    str, in_path(matching(r"^[Cc]-[0-9]+$", most=12), description="a case, such as C-3")
]


def moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def case_json(case: Case, view: CaseView | None = None) -> dict[str, Any]:
    return {
        "number": case.number,
        "guardian": case.guardian,
        "guardian_name": case.guardian_name,
        "id_shown": case.id_shown,
        "student": case.student,
        "student_name": view.student_name if view else None,
        "custody_alert": view.custody_alert if view else None,
        "status": case.status,
        "stopped": case.status == "stopped",
        "stop_reasons": list(case.stop_reasons),
        "released_at": moment(case.released_at),
        "steps": [
            {"what": s.what, "at": s.at.isoformat(), "by": s.by.user, "said": s.said}
            for s in case.steps
        ],
    }


def state_json(reunifications: Reunifications, ref: str) -> dict[str, Any]:
    view = reunifications.view(ref)
    return {
        "incident": view.incident_ref,
        "place": view.place,
        "opened_at": view.opened_at.isoformat(),
        "counts": view.counts.as_dict(),
        "last_reunified_at": moment(view.last_reunified_at),
        "cases": [case_json(v.case, v) for v in view.cases],
    }


@get(
    BASE,
    summary="The incident's reunification: counts and every case",
    description="`counts`: `reunified` (students released), `students_waiting` and "
    "`guardians_waiting` (with a case under way), `stopped` (cases a lead must decide). Each "
    "case's `status` is checking, stopped, verified, fetched, released or refused; `steps` say "
    "what was done, when and by whom. 404 when reunification is not open on the incident.",
    guards=[requires("view_reunification")],
    **READ,
)
def reunification_state(
    reunifications: NamedDependency[Reunifications], ref: FromPath[str]
) -> dict[str, Any]:
    return state_json(reunifications, ref)


@get(
    BASE + "/students",
    summary="Find students of the incident's schools on the roster, by name",
    description="Every word of `q` is in the name (or `q` is the pseudonym); at most 30.",
    guards=[requires("run_reunification")],
    **READ,
)
def reunification_students(
    reunifications: NamedDependency[Reunifications],
    ref: FromPath[str],
    q: Annotated[str, in_query(text(200, required=False), description="a name, or part")] = "",
) -> dict[str, Any]:
    reunifications.get(ref)  # 404 when not open
    found = reunifications.search(ref, q)
    return {
        "students": [{"student": s.person_ref, "name": s.name, "grade": s.grade} for s in found]
    }


@post(
    BASE,
    summary="Open reunification on the incident, at a site",
    description="On a hold, lockdown, evacuation, severe-weather or threat incident that is open.",
    guards=[requires("run_reunification")],
    **{**CHANGED, "status_code": HTTP_201_CREATED},
)
def open_reunification(
    request: Request,
    reunifications: NamedDependency[Reunifications],
    ref: FromPath[str],
    data: JSONBody[OpenReunification],
) -> dict[str, Any]:
    account = allow(request, "run_reunification", ref=ref)
    reunifications.open(ref, data.place, account.acting_as())
    return state_json(reunifications, ref)


@post(
    BASE + "/check-ins",
    summary="Check in an adult for the students they came for (the greeter's station)",
    description="Opens a case per student; refused for a student already released, naming "
    "when and to whom.",
    guards=[requires("run_reunification")],
    **{**CHANGED, "status_code": HTTP_201_CREATED},
)
def check_in(
    request: Request,
    reunifications: NamedDependency[Reunifications],
    ref: FromPath[str],
    data: JSONBody[CheckIn],
) -> dict[str, Any]:
    account = allow(request, "run_reunification", ref=ref)
    cases = reunifications.check_in(
        ref, data.guardian_name, data.id_shown, list(data.students), account.acting_as()
    )
    found = reunifications.get(ref)
    return {"cases": [case_json(found.case(n)) for n in cases]}


def case_answer(reunifications: Reunifications, ref: str, number: str) -> dict[str, Any]:
    return case_json(reunifications.get(ref).case(number))


@post(
    CASE + "/verification",
    summary="The checker's verification: whether the ID matches; the roster decides custody",
    description="The adult's name is looked for among the student's guardians on the roster. "
    "An adult not listed, a custody alert, or an ID that does not match stops the case: "
    "`status` stopped, and a lead must decide.",
    guards=[requires("run_reunification")],
    **CHANGED,
)
def verify(
    request: Request,
    reunifications: NamedDependency[Reunifications],
    ref: FromPath[str],
    number: CaseNumber,
    data: JSONBody[Verification],
) -> dict[str, Any]:
    account = allow(request, "run_reunification", ref=ref)
    case = reunifications.verify(ref, number, id_matches=data.id_matches, actor=account.acting_as())
    return case_answer(reunifications, ref, case.number)


@post(
    CASE + "/decision",
    summary="A lead's decision on a stopped case: release with a reason, or refuse",
    description="Crisis leads, and the principal of the incident's school.",
    guards=[requires("decide_reunification")],
    **CHANGED,
)
def decide(
    request: Request,
    reunifications: NamedDependency[Reunifications],
    ref: FromPath[str],
    number: CaseNumber,
    data: JSONBody[Decision],
) -> dict[str, Any]:
    account = require_decide(allow(request, "decide_reunification", ref=ref))
    case = reunifications.decide(
        ref, number, release=data.release, reason=data.reason, actor=account.acting_as()
    )
    return case_answer(reunifications, ref, case.number)


@post(
    CASE + "/fetched",
    summary="The reunifier brought the student to the adult",
    guards=[requires("run_reunification")],
    **CHANGED,
)
def fetched(
    request: Request,
    reunifications: NamedDependency[Reunifications],
    ref: FromPath[str],
    number: CaseNumber,
) -> dict[str, Any]:
    account = allow(request, "run_reunification", ref=ref)
    case = reunifications.fetch(ref, number, account.acting_as())
    return case_answer(reunifications, ref, case.number)


@post(
    CASE + "/answer",
    summary="The student's answer: comfortable leaving with the adult (released) or not",
    description="Not comfortable stops the case for a lead. A student is released once: a "
    "second release is refused (422), naming when and to whom.",
    guards=[requires("run_reunification")],
    **CHANGED,
)
def answer(
    request: Request,
    reunifications: NamedDependency[Reunifications],
    ref: FromPath[str],
    number: CaseNumber,
    data: JSONBody[Answer],
) -> dict[str, Any]:
    account = allow(request, "run_reunification", ref=ref)
    case = reunifications.ask(ref, number, comfortable=data.comfortable, actor=account.acting_as())
    return case_answer(reunifications, ref, case.number)


REUNIFICATION_API_HANDLERS = [
    reunification_state,
    reunification_students,
    open_reunification,
    check_in,
    verify,
    decide,
    fetched,
    answer,
]
