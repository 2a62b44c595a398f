"""What many tests build the same way: the people who act, a lockdown opened, a story that has
every kind of event, and an app with the demo accounts signed in (a token header each)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from litestar.testing import TestClient

from domain.people import Actor
from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.config import Settings
from service.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo_accounts
from service.incidents.application import Steady
from web.app import create_app

ZONE = ZoneInfo("America/Chicago")
START = datetime(2026, 11, 23, 20, 2, 31, tzinfo=UTC)  # Mon 23 Nov 2026, 14:02:31 CST
LEAD = Actor("m.alvarez", "crisis-lead")
COUNSELOR = Actor("k.okafor", "counselor")
PRINCIPAL = Actor("d.chen", "principal")


@dataclass
class Story:
    app: Steady
    ref: str
    call: str  # the task "Call the family"
    playbook_tasks: int


def story(app: Steady | None = None, *, occurred_at: datetime = START) -> Story:
    """A lockdown told from opening to reopening: every kind of event, a correction included.
    Its changes are recorded five minutes apart from START."""
    app = app or Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    minutes = iter(range(0, 1000, 5))

    def at() -> dict:
        return {"at": START + timedelta(minutes=next(minutes))}

    ref = app.open_incident(
        title="Lockdown after a report of a weapon",
        kind="lockdown",
        severity=1,
        schools=["Roosevelt High School"],
        occurred_at=occurred_at,
        actor=LEAD,
        **at(),
    ).reference
    applied = app.apply_playbook(ref, "lockdown-or-threat", actor=LEAD, **at())
    count = len(applied.detail["task_ids"])
    call = app.add_task(
        ref, title="Call the family", owner_role="counselor", actor=LEAD, **at()
    ).detail["task_id"]
    app.assign_task(ref, call, kind="person", name="k.okafor", actor=LEAD, **at())
    app.change_task_status(ref, call, "in_progress", actor=COUNSELOR, **at())
    app.change_task_status(
        ref,
        call,
        "done",
        note="spoke with the mother, follow-up Friday",
        actor=COUNSELOR,
        **at(),
    )
    app.change_task_status(
        ref, "T2", "blocked", reason="Waiting for police", actor=PRINCIPAL, **at()
    )
    app.change_task_status(ref, "T2", "in_progress", actor=PRINCIPAL, **at())
    app.add_note(ref, "Support room in 114", task_id=call, actor=COUNSELOR, **at())
    app.correct_note(ref, "N1", "Support room in 214", reason="wrong room", actor=COUNSELOR, **at())
    app.change_severity(ref, 2, reason="No weapon found", actor=LEAD, **at())
    app.change_task_status(
        ref, call, "todo", reason="The family asked for a second call", actor=COUNSELOR, **at()
    )
    app.advance_phase(ref, "stabilization", actor=LEAD, **at())
    app.close_incident(
        ref, "Safe dismissal; debrief held.", open_tasks="follow_up", actor=LEAD, **at()
    )
    app.reopen_incident(ref, "Family asked to meet", phase="recovery", actor=LEAD, **at())
    return Story(app, ref, call, count)


def open_lockdown(app: Steady, **options) -> str:
    return app.open_incident(
        title="Lockdown after a report of a weapon",
        kind="lockdown",
        severity=1,
        schools=["Roosevelt High School"],
        summary="Police responded to an anonymous tip.",
        actor=LEAD,
        **options,
    ).reference


# The lightest argon2 parameters: the tests check who may do what, not the hash's strength.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
ADMIN = "admin"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class SignedIn:
    """An app over a fresh store with the demo accounts, and a token header per username."""

    def __init__(self, client: TestClient, accounts: Accounts) -> None:
        self.client = client
        self.accounts = accounts
        self.ref = ""  # an incident a test module seeded, if it needs one
        # Each person issues their own token: an admin may not issue one for them.
        self.headers = {
            demo.username: bearer(
                accounts.issue_token(
                    demo.username, "tests", actor=accounts.account(demo.username).acting_as()
                )
            )
            for demo in DEMO_ACCOUNTS
        }

    def sign_in(self, client: TestClient, username: str) -> None:
        """Signs the client in through the form, as a browser does."""
        client.get("/signin")
        response = client.post(
            "/signin",
            data={
                "username": username,
                "password": DEMO_PASSWORD,
                "_csrf_token": client.cookies.get("csrftoken", ""),
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text


@contextmanager
def signed_in_app(
    database_url: str, *, clock: Callable[[], datetime] | None = None, **options
) -> Iterator[SignedIn]:
    settings = Settings(database_url=database_url)
    steady = open_steady(settings, clock=clock) if clock else open_steady(settings)
    accounts = Accounts(steady, hasher=FAST_HASHER)
    seed_demo_accounts(accounts)
    app = create_app(
        steady, settings, heartbeat_seconds=0.5, poll_seconds=0.2, accounts=accounts, **options
    )
    with TestClient(app) as client:
        yield SignedIn(client, accounts)
