"""The demo district's help requests, sent from the public help page at moments in the demo's
past and worked by the desk (t.santos) as far as each one's state: a new report waiting, a
worry about a friend acknowledged and answered by the reporter, an ask routed to Eastside, and
one closed. Their case codes are random and never shown: the demo's reporters are no one.

Seeding again adds nothing: the help requests are seeded only while there are none."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.people import Actor
from service.demo.clock import DemoClock
from service.help_requests.service import HelpRequests

DESK = Actor("t.santos", "help-desk")


@dataclass(frozen=True)
class DemoRequest:
    ago: timedelta
    route: str
    category: str
    school: str
    words: str
    when: str = ""
    contact: str = ""
    language: str = "en"
    # What the desk has done, in order: ("ack",), ("write", text), ("reporter", text),
    # ("route", organisation, need), ("close", outcome).
    steps: tuple[tuple[str, ...], ...] = ()


REQUESTS = [
    DemoRequest(
        timedelta(hours=26),
        "ask",
        "mental-health",
        "jefferson-middle-school",
        "Since the accident my son does not sleep and will not talk about it. Who can we see?",
        contact="call 555-0148 after 5pm",
        steps=(
            ("ack",),
            ("write", "Thank you for asking. A counselor from Eastside will call you this week."),
            (
                "route",
                "eastside-counseling",
                "A family counseling appointment for a grade 7 "
                "student who is not sleeping since the accident",
            ),
        ),
    ),
    DemoRequest(
        timedelta(hours=5),
        "report",
        "worry-friend",
        "roosevelt-high-school",
        "My friend posted that she wants to disappear and has stopped coming to lunch.",
        steps=(
            ("ack",),
            ("write", "Thank you for telling us. Do you know if she is in school today?"),
            ("reporter", "She was in first period. She seemed very quiet."),
        ),
    ),
    DemoRequest(
        timedelta(days=6),
        "ask",
        "food",
        "lincoln-elementary",
        "We are short of food until payday. Two children at Lincoln.",
        language="es",
        steps=(
            ("ack",),
            ("write", "The school's family pantry is open Tuesdays 3 to 5pm; no questions asked."),
            ("close", "referred"),
        ),
    ),
    DemoRequest(
        timedelta(minutes=40),
        "report",
        "bullying",
        "jefferson-middle-school",
        "Some boys keep taking a younger student's lunch at the bus stop and pushing him.",
        when="every morning this week",
    ),
]
DEMO_PASSPHRASE = "demo reporter not anyone"


def seed_demo_help_requests(help_requests: HelpRequests, clock: DemoClock, now: datetime) -> int:
    """Sends and works the demo's requests, unless there are help requests already; returns
    how many were sent."""
    if help_requests.help_queue.requests(lambda _: True):
        return 0
    for demo in sorted(REQUESTS, key=lambda d: -d.ago):
        at = now - demo.ago
        with clock.at(at):
            sent = help_requests.submit(
                route=demo.route,
                category=demo.category,
                school=demo.school,
                when=demo.when,
                words=demo.words,
                contact=demo.contact,
                life_safety=False,
                language=demo.language,
                passphrase=DEMO_PASSPHRASE,
                client=None,
            )
        for number, step in enumerate(demo.steps, start=1):
            with clock.at(at + timedelta(minutes=7 * number)):
                take(help_requests, sent.reference, sent.case_code, step)
    return len(REQUESTS)


def take(help_requests: HelpRequests, reference: str, code: str, step: tuple[str, ...]) -> None:
    match step:
        case ("ack",):
            help_requests.acknowledge(reference, DESK)
        case ("write", text):
            help_requests.write_to_reporter(reference, text, DESK)
        case ("reporter", text):
            help_requests.reporter_writes(code, DEMO_PASSPHRASE, text, client=None)
        case ("route", organisation, need):
            help_requests.route_to(reference, organisation, need, DESK)
        case ("close", outcome):
            help_requests.close(reference, DESK, outcome)
        case _:
            raise ValueError(f"the demo has no help desk step {step!r}")
