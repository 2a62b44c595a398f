"""`steady calendar import` and `steady calendar show`: the district's school calendar, or one
school's where it differs, from an .ics file or its https address.

service.cli.main adds these with add_commands(commands). An import is recorded with the
operating-system user who ran it, as `cli:<user>` in the role admin, like the account commands.
"""

import argparse
import json
from pathlib import Path
from typing import Any

from domain.errors import DomainError
from service.bootstrap import open_steady
from service.calendars.service import Calendars
from service.cli.accounts import cli_actor
from service.config import Settings


class CalendarFileUnreadable(DomainError):
    """The file named cannot be read (shown on stderr, exit status 1)."""


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    calendar = commands.add_parser("calendar", help="the school calendar: import, show")
    calendar_commands = calendar.add_subparsers(title="calendar commands", metavar="COMMAND")
    sub = calendar_commands.add_parser(
        "import",
        help="import the district's school calendar (or a school's) from an .ics file or URL",
        description="Import the school calendar from an iCalendar file or an https address; "
        "due dates still ahead move to the new calendar.",
    )
    sub.set_defaults(run=run_import)
    sub.add_argument("source", metavar="FILE_OR_URL", help="an .ics file, or its https:// address")
    sub.add_argument("--school", help="a school's id: its own calendar, where it differs")
    sub.add_argument("--json", action="store_true", help="machine-readable output")
    sub = calendar_commands.add_parser(
        "show", help="show the school calendar in force (the district's, or a school's)"
    )
    sub.set_defaults(run=run_show)
    sub.add_argument("--school", help="a school's id, such as lincoln-elementary")
    sub.add_argument("--json", action="store_true", help="machine-readable output")


def run_import(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as app:
        calendars = Calendars(app, district=settings.district)
        source: str = args.source
        if source.lower().startswith(("https://", "http://")):
            done = calendars.import_url(source, school=args.school, actor=cli_actor())
        else:
            done = calendars.import_text(
                read_file(source), school=args.school, source=Path(source).name, actor=cli_actor()
            )
        emit(args, done.as_dict(), str(done))


def run_show(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as app:
        view = Calendars(app, district=settings.district).show(args.school)
        emit(args, view, show_text(view))


def read_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CalendarFileUnreadable(
            f"there is no file {path}: give the path of the .ics file, or its https:// address"
        ) from None
    except UnicodeDecodeError:
        raise CalendarFileUnreadable(
            f"{path} is not a text file: export the calendar as iCalendar (.ics)"
        ) from None
    except OSError as error:
        raise CalendarFileUnreadable(f"cannot read {path}: {error.strerror}") from None


def show_text(view: dict[str, Any]) -> str:
    lines = [view["description"]]
    if view["own"]:
        lines.append(
            f"Imported from {view['source']} by {view['imported_by']} at {view['imported_at']} "
            f"({view['imports']} import{'' if view['imports'] == 1 else 's'})."
        )
    for year in view["school_years"]:
        lines.append(f"School year: {year['first_day']} to {year['last_day'] or '(not given)'}")
    if view["days_without_school"]:
        lines.append(f"Days without school listed: {len(view['days_without_school'])}")
    starts = view["next_school_year_starts"]
    lines.append(
        f"The next school year starts on {starts}."
        if starts
        else "The calendar does not say when the next school year starts."
    )
    return "\n".join(lines)


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)
