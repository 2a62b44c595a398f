"""My follow-ups in the JSON API, and recording a check-in."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from domain.account import Account
from domain.check_ins import OUTCOMES
from domain.text import MAX_TITLE
from service.follow_ups.commands import FollowUpCommands
from service.follow_ups.due import FollowUpsDue
from web.access.guards import requires
from web.api_fields import field, one_of, text
from web.dependencies import CommandOptions
from web.errors import READ_ERRORS, error_responses
from web.follow_ups.reading import follow_ups_of

Outcome = Annotated[
    str,
    field(one_of(OUTCOMES), description=", ".join(f"{k}: {v}" for k, v in OUTCOMES.items())),
]
Note = Annotated[str, field(text(required=False))]
NextStep = Annotated[str, field(text(MAX_TITLE, required=False))]


@dataclass
class RecordCheckIn:
    outcome: Outcome
    note: Note = ""
    next_step: NextStep = ""


@get(
    "/api/v1/my-follow-ups",
    summary="Your follow-up check-ins across incidents, by when they fall due",
    description=(
        "The open check-ins you may record: your own (a counselor, social worker or school "
        "psychologist), your organisation's (a partner), or everyone's (a crisis lead); in the "
        "groups overdue, today, this_week (to Sunday) and later, by the district's local days. "
        "People appear by their pseudonymous reference (P-0007) only. `position` is the log "
        "position of the latest follow-up change folded in: a page polls for it to stay current."
    ),
    guards=[requires("record_check_in")],
    sync_to_thread=True,
    tags=["follow-ups"],
    responses=READ_ERRORS,
)
def my_follow_ups_api(
    signed_in_as: NamedDependency[Account],
    follow_ups_due: NamedDependency[FollowUpsDue],
    clock: NamedDependency[Callable[[], datetime]],
    zone: NamedDependency[ZoneInfo],
) -> dict[str, Any]:
    now: datetime = clock()
    return follow_ups_of(signed_in_as, follow_ups_due, now, zone)


@post(
    "/api/v1/follow-ups/{person_ref:str}/{incident_ref:str}/check-ins/{check_in_id:str}",
    summary="Record a check-in: its outcome, a note and the next step",
    description=(
        "A note is required when the outcome is concern_next_step or could_not_reach, and a "
        "next step when it is concern_next_step. A check-in is recorded once: the same record "
        "sent again by the same person (a resend) is answered as the first time, anything else "
        "is refused (422). Follow-ups you may not see answer 404."
    ),
    guards=[requires("record_check_in")],
    sync_to_thread=True,
    status_code=HTTP_200_OK,
    tags=["follow-ups"],
    responses=error_responses(400, 401, 403, 404, 422, 503),
)
def record_check_in(
    person_ref: FromPath[str],
    incident_ref: FromPath[str],
    check_in_id: FromPath[str],
    signed_in_as: NamedDependency[Account],
    follow_ups: NamedDependency[FollowUpCommands],
    command_options: NamedDependency[CommandOptions],
    zone: NamedDependency[ZoneInfo],
    data: JSONBody[RecordCheckIn],
) -> dict[str, Any]:
    done = follow_ups.record_check_in(
        person_ref,
        incident_ref,
        check_in_id,
        outcome=data.outcome,
        note=data.note,
        next_step=data.next_step,
        by=signed_in_as,
        actor=command_options.actor(),
    )
    check_in = done.follow_ups.check_in(done.check_in_id)
    assert check_in.recorded is not None
    return {
        "person_ref": done.follow_ups.person_ref,
        "incident_ref": done.follow_ups.incident_ref,
        "check_in_id": check_in.id,
        "label": check_in.label,
        "outcome": check_in.recorded.outcome,
        "recorded_at": check_in.recorded.at.astimezone(zone).isoformat(),
        "recorded_by": check_in.recorded.by.user,
        "again": done.again,
    }


FOLLOW_UPS_API_HANDLERS = [my_follow_ups_api, record_check_in]
