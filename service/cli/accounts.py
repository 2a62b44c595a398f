"""`steady users ...` and `steady orgs ...`: accounts for the first admin and for scripts.

service.cli.main adds these with add_commands(commands). Changes made here are recorded with the
operating-system user who ran the command, as `cli:<user>` in the role admin; except a token for
a person's account, which only they issue, with their own password.
"""

import argparse
import getpass
import json
import sys
from typing import Any

from domain.errors import DomainError
from domain.organisation import ORGANISATION_KINDS
from domain.people import Actor
from service.accounts.refusals import SignInFailed
from service.accounts.service import Accounts, account_view, organisation_view
from service.bootstrap import open_steady
from service.config import Settings


class AccountInputError(DomainError):
    """Input the account commands could not use (shown on stderr, exit status 1)."""


def cli_actor() -> Actor:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for this uid, as in some containers
        user = ""
    return Actor(f"cli:{user}" if user else "cli", "admin")


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Adds `users` and `orgs` to the `steady` command's subcommands."""
    users = commands.add_parser("users", help="accounts: add, list, disable, enable, tokens")
    user_commands = users.add_subparsers(title="user commands", metavar="COMMAND")

    sub = _command(user_commands, "add", run_users_add, "add an account")
    sub.add_argument("username", help="lowercase, such as m.alvarez")
    sub.add_argument("--name", required=True, help="the person's name as others see it")
    sub.add_argument("--org", required=True, help="the organisation's id, such as riverside-usd")
    sub.add_argument("--role", action="append", required=True, help="a role (repeat for several)")
    sub.add_argument(
        "--position",
        action="append",
        default=[],
        help="a school-team position whose tasks they update, such as counselor (repeatable)",
    )
    password = sub.add_mutually_exclusive_group()
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    password.add_argument(
        "--no-password", action="store_true", help="no password: the account uses API tokens"
    )

    _command(user_commands, "list", run_users_list, "list accounts")

    sub = _command(user_commands, "disable", run_users_disable, "disable an account")
    sub.add_argument("username")
    sub.add_argument("--reason", default="", help="why, for the record")

    sub = _command(user_commands, "enable", run_users_enable, "enable a disabled account")
    sub.add_argument("username")

    sub = _command(
        user_commands,
        "schools",
        run_users_schools,
        "set the schools whose incidents a person sees besides their organisation's",
    )
    sub.add_argument("username")
    sub.add_argument(
        "--school",
        action="append",
        default=[],
        help="a school's id, such as lincoln-elementary (repeatable; none clears them)",
    )

    sub = _command(
        user_commands, "email", run_users_email, "set where Steady emails a person (or remove it)"
    )
    sub.add_argument("username")
    sub.add_argument(
        "address",
        nargs="?",
        default="",
        help="such as m.alvarez@riverside.example; none removes it",
    )

    sub = _command(
        user_commands,
        "token",
        run_users_token,
        "issue an API token (shown once); for a person's account, with their own password",
    )
    sub.add_argument("username")
    sub.add_argument("--label", default="api", help="what the token is for (default: api)")
    sub.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the account's own password from standard input (else it is asked for)",
    )

    orgs = commands.add_parser("orgs", help="organisations: the district, schools, partners")
    org_commands = orgs.add_subparsers(title="organisation commands", metavar="COMMAND")
    sub = _command(org_commands, "add", run_orgs_add, "add an organisation")
    sub.add_argument("slug", help="its id: lowercase words joined by hyphens")
    sub.add_argument("--name", required=True)
    sub.add_argument("--kind", required=True, choices=list(ORGANISATION_KINDS))
    _command(org_commands, "list", run_orgs_list, "list organisations")
    sub = _command(
        org_commands,
        "stand-in",
        run_orgs_stand_in,
        "let a partner stand in for a playbook role: playbooks then give it that role's tasks",
    )
    sub.add_argument("slug", help="the partner organisation's id, such as eastside-counseling")
    sub.add_argument("role", help="a playbook role's id, such as partner-mental-health")
    sub = _command(
        org_commands, "end-stand-in", run_orgs_end_stand_in, "end a partner's stand-in for a role"
    )
    sub.add_argument("slug")
    sub.add_argument("role")
    sub = _command(
        org_commands,
        "hours",
        run_orgs_hours,
        "set when a school's day starts and ends (district time; 08:00 to 15:00 until set)",
    )
    sub.add_argument("slug", help="the school's id, such as lincoln-elementary")
    sub.add_argument("start", help="when school starts, HH:MM, such as 08:15")
    sub.add_argument("end", help="when school ends, HH:MM, such as 15:30")


def _command(
    group: "argparse._SubParsersAction[argparse.ArgumentParser]",
    name: str,
    run: Any,
    help_text: str,
) -> argparse.ArgumentParser:
    sub = group.add_parser(name, help=help_text, description=help_text)
    sub.set_defaults(run=run)
    sub.add_argument("--json", action="store_true", help="machine-readable output")
    return sub


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)


