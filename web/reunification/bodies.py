"""What the reunification API's commands send: one body per command. Each field declares, for
the API's document, what the domain takes; the domain checks every value again."""

from dataclasses import dataclass
from typing import Annotated

from domain.reunification import MAX_STUDENTS
from domain.text import MAX_TITLE
from web.api_fields import field, items, matching, text

Short = Annotated[str, field(text(MAX_TITLE))]
Pseudonym = matching(r"^[Pp]-[0-9]{4,}$", most=20)


@dataclass
class OpenReunification:
    place: Annotated[
        str, field(text(MAX_TITLE), description="the reunification site families are sent to")
    ]


@dataclass
class CheckIn:
    guardian_name: Annotated[str, field(text(MAX_TITLE), description="as on their photo ID")]
    id_shown: Annotated[str, field(text(MAX_TITLE), description="such as a driver's licence")]
    students: Annotated[
        list[str],
        field(
            items(Pseudonym, least=1, most=MAX_STUDENTS),
            description="the pseudonyms (P-0007) of the students they came for, students of the "
            "incident's schools on the roster (GET .../reunification/students?q= finds them)",
        ),
    ]


@dataclass
class Verification:
    id_matches: Annotated[
        bool, field(description="whether the photo ID shows the adult who checked in")
    ]


@dataclass
class Decision:
    release: Annotated[bool, field(description="true: release; false: refuse")]
    reason: Short


@dataclass
class Answer:
    comfortable: Annotated[
        bool, field(description="the student's answer: comfortable leaving with this adult")
    ]
