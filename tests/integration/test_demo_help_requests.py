"""The demo district's help requests: the desk opens the demo to a queue with a request in each
state (new, acknowledged with the reporter's answer unread, routed to a partner, closed), and
seeding again adds none."""

from datetime import UTC, datetime

from service.accounts.service import Accounts
from service.bootstrap import assemble, open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from service.demo.clock import DemoClock
from service.demo.help_requests import seed_demo_help_requests
from tests.builders import FAST_HASHER

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


def test_the_demo_desk_has_requests_in_each_state_and_seeding_again_adds_none(sqlite_url):
    clock = DemoClock(lambda: NOW)
    settings = Settings(database_url=sqlite_url)
    steady = open_steady(settings, clock=clock)
    try:
        accounts = Accounts(steady, hasher=FAST_HASHER)
        seed_demo_accounts(accounts)
        parts = assemble(steady, settings, accounts=accounts)
        parts.help_requests.hasher = FAST_HASHER
        assert seed_demo_help_requests(parts.help_requests, clock, NOW) == 4
        assert seed_demo_help_requests(parts.help_requests, clock, NOW) == 0
        desk = accounts.account("t.santos")
        queue = {i.category: i for i in parts.help_requests.queue(desk)}
        assert set(queue) == {"mental-health", "worry-friend", "bullying"}
        assert queue["bullying"].status == "new"
        assert queue["worry-friend"].unread_from_reporter
        [routed] = parts.help_requests.routed_cases(accounts.account("j.brooks"))
        assert routed.reference == queue["mental-health"].reference
        [closed] = parts.help_requests.closed(desk)
        assert closed.category == "food"
        assert all(i.received_at < NOW for i in queue.values())
    finally:
        steady.close()
