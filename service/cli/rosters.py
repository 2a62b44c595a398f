"""`steady roster import DIR`: the district's rosters from a OneRoster 1.1 CSV export.

service.cli.main adds this with add_commands(commands). An import is recorded with the
operating-system user who ran it, as `cli:<user>` in the role admin, like the account commands.
Every problem is printed (file, line, field, what to do) and nothing is imported then."""

import argparse
import json
import sys
from pathlib import Path

from service.bootstrap import assemble, open_steady
from service.cli.accounts import cli_actor
from service.config import Settings
from service.rosters.files import read_directory
from service.rosters.oneroster import RosterRefused


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    roster = commands.add_parser("roster", help="the district's rosters (OneRoster 1.1 CSV)")
    roster_commands = roster.add_subparsers(title="roster commands", metavar="COMMAND")
    sub = roster_commands.add_parser(
        "import",
        help="import a OneRoster 1.1 CSV export (a directory of its files)",
        description="Import the rosters from a OneRoster 1.1 CSV export: orgs, users, classes, "
        "enrollments, academicSessions (and demographics). Any problem refuses the whole export.",
    )
    sub.set_defaults(run=run_import)
    sub.add_argument("directory", metavar="DIR", help="the directory holding the CSV files")
    sub.add_argument("--json", action="store_true", help="machine-readable output")


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    files = read_directory(Path(args.directory))
    with open_steady(settings) as app:
        rosters = assemble(app, settings).rosters
        try:
            done = rosters.import_files(files, source=Path(args.directory).name, actor=cli_actor())
        except RosterRefused as refused:
            if args.json:
                print(json.dumps({"problems": [p.as_dict() for p in refused.problems]}, indent=2))
            else:
                print(
                    f"The roster was not imported: {len(refused.problems)} problem(s). "
                    "Nothing was changed.",
                    file=sys.stderr,
                )
                for problem in refused.problems:
                    print(f"  {problem}", file=sys.stderr)
            return 1
    print(json.dumps(done.as_dict(), indent=2) if args.json else str(done))
    return 0
