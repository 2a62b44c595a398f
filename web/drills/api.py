"""Drills in the JSON API: the drill log, a drill's report, and the review's commands (when
everyone was accounted for, when reunification was completed, participants, what to change)."""

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.account import Account
from service.drills.log import SCHOOL_YEARS
from service.drills.service import Drills
from service.incidents.application import Steady
from web.access.auth import viewer_of
from web.access.guards import requires
from web.api_fields import in_query, one_of
from web.dependencies import CommandOptions
from web.drills.bodies import RecordChangeToMake, RecordMoment, RecordParticipants
from web.errors import COMMAND_ERRORS, ITEM_ERRORS, READ_ERRORS
from web.incidents.bodies import read_moment

READ = {"sync_to_thread": True, "tags": ["drills"], "responses": READ_ERRORS}
ITEM = {**READ, "responses": ITEM_ERRORS}
SCHOOL = QueryParameter(name="school", description="a school's name or id: its rows only")
SCHOOL_YEAR = in_query(
    one_of(SCHOOL_YEARS, nullable=True),
    name="school_year",
    description="a school year, July to June, such as 2026-27",
)


@get(
    "/api/v1/drills",
    summary="The drill log: every drill, a row per school",
    description=(
        "What state rules ask a drill record to hold: `school`, `date` and `time` (the "
        "district's time; `started_at` in full), `type` (the incident kind, `type_label` in "
        "words), `participants` (null until recorded), `duration_minutes` (start to close, "
        "rounded up; null while `status` is `under way`), with the drill's `reference` and "
        "`title`. Newest first. Crisis leads, district leaders and auditors see the district's; "
        "school administrators (principals, assistant principals) their schools'; partners "
        "none. CSV: /drills.csv with the same filters."
    ),
    guards=[requires("view_drill_log")],
    **READ,
)
def drill_log_api(
    request: Request,
    signed_in_as: NamedDependency[Account],
    drills: NamedDependency[Drills],
    school: Annotated[str | None, SCHOOL] = None,
    school_year: Annotated[str | None, SCHOOL_YEAR] = None,
) -> dict[str, Any]:
    rows = drills.log(
        signed_in_as,
        viewer_of(request, signed_in_as),
        school=school or "",
        school_year=school_year or "",
    )
    return {
        "school": (school or "").strip(),
        "school_year": (school_year or "").strip(),
        "drills": drills.log_as_dicts(rows),
    }


@get(
    "/api/v1/incidents/{ref:str}/drill-report",
    summary="A drill's after-action report",
    description=(
        "School, date and time, type, `participants`, `duration` (start to close), "
        "`to_everyone_accounted_for` and `to_last_student_reunified` (from the start, the "
        'drill\'s opening; `text` says "not recorded" when they were not; `source` says whether '
        "a lead recorded the moment or class accounting or reunification saw it), the classes "
        "whose first report came more than `late_after_minutes` after the start (`late_classes`), "
        "and `what_to_change` (the review summary at the close, and the items recorded). "
        "A real incident has no drill report (404)."
    ),
    guards=[requires("view_drill_log")],
    **ITEM,
)
def drill_report_api(
    request: Request,
    signed_in_as: NamedDependency[Account],
    drills: NamedDependency[Drills],
    ref: FromPath[str],
) -> dict[str, Any]:
    return drills.report(signed_in_as, viewer_of(request, signed_in_as), ref)


ADDED = {"sync_to_thread": True, "status_code": HTTP_201_CREATED, "responses": COMMAND_ERRORS}
SAID = {"sync_to_thread": True, "status_code": HTTP_200_OK, "responses": COMMAND_ERRORS}


class DrillCommandsController(Controller):
    """For drills and real incidents alike: the moments matter to every after-action review."""

    path = "/api/v1/incidents/{ref:str}"
    tags = ["drills"]
    guards = [requires("record_review")]

    @post("/everyone-accounted-for", **SAID)
    def everyone_accounted_for(
        self,
        steady: NamedDependency[Steady],
        zone: NamedDependency[ZoneInfo],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[RecordMoment],
    ) -> dict[str, Any]:
        """When everyone was accounted for. The first time counts: said again, nothing changes
        and `detail.recorded` is false, with the `moment` first recorded."""
        moment = read_moment(data.moment, zone, "moment")
        return steady.record_everyone_accounted_for(
            ref, moment=moment, **command_options()
        ).as_dict()

    @post("/reunification-completed", **SAID)
    def reunification_completed(
        self,
        steady: NamedDependency[Steady],
        zone: NamedDependency[ZoneInfo],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[RecordMoment],
    ) -> dict[str, Any]:
        """When the last student was reunified. The first time counts."""
        moment = read_moment(data.moment, zone, "moment")
        return steady.record_reunification_completed(
            ref, moment=moment, **command_options()
        ).as_dict()

    @post("/participants", **SAID)
    def participants(
        self,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[RecordParticipants],
    ) -> dict[str, Any]:
        """How many took part; a later count replaces the one before."""
        return steady.record_drill_participants(
            ref, data.count, note=data.note, **command_options()
        ).as_dict()

    @post("/changes-to-make", **ADDED)
    def change_to_make(
        self,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[RecordChangeToMake],
    ) -> dict[str, Any]:
        """One item of "what to change" for next time."""
        return steady.record_change_to_make(ref, data.text, **command_options()).as_dict()


DRILL_API_HANDLERS = [drill_log_api, drill_report_api, DrillCommandsController]
