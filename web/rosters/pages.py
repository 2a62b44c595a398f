"""The admin's roster page (/admin/roster): what the roster holds (counts only: no names), and a
form to upload a OneRoster 1.1 CSV export's files. An export with problems is refused whole and
the page lists every problem by file, line and field; an accepted one says what it changed."""

from collections import Counter
from typing import Any

from litestar import Controller, Request, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from domain.people import Actor
from service.rosters.files import RosterFilesUnreadable, decode
from service.rosters.oneroster import RosterRefused
from service.rosters.service import ImportResult, Rosters
from web.access.guards import requires
from web.accounts.api import ADMIN
from web.accounts.forms import back_with, take_flash
from web.rendering import context, page

MAX_FILES = 12  # the six OneRoster files, manifest and courses, and a few to spare
KIND_NAMES = {
    "sessions": "academic sessions",
    "classes": "classes",
    "members": "people",
    "enrollments": "enrollments",
}


def held(rosters: Rosters) -> dict[str, Any]:
    """What the roster holds now, in counts."""
    roster = rosters.roster()
    contents = roster.contents
    by_kind = Counter(m.kind for m in contents.members.values())
    return {
        "imports": roster.imports,
        "sessions": len(contents.sessions),
        "classes": len(contents.classes),
        "students": by_kind["student"],
        "staff": by_kind["staff"],
        "guardians": by_kind["family"],
        "enrollments": len(contents.enrollments),
    }


def done_message(result: ImportResult) -> str:
    if not result.changed:
        return "The roster was imported: nothing changed since the last import."
    changes = [
        f"{c['set']} {KIND_NAMES.get(kind, kind)} added or changed, {c['removed']} removed"
        for kind, c in result.counts.items()
        if c["set"] or c["removed"]
    ]
    return (
        "The roster was imported: "
        + "; ".join(changes)
        + f". {result.people_added} new people, {result.identities_recorded} identities recorded."
    )


class RosterPages(Controller):
    path = "/admin/roster"
    guards = [requires("import_roster")]
    dependencies = ADMIN
    include_in_schema = False

    @get("/", name="admin_roster", sync_to_thread=True)
    def roster_page(self, request: Request, rosters: NamedDependency[Rosters]) -> Template:
        return page(
            "admin_roster.html",
            context(request, "Rosters", flash=take_flash(request), held=held(rosters), problems=[]),
        )

    @post("/", name="admin_roster_import", status_code=200)
    async def import_roster(
        self, request: Request, rosters: NamedDependency[Rosters], admin: NamedDependency[Actor]
    ) -> Template | Redirect:
        form = await request.form()
        uploads = [u for u in form.getall("files") if isinstance(u, UploadFile) and u.filename]
        problems: list[str] = []
        files: dict[str, str] = {}
        if not uploads:
            problems.append(
                "choose the export's CSV files (orgs.csv, users.csv, classes.csv, "
                "enrollments.csv, academicSessions.csv, and demographics.csv if you have it)"
            )
        elif len(uploads) > MAX_FILES:
            problems.append(
                f"that is {len(uploads)} files: a OneRoster export has at most {MAX_FILES}"
            )
        for upload in uploads[:MAX_FILES]:
            name = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
            try:
                files[name] = decode(name, await upload.read())
            except RosterFilesUnreadable as error:
                problems.append(str(error))
        if not problems:
            try:
                result = await sync_to_thread(
                    rosters.import_files, files, source="upload", actor=admin
                )
            except RosterRefused as refused:
                problems = [str(p) for p in refused.problems]
            else:
                return back_with(request, "/admin/roster", done_message(result))
        return page(
            "admin_roster.html",
            context(request, "Rosters", flash="", held=held(rosters), problems=problems),
            status_code=422,
        )


ROSTER_PAGES = [RosterPages]