def read_password(from_stdin: bool) -> str:
    """From a prompt (asked twice) on a terminal; else the first line of standard input."""
    if not from_stdin and sys.stdin.isatty():
        first = getpass.getpass("Password (12 characters or more): ")
        if getpass.getpass("The same password again: ") != first:
            raise AccountInputError("the two passwords differ; nothing was changed")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise AccountInputError(
            "no password on standard input; pipe one in, or use --no-password for an account "
            "that signs in only with API tokens"
        )
    return line


def run_users_add(args: argparse.Namespace, settings: Settings) -> None:
    password = None if args.no_password else read_password(args.password_stdin)
    with open_steady(settings) as steady:
        account = Accounts(steady).add_user(
            args.username,
            display_name=args.name,
            organisation=args.org,
            roles=args.role,
            positions=args.position,
            password=password,
            actor=cli_actor(),
        )
    emit(
        args,
        account_view(account),
        f"added {account.username} ({', '.join(account.roles)}) at {account.organisation}",
    )


def run_users_list(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as steady:
        accounts = Accounts(steady).list_users()
    lines = [
        f"{a.username:<20} {a.display_name:<24} {a.organisation:<24} "
        f"{','.join([*a.roles, *a.positions]):<30} {'disabled' if a.disabled else 'enabled'}"
        for a in accounts
    ]
    emit(args, [account_view(a) for a in accounts], "\n".join(lines) or "no accounts")


def run_users_disable(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as steady:
        account = Accounts(steady).disable(args.username, reason=args.reason, actor=cli_actor())
    emit(args, account_view(account), f"disabled {account.username}")


def run_users_enable(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as steady:
        account = Accounts(steady).enable(args.username, actor=cli_actor())
    emit(args, account_view(account), f"enabled {account.username}")


def run_users_schools(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as steady:
        account = Accounts(steady).set_schools(args.username, args.school, actor=cli_actor())
    emit(
        args,
        account_view(account),
        f"{account.username} sees the incidents of {account.organisation}"
        + (f" and of {', '.join(account.schools)}" if account.schools else ""),
    )


def run_users_email(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as steady:
        account = Accounts(steady).set_email(args.username, args.address, actor=cli_actor())
    said = (
        f"emails {account.username} at {account.email}"
        if account.email
        else (f"emails {account.username} nothing: no address")
    )
    emit(args, account_view(account), f"Steady {said}")


def read_own_password(username: str, from_stdin: bool) -> str:
    """The account owner's password: from a prompt on a terminal, else standard input."""
    if not from_stdin and sys.stdin.isatty():
        return getpass.getpass(f"Password of {username}: ")
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise AccountInputError(
            f"{username} signs in with a password: only they can issue a token for their "
            "account, so give their password (on a terminal, or with --password-stdin)"
        )
    return line


def run_users_token(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as steady:
        accounts = Accounts(steady)
        account = accounts.account(args.username)
        actor = cli_actor()
        if account.has_password:
            # Only the owner issues a token for a person's account: whoever runs this proves
            # it is them with their password, and the token is recorded as issued by them.
            password = read_own_password(account.username, args.password_stdin)
            try:
                owner = accounts.authenticate_password(account.username, password)
            except SignInFailed as error:
                raise AccountInputError(f"{error}; no token was issued") from None
            actor = owner.acting_as()
        token = accounts.issue_token(account.username, args.label, actor=actor)
    token_id = token.split("_")[1]
    emit(args, {"username": args.username.strip().lower(), "id": token_id, "token": token}, token)
    if not args.json:
        print(f"(shown once: store it now; its id is {token_id})", file=sys.stderr)


def run_orgs_add(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as steady:
        organisation = Accounts(steady).add_organisation(
            args.slug, args.name, args.kind, actor=cli_actor()
        )
    emit(
        args,
        organisation_view(organisation),
        f"added {organisation.kind} {organisation.slug} ({organisation.name})",
    )


def run_orgs_list(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as steady:
        organisations = Accounts(steady).organisations()
    emit(
        args,
        [organisation_view(o) for o in organisations],
        "\n".join(
            f"{o.slug:<28} {o.kind:<9} {o.name}"
            + (f" (school day {o.school_hours})" if o.kind == "school" else "")
            + (f" (stands in for {', '.join(o.stands_in)})" if o.stands_in else "")
            for o in organisations
        )
        or "no organisations",
    )


def run_orgs_stand_in(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as steady:
        organisation = Accounts(steady).stand_in(args.slug, args.role, actor=cli_actor())
    emit(
        args,
        organisation_view(organisation),
        f"{organisation.slug} stands in for {args.role.strip().lower()}: playbooks applied from "
        "now on assign it that role's tasks and share the incident with it",
    )


def run_orgs_end_stand_in(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as steady:
        organisation = Accounts(steady).end_stand_in(args.slug, args.role, actor=cli_actor())
    emit(
        args,
        organisation_view(organisation),
        f"{organisation.slug} no longer stands in for {args.role.strip().lower()}",
    )


def run_orgs_hours(args: argparse.Namespace, settings: Settings) -> None:
    with open_steady(settings) as steady:
        organisation = Accounts(steady).set_school_hours(
            args.slug, args.start, args.end, actor=cli_actor()
        )
    emit(
        args,
        organisation_view(organisation),
        f"{organisation.slug}'s school day is {organisation.school_hours}: steps anchored to the "
        "school day are due by these hours in playbooks applied from now on",
    )
