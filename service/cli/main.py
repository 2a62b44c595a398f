"""The `steady` command: build a command or query, hand it to the service, print the answer."""

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from eventsourcing.persistence import MapperDeserialisationError

from domain.errors import DomainError
from playbooks.directory import check_directory
from playbooks.library import Library, UnknownPlaybook
from playbooks.problems import PlaybookInvalid
from service.bootstrap import UNREADABLE_STORE, StoreUnavailable, assemble, open_steady
from service.cli import console
from service.cli.accounts import add_commands as add_account_commands
from service.cli.calendars import add_commands as add_calendar_commands
from service.cli.people import add_commands as add_people_commands
from service.cli.reminders import add_commands as add_reminder_commands
from service.config import ConfigError, Settings
from service.demo.clock import DemoClock
from service.demo.district import seed_demo_district
from service.incidents.application import Steady
from service.incidents.as_json import incident_summary, incident_view, playbook_view
from service.incidents.diff import diff_incident
from service.incidents.export import check_export, export_incident
from service.incidents.integrity import verify_all, verify_incident
from service.live.waking import LogWaiter
from service.store.keys import generate_key


class CliError(Exception):
    """Shown on stderr; the command exits with status 1."""


# Adds commands from a layer above (the web layer adds `serve`), so that nothing here imports it.
CommandAdder = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def main(argv: Sequence[str] | None = None, *, more: Sequence[CommandAdder] = ()) -> int:
    parser = build_parser(more)
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        settings = Settings.from_env()
        return args.run(args, settings) or 0
    except (CliError, DomainError, ConfigError, StoreUnavailable, PlaybookInvalid) as error:
        print(f"steady: {error}", file=sys.stderr)
        return 1
    except MapperDeserialisationError:
        print(f"steady: {UNREADABLE_STORE}", file=sys.stderr)
        return 1
    except UnknownPlaybook as error:
        print(f"steady: {error.args[0]}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `head`) stopped listening; that is not an error of ours.
        sys.stderr.close()
        return 0


def build_parser(more: Sequence[CommandAdder] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="steady", description="Steady: crisis response coordination for school districts."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(
        name: str, run: Callable[..., int | None], help_text: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=run)
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        return sub

    command("demo", run_demo, "seed the demo district (again: adds nothing) and print its board")
    command("board", run_board, "print the board of open incidents")
    keys = commands.add_parser("keys", help="the key that encrypts event state at rest")
    keys_commands = keys.add_subparsers(title="key commands", metavar="COMMAND")
    sub = keys_commands.add_parser("generate", help="print a new key for STEADY_CIPHER_KEY")
    sub.set_defaults(run=run_keys_generate)

    playbooks = commands.add_parser("playbooks", help="the playbook library").add_subparsers(
        title="playbook commands", metavar="COMMAND"
    )
    sub = playbooks.add_parser("list", help="list playbooks")
    sub.set_defaults(run=run_playbooks_list)
    sub.add_argument("--kind", help="only playbooks for this incident kind")
    sub.add_argument("--json", action="store_true", help="machine-readable output")
    sub = playbooks.add_parser("show", help="show one playbook's steps")
    sub.set_defaults(run=run_playbooks_show)
    sub.add_argument("playbook_id")
    sub.add_argument("--json", action="store_true", help="machine-readable output")
    sub = playbooks.add_parser("check", help="validate a directory of playbooks")
    sub.set_defaults(run=run_playbooks_check)
    sub.add_argument("directory", nargs="?", help="default: the shipped library")
    sub.add_argument("--json", action="store_true", help="machine-readable output")

    incidents = commands.add_parser("incidents", help="incidents").add_subparsers(
        title="incident commands", metavar="COMMAND"
    )
    sub = incidents.add_parser("list", help="list open incidents")
    sub.set_defaults(run=run_incidents_list)
    sub.add_argument("--all", action="store_true", help="include closed incidents")
    sub.add_argument("--school", help="only incidents at this school")
    sub.add_argument("--json", action="store_true", help="machine-readable output")
    sub = incidents.add_parser("show", help="show one incident")
    sub.set_defaults(run=run_incidents_show)
    sub.add_argument("ref", help="reference such as INC-2026-0007, or the incident's id")
    sub.add_argument("--json", action="store_true", help="machine-readable output")

    sub = command("replay", run_replay, "show an incident as it stood at a version or a moment")
    sub.add_argument("ref", help="reference such as INC-2026-0007")
    when = sub.add_mutually_exclusive_group()
    when.add_argument("--version", type=int, help="the state after the first N events")
    when.add_argument("--at", help="a moment, e.g. 2026-11-23T09:30 (district time) or with offset")
    when.add_argument(
        "--diff", nargs=2, type=int, metavar=("A", "B"), help="what changed from version A to B"
    )

    sub = command("verify", run_verify, "check that incident streams are intact (tamper evidence)")
    sub.add_argument("ref", nargs="?", help="one incident; default: every incident")

    sub = command("export", run_export, "an incident's complete event stream as JSON")
    sub.add_argument("ref", help="reference such as INC-2026-0007")
    sub.add_argument("--output", "-o", help="write to this file instead of standard output")

    sub = command("import-check", run_import_check, "check an export is complete and unaltered")
    sub.add_argument("file", help="a file written by `steady export`")

    sub = command("events", run_events, "the global event feed, in order")
    sub.add_argument("--after", type=int, default=0, help="only events after this position")
    sub.add_argument("--limit", type=int, default=100, help="at most this many (1 to 1000)")
    sub.add_argument("--follow", action="store_true", help="keep printing new events as they come")
    add_account_commands(commands)
    add_calendar_commands(commands)
    add_people_commands(commands)
    add_reminder_commands(commands, parse_moment)
    for add in more:
        add(commands)
    return parser


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)


def run_demo(args: argparse.Namespace, settings: Settings) -> None:
    # The application's clock is the demo's: people are triaged and check-ins recorded in the
    # demo's past, at the clock's moment (service/demo/clock.py).
    clock = DemoClock()
    with open_steady(settings, clock=clock) as app:
        before = app.last_position()
        references = seed_demo_district(assemble(app, settings), clock, clock())
        added = app.last_position() - before
        if not args.json:
            print(f"Demo district seeded: {', '.join(references)} ({added} new events).\n")
        print_board(args, app, settings, include_closed=False)


def run_keys_generate(args: argparse.Namespace, settings: Settings) -> None:
    print(generate_key())


def run_board(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as app:
        print_board(args, app, settings, include_closed=False)


def print_board(
    args: argparse.Namespace, app: Steady, settings: Settings, *, include_closed: bool
) -> None:
    now = app.clock()
    incidents = app.incidents(include_closed=include_closed)
    emit(
        args,
        [incident_summary(i, now) for i in incidents],
        console.board(incidents, now, settings.zone(), f"{settings.district}: open incidents"),
    )


def run_playbooks_list(args: argparse.Namespace, settings: Settings) -> None:
    library = Library.load(settings.playbooks_dir)
    playbooks = library.for_kind(args.kind) if args.kind else library.all()
    for problem in library.problems:
        print(f"steady: refused: {problem}", file=sys.stderr)
    emit(args, [playbook_view(p) for p in playbooks], console.playbook_list(playbooks))


def run_playbooks_show(args: argparse.Namespace, settings: Settings) -> None:
    playbook = Library.load(settings.playbooks_dir).get(args.playbook_id)
    lines = [f"{playbook.title} ({playbook.id} v{playbook.version})", playbook.summary]
    for phase in playbook.phases:
        lines += ["", f"{phase.phase.label}: {phase.goal}"]
        lines += [
            f"  - {s.title} ({s.owner}, within {s.due}"
            + (f"; only for {', '.join(s.kinds)})" if s.kinds else ")")
            for s in phase.steps
        ]
    emit(args, playbook_view(playbook), "\n".join(lines))


def run_playbooks_check(args: argparse.Namespace, settings: Settings) -> int:
    from playbooks.library import SHIPPED_DIR

    directory = Path(args.directory) if args.directory else SHIPPED_DIR
    problems = check_directory(directory)
    if args.json:
        print(
            json.dumps(
                [{"file": p.file, "field": p.field, "expected": p.expected} for p in problems],
                indent=2,
            )
        )
    else:
        for problem in problems:
            print(problem)
        if not problems:
            print(f"{directory}: all playbooks are valid")
    return 1 if problems else 0


def run_incidents_list(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as app:
        now = app.clock()
        incidents = app.incidents(include_closed=args.all, school=args.school)
        title = f"{settings.district}: {'all' if args.all else 'open'} incidents"
        if args.school:
            title += f" at {args.school}"
        emit(
            args,
            [incident_summary(i, now) for i in incidents],
            console.board(incidents, now, settings.zone(), title),
        )


def run_incidents_show(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as app:
        now = app.clock()
        incident = app.incident(args.ref)
        emit(
            args,
            incident_view(incident, now),
            console.incident_detail(incident, now, settings.zone()),
        )


def run_replay(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as app:
        if args.diff is not None:
            diff = diff_incident(app, args.ref, *args.diff)
            emit(args, diff, console.diff_text(diff))
            return
        if args.version is not None:
            incident = app.incident_at_version(args.ref, args.version)
            label = f"as it stood at version {args.version}"
        elif args.at is not None:
            moment = parse_moment(args.at, settings)
            incident = app.incident_at_time(args.ref, moment)
            label = f"as it stood at {moment.isoformat()}"
        else:
            incident = app.incident(args.ref)
            label = "now"
        # Overdue is judged at the replayed moment, not today.
        moment = (
            incident.modified_on
            if args.version is not None
            else (parse_moment(args.at, settings) if args.at else app.clock())
        )
        emit(
            args,
            incident_view(incident, moment),
            f"[{label}]\n" + console.incident_detail(incident, moment, settings.zone()),
        )


def run_events(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as app:
        position = args.after
        waiter = LogWaiter(app.recorder, interval=0.5)
        try:
            while True:
                events = app.events_after(position, args.limit)
                for event in events:
                    if args.json:
                        print(json.dumps(event.as_dict(), ensure_ascii=False), flush=True)
                    else:
                        print(console.event_line(event, settings.zone()), flush=True)
                    position = event.position
                if not args.follow:
                    return
                if not events:
                    waiter.wait()
        finally:
            waiter.close()


def run_verify(args: argparse.Namespace, settings: Settings) -> int:
    with open_steady(settings) as app:
        checks = [verify_incident(app, app.find(args.ref))] if args.ref else verify_all(app)
    emit(args, [c.as_dict() for c in checks], "\n".join(str(c) for c in checks) or "no incidents")
    return 0 if all(c.intact for c in checks) else 1


def run_export(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as app:
        document = export_incident(app, args.ref, exported_at=app.clock())
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(
            f"wrote {document['event_count']} events of {document['incident']['reference']} "
            f"to {args.output}",
            file=sys.stderr,
        )
    else:
        print(text)


def run_import_check(args: argparse.Namespace, settings: Settings) -> int:
    try:
        document = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CliError(f"cannot read {args.file} as JSON: {error}") from None
    check = check_export(document)
    reference = (
        document.get("incident", {}).get("reference", "?") if isinstance(document, dict) else "?"
    )
    summary = (
        f"{args.file}: {reference}, {check.events} events: complete and unaltered"
        if check.ok
        else "\n".join(f"{args.file}: {problem}" for problem in check.problems)
    )
    emit(args, {"ok": check.ok, "events": check.events, "problems": check.problems}, summary)
    return 0 if check.ok else 1


def parse_moment(text: str, settings: Settings) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CliError(
            f"--at {text!r} is not a moment: write it like 2026-11-23T09:30 (district time) "
            "or 2026-11-23T09:30-06:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.zone())


if __name__ == "__main__":
    sys.exit(main())
