"""Accounting for all persons in the JSON API: a teacher's classes and their lists, a class's
report, a staff member's report of themselves, the extra students a teacher may add, and the
commander's live picture."""

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from domain.errors import DomainError
from service.accounting.service import Accounting, GivenMark
from web.access.auth import account_of
from web.access.guards import requires
from web.accounting.bodies import ClassReportBody, StaffReportBody
from web.api_fields import in_query, text
from web.dependencies import CommandOptions
from web.errors import COMMAND_ERRORS, ITEM_ERRORS

TAGS = ["accounting"]
READ = {"sync_to_thread": True, "tags": TAGS, "responses": ITEM_ERRORS}
CHANGED = {
    "sync_to_thread": True,
    "tags": TAGS,
    "status_code": HTTP_200_OK,
    "responses": COMMAND_ERRORS,
}
BASE = "/api/v1/incidents/{ref:str}/accounting"
CLASS = BASE + "/classes/{class_id:str}"


@get(
    BASE,
    summary="Who is accounted for: the commander's live picture",
    description=(
        "Only for hold, lockdown, evacuation and severe-weather incidents (any other kind: 404). "
        "`counts` (`accounted`, `missing`, `injured`, `absent`, `with_adult`, `unknown`: not "
        "reported yet, `total`) across the incident's schools, each student once by the best "
        "word on them; `schools[]` the same per school with `by_location` (where each class "
        "is), classes and staff reported; `classes[]` each class in session when the incident "
        "was opened, with `reported` and `first_reported`; `not_reported` those that have not; "
        "`missing[]` with where each was `last_seen`; `staff_not_accounted`; "
        "`everyone_accounted_for_at` once no one is unknown."
    ),
    guards=[requires("view_accounting")],
    **READ,
)
def accounting_picture(
    request: Request, accounting: NamedDependency[Accounting], ref: FromPath[str]
) -> dict[str, Any]:
    return accounting.command_view(ref, account_of(request)).as_dict()


@get(
    BASE + "/mine",
    summary="The classes you account for, and your own report of yourself",
    description=(
        "A teacher's: the classes the roster says they teach that were in session when the "
        "incident was opened (their periods, else their homeroom); a crisis lead's: every one. "
        "`me` is your report of yourself as staff of the school (null when you are not on its "
        "roster)."
    ),
    guards=[requires("account_for_class")],
    **READ,
)
def my_classes(
    request: Request, accounting: NamedDependency[Accounting], ref: FromPath[str]
) -> dict[str, Any]:
    account = account_of(request)
    classes = accounting.my_classes(ref, account)
    me = accounting.me(ref, account)
    return {
        "incident": accounting.incident(ref).reference,
        "classes": [
            {
                "class_id": c.class_id,
                "title": c.title,
                "school": c.school_name,
                "room": c.room,
                "students": len(c.students),
            }
            for c in classes
        ],
        "me": me.as_dict() if me else None,
    }


@get(
    CLASS,
    summary="A class's list as its teacher marks it",
    description="Each student (`status` `unknown` until marked) and the extra students added.",
    guards=[requires("account_for_class")],
    **READ,
)
def class_sheet(
    request: Request,
    accounting: NamedDependency[Accounting],
    ref: FromPath[str],
    class_id: FromPath[str],
) -> dict[str, Any]:
    return accounting.sheet(ref, class_id, account_of(request)).as_dict()


@post(
    CLASS + "/reports",
    summary="Report a class: its students' statuses, extra students, where the class is",
    description=(
        "Each mark is recorded as an event (who, when); a student marked again gets the new "
        "status. A student not on the class's list but at the school is added as an extra. "
        "`with_adult` is required for `with-adult`; `last_seen` is kept for `missing`."
    ),
    guards=[requires("account_for_class")],
    **CHANGED,
)
def report_class(
    request: Request,
    accounting: NamedDependency[Accounting],
    command_options: NamedDependency[CommandOptions],
    ref: FromPath[str],
    class_id: FromPath[str],
    data: JSONBody[ClassReportBody],
) -> dict[str, Any]:
    marks = [GivenMark(m.student, m.status, m.with_adult, m.last_seen) for m in data.marks]
    return accounting.report(
        ref,
        class_id,
        account_of(request),
        marks=marks,
        location=data.location,
        actor=command_options.actor(),
    ).as_dict()


@get(
    CLASS + "/students",
    summary="Find students of the school by name, to add to the class as extras",
    guards=[requires("account_for_class")],
    **READ,
)
def find_students(
    request: Request,
    accounting: NamedDependency[Accounting],
    ref: FromPath[str],
    class_id: FromPath[str],
    name: Annotated[str, in_query(text(200), description="words of the student's name")],
) -> dict[str, Any]:
    found = accounting.search(ref, class_id, account_of(request), name)
    return {"students": [{"person": s.person_ref, "name": s.name, "grade": s.grade} for s in found]}


@post(
    BASE + "/staff",
    summary="Account for yourself (or, as a crisis lead, for a staff member)",
    description="`status`: safe, injured or off-site; `where` you are.",
    guards=[requires("account_for_class")],
    **CHANGED,
)
def report_staff(
    request: Request,
    accounting: NamedDependency[Accounting],
    command_options: NamedDependency[CommandOptions],
    ref: FromPath[str],
    data: JSONBody[StaffReportBody],
) -> dict[str, Any]:
    if data.person is not None and not isinstance(data.person, str):
        raise DomainError("person must be a staff member's pseudonym, such as P-0100")
    return accounting.report_self(
        ref,
        account_of(request),
        status=data.status,
        where=data.where,
        person=data.person,
        actor=command_options.actor(),
    ).as_dict()


ACCOUNTING_API_HANDLERS = [
    accounting_picture,
    my_classes,
    class_sheet,
    report_class,
    find_students,
    report_staff,
]
