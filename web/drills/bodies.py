"""What the drill commands of the API send."""

from dataclasses import dataclass
from typing import Annotated

from domain.drills import MOST_PARTICIPANTS
from web.api_fields import MOMENT, field, moment, text, whole

Moment = Annotated[
    str | None,
    field(moment(), description=MOMENT + "; when it happened (now when left out)"),
]


@dataclass
class RecordMoment:
    moment: Moment = None


@dataclass
class RecordParticipants:
    count: Annotated[
        int,
        field(whole(1, MOST_PARTICIPANTS), description="students, staff and visitors together"),
    ]
    note: Annotated[str, field(text(required=False))] = ""


@dataclass
class RecordChangeToMake:
    text: Annotated[str, field(text(), description="what to change for next time")]
