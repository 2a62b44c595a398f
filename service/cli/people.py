"""`steady people add|show|triage|refer|erase`: affected people from the command line.

service.cli.main adds these with add_commands(commands). Changes are recorded as the
operating-system user who ran the command (`cli:<user>`, role admin). `show` prints the
pseudonymous record as an auditor sees it: never the identity."""

import argparse
import json
from typing import Any

from domain.errors import DomainError
from domain.identity import Identity
from domain.triage import FACTORS, WARNING_SIGNS
from service.access.need_to_know import Viewer
from service.bootstrap import assemble, open_steady
from service.cli.accounts import cli_actor
from service.config import Settings
from service.people.service import People

# Sees every person's pseudonymous record, as an auditor does.
RECORD_READER = Viewer("cli", frozenset({"auditor"}), "", frozenset())


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    group = commands.add_parser("people", help="affected people: add, show, triage, refer, erase")
    people = group.add_subparsers(title="people commands", metavar="COMMAND")

    sub = _command(people, "add", run_add, "record a person an incident affected")
    sub.add_argument("incident", help="the incident's reference, such as INC-2026-0007")
    sub.add_argument("--kind", required=True, choices=["student", "staff", "family"])
    sub.add_argument("--school", required=True, help="the person's school, by name")
    sub.add_argument("--grade", default="", help="for a student: PK, K or 1 to 12")
    sub.add_argument("--how", required=True, help="how they were affected")
    sub.add_argument("--name", help="their name (kept in the identity vault, never in events)")
    sub.add_argument("--person-id", default="", help="their student or staff id")
    sub.add_argument("--date-of-birth", default=None, help="YYYY-MM-DD")
    sub.add_argument("--language", default="", help="the family's language")
    sub.add_argument(
        "--guardian",
        action="append",
        default=[],
        metavar="NAME=CONTACT",
        help="a guardian and how to reach them (repeatable)",
    )

    sub = _command(people, "show", run_show, "show a person's record (pseudonymous)")
    sub.add_argument("ref", help="the person's reference, such as P-0007")

    sub = _command(people, "triage", run_triage, "triage a person on an incident (PREPaRE)")
    sub.add_argument("ref")
    sub.add_argument("--incident", required=True)
    sub.add_argument("--tier", required=True, help="1 universal, 2 targeted, 3 intensive")
    sub.add_argument("--reason", required=True)
    sub.add_argument("--factor", action="append", default=[], choices=list(FACTORS))
    sub.add_argument("--sign", action="append", default=[], choices=list(WARNING_SIGNS))
    sub.add_argument("--counselor", default="", help="the counselor's username")

    sub = _command(people, "refer", run_refer, "refer a person to a professional or a partner")
    sub.add_argument("ref")
    sub.add_argument("--incident", required=True)
    sub.add_argument("--to-kind", required=True, choices=["professional", "partner"])
    sub.add_argument("--to", required=True, help="a position, username or partner's id")
    sub.add_argument("--reason", required=True)
    sub.add_argument("--asked-to", required=True, help="what they are asked to do")

    sub = _command(people, "erase", run_erase, "erase a person's identity (destroys its key)")
    sub.add_argument("ref")
    sub.add_argument("--reason", required=True, help="why, for the record")


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


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)


def _people(settings: Settings) -> tuple[Any, People]:
    """From the composition root, so a triage here calls the same after-triage hooks."""
    steady = open_steady(settings)
    return steady, assemble(steady, settings).people


def _guardians(given: list[str]) -> list[dict[str, str]]:
    found = []
    for item in given:
        name, sign, contact = item.partition("=")
        if not sign:
            raise DomainError(
                f"--guardian {item!r}: write it as NAME=CONTACT, such as 'Ana Diaz=555-0142'"
            )
        found.append({"name": name, "contact": contact})
    return found


def run_add(args: argparse.Namespace, settings: Settings) -> None:
    identity = None
    if args.name:
        identity = Identity.parse(
            {
                "name": args.name,
                "person_id": args.person_id,
                "date_of_birth": args.date_of_birth,
                "guardians": _guardians(args.guardian),
                "language": args.language,
            }
        )
    elif args.person_id or args.guardian or args.date_of_birth or args.language:
        raise DomainError("an identity needs the person's name: add --name")
    steady, people = _people(settings)
    with steady:
        reference, known = people.record_person(
            args.incident,
            kind=args.kind,
            school=args.school,
            grade=args.grade,
            how_affected=args.how,
            identity=identity,
            actor=cli_actor(),
        )
    said = "already known from another incident" if known else "recorded"
    _emit(args, {"reference": reference, "known": known}, f"{reference} {said} on {args.incident}")


def run_show(args: argparse.Namespace, settings: Settings) -> None:
    steady, people = _people(settings)
    with steady:
        view = people.view(RECORD_READER, people.person(args.ref))
    lines = [f"{view['reference']}: {view['kind']} at {view['school']}"]
    if view["grade"]:
        lines[0] += f", grade {view['grade']}"
    identity = view["identity"]
    if identity["erased"]:
        lines.append(
            f"Identity erased by {identity['erased_by']['user']} ({identity['erased_reason']})"
        )
    else:
        lines.append("Identity recorded" if identity["recorded"] else "No identity recorded")
    for on in view["incidents"]:
        tier = f"tier {on['tier']}" if on["tier"] else "not triaged"
        lines.append(f"- {on['incident']}: {on['how_affected']} ({tier})")
        lines += [f"    triage: tier {t['tier']}: {t['reason']}" for t in on["triages"]]
        lines += [
            f"    referral {r['id']} to {r['to']} ({r['status']}): {r['asked_to']}"
            for r in on["referrals"]
        ]
    _emit(args, view, "\n".join(lines))


def run_triage(args: argparse.Namespace, settings: Settings) -> None:
    steady, people = _people(settings)
    with steady:
        done = people.triage(
            args.ref,
            args.incident,
            factors=args.factor,
            warning_signs=args.sign,
            tier=args.tier,
            reason=args.reason,
            counselor=args.counselor,
            actor=cli_actor(),
        )
    _emit(args, done.as_dict(), f"{args.ref.upper()}: {done.tier.label}. {done.reason}")


def run_refer(args: argparse.Namespace, settings: Settings) -> None:
    steady, people = _people(settings)
    with steady:
        referral = people.refer(
            args.ref,
            args.incident,
            kind=args.to_kind,
            to=args.to,
            reason=args.reason,
            asked_to=args.asked_to,
            actor=cli_actor(),
        )
    _emit(args, referral.as_dict(), f"{args.ref.upper()} referred to {referral.to} ({referral.id})")


def run_erase(args: argparse.Namespace, settings: Settings) -> None:
    steady, people = _people(settings)
    with steady:
        reference = people.person(args.ref).reference
        people.erase_identity(reference, args.reason, actor=cli_actor())
    _emit(
        args,
        {"reference": reference, "identity_erased": True},
        f"The identity of {reference} is erased: its key is destroyed; the history keeps "
        f"{reference}.",
    )
