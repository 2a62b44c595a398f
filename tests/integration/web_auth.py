"""Signed-in test clients: the demo accounts, seeded quickly, and an API token for each."""

from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from litestar.testing import TestClient

from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.config import Settings
from service.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo_accounts
from web.app import create_app

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
def signed_in_app(database_url: str, **options) -> Iterator[SignedIn]:
    settings = Settings(database_url=database_url)
    steady = open_steady(settings)
    accounts = Accounts(steady, hasher=FAST_HASHER)
    seed_demo_accounts(accounts)
    app = create_app(
        steady, settings, heartbeat_seconds=0.5, poll_seconds=0.2, accounts=accounts, **options
    )
    with TestClient(app) as client:
        yield SignedIn(client, accounts)
