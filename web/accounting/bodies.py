"""What the accounting API's commands send. Each field declares, for the API's document, what
the domain takes; the domain checks every value again and says what was wrong."""

from dataclasses import dataclass
from dataclasses import field as default
from typing import Annotated

from domain.accounting import STAFF_STATUSES, STATUSES
from domain.text import MAX_TITLE
from web.api_fields import field, matching, one_of, text

Student = Annotated[
    str,
    field(matching(r"^P-\d{4,}$", most=20), description="the student's pseudonym, e.g. P-0007"),
]
Status = Annotated[
    str, field(one_of(STATUSES), description="accounted, missing, injured, absent or with-adult")
]
Place = Annotated[str, field(text(MAX_TITLE, required=False))]


@dataclass
class MarkBody:
    student: Student
    status: Status
    with_adult: Annotated[
        str,
        field(
            text(MAX_TITLE, required=False),
            description="which adult the student is with (required for with-adult)",
        ),
    ] = ""
    last_seen: Annotated[
        str,
        field(
            text(MAX_TITLE, required=False),
            description="where and when a missing student was last seen",
        ),
    ] = ""


@dataclass
class ClassReportBody:
    """A class's report: some or all of its students, extra students of the school (marked by
    their pseudonym), and where the class is now (its room unless it moved)."""

    marks: Annotated[list[MarkBody], field({"maxItems": 200})] = default(default_factory=list)
    location: Annotated[
        str | None,
        field(text(MAX_TITLE, required=False), description="e.g. the football field"),
    ] = None


@dataclass
class StaffReportBody:
    status: Annotated[str, field(one_of(STAFF_STATUSES), description="safe, injured, off-site")]
    where: Place = ""
    person: Annotated[
        str | None,
        field(
            matching(r"^P-\d{4,}$", most=20),
            description="a crisis lead reporting for a staff member: their pseudonym",
        ),
    ] = None
