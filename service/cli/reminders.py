"""`steady reminders run [--at TIME]` and `steady reminders show`: the outbox by hand.

`run` does one round of what the server does on its schedule (service.outbox.reminders): it
derives the messages the log holds, makes the morning's digests if they are due at that moment,
sends what is due, and prints each delivery. `show` lists the outbox and each delivery attempt:
keys, times and outcomes only, never a recipient or a body."""

import argparse
import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from service.bootstrap import assemble, open_steady
from service.config import ConfigError, Settings
from service.outbox.reminders import Reminders


def add_commands(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]",
    parse_moment: Callable[[str, Settings], datetime],
) -> None:
    reminders = commands.add_parser("reminders", help="the outbox: urgent-task emails, digests")
    sub_commands = reminders.add_subparsers(title="reminder commands", metavar="COMMAND")

    def run(args: argparse.Namespace, settings: Settings) -> int:
        at = parse_moment(args.at, settings) if args.at else None
        return run_reminders(args, settings, at)

    sub = sub_commands.add_parser(
        "run", help="derive and send what is due now (or at --at), as the server would"
    )
    sub.set_defaults(run=run)
    sub.add_argument("--at", help="a moment, e.g. 2026-12-07T07:05 (district time) or with offset")
    sub.add_argument("--json", action="store_true", help="machine-readable output")

    sub = sub_commands.add_parser("show", help="list the outbox and its delivery attempts")
    sub.set_defaults(run=show_reminders)
    sub.add_argument("--json", action="store_true", help="machine-readable output")


def _reminders(parts_reminders: Reminders | None, settings: Settings) -> Reminders:
    if parts_reminders is None:
        raise ConfigError(
            f"the store at {settings.redacted_url()} keeps no outbox: it needs a cipher key "
            "(STEADY_CIPHER_KEY, or SQLite's key file)"
        )
    return parts_reminders


def run_reminders(args: argparse.Namespace, settings: Settings, at: datetime | None) -> int:
    with open_steady(settings) as steady:
        reminders = _reminders(assemble(steady, settings).reminders, settings)
        moment = at or steady.clock()
        done = asyncio.run(reminders.run_once(moment))
        waiting = reminders.outbox.waiting(moment)
    sent = [d for d in done.deliveries if d.outcome == "sent"]
    failed = [d for d in done.deliveries if d.outcome == "failed"]
    data: dict[str, Any] = {
        "at": moment.isoformat(),
        "derived": done.derived,
        "digests": done.digests,
        "sent": [d.key for d in sent],
        "failed": [{"key": d.key, "error": d.error} for d in failed],
        "waiting": waiting,
        "smtp": bool(settings.smtp_url),
    }
    lines = [
        f"at {moment.isoformat()}: {done.derived} urgent-task email(s) derived, "
        f"{done.digests} digest(s) made",
        *(f"sent {d.key}" for d in sent),
        *(f"failed {d.key}: {d.error}" for d in failed),
    ]
    if not settings.smtp_url:
        lines.append("STEADY_SMTP_URL is not set: nothing was sent")
    lines.append(f"{waiting} message(s) waiting")
    print(json.dumps(data, indent=2) if args.json else "\n".join(lines))
    return 1 if failed else 0


def show_reminders(args: argparse.Namespace, settings: Settings) -> int:
    with open_steady(settings) as steady:
        reminders = _reminders(assemble(steady, settings).reminders, settings)
        messages = reminders.outbox.messages()
        attempts = reminders.outbox.attempts()
    if args.json:
        print(
            json.dumps(
                {
                    "messages": [
                        {
                            "key": m.key,
                            "kind": m.kind,
                            "created_at": m.created_at.isoformat(),
                            "attempts": m.attempts,
                            "next_attempt_at": m.next_attempt_at.isoformat()
                            if m.next_attempt_at
                            else None,
                            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                            "expires_at": m.expires_at.isoformat() if m.expires_at else None,
                        }
                        for m in messages
                    ],
                    "attempts": [
                        {
                            "key": a.key,
                            "attempt": a.number,
                            "at": a.at.isoformat(),
                            "outcome": a.outcome,
                        }
                        for a in attempts
                    ],
                },
                indent=2,
            )
        )
        return 0
    zone = settings.zone()
    now = datetime.now(UTC)
    lines = [f"{len(messages)} message(s):"]
    for m in messages:
        if m.sent_at:
            state = f"sent {m.sent_at.astimezone(zone):%Y-%m-%d %H:%M}"
        elif m.expires_at and m.expires_at <= now:
            state = f"not sent: expired {m.expires_at.astimezone(zone):%Y-%m-%d %H:%M}"
        elif m.next_attempt_at:
            state = f"waiting, next attempt {m.next_attempt_at.astimezone(zone):%Y-%m-%d %H:%M}"
        else:
            state = "waiting to be sent"
        lines.append(f"  {m.key}  {m.kind}  {m.attempts} attempt(s)  {state}")
    lines.append(f"{len(attempts)} delivery attempt(s):")
    for a in attempts:
        lines.append(f"  {a.at.astimezone(zone):%Y-%m-%d %H:%M:%S}  {a.outcome:<6}  {a.key}")
    print("\n".join(lines))
    return 0
