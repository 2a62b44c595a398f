"""The demo district's organisations and accounts (service.demo.staff): one per permission
role and someone for every playbook position, with a published password.

The usernames are the people who act in service.demo.incidents's incidents. Seeding again adds
nothing and changes no password. The password is for the demo only: it is printed in the README.
"""

from contextlib import suppress

from domain.account import AlreadyExists
from domain.errors import DomainError, NotFound
from domain.people import Actor
from service.accounts.service import Accounts
from service.demo.staff import (
    DEMO_ACCOUNTS,
    PARTNER_ORGANISATION,
    POLICE_ORGANISATION,
    SCHOOLS,
    DemoAccount,
    slug,
)

__all__ = ["DEMO_ACCOUNTS", "DemoAccount", "slug"]

DEMO_PASSWORD = "steady-demo-2026"
DEMO_ACTOR = Actor("demo", "admin")
DISTRICT = ("riverside-usd", "Riverside Unified School District", "district")
PARTNER = PARTNER_ORGANISATION
# The playbooks' community mental-health role is Eastside's: applying the death, suicide,
# lockdown, violence or recovery playbooks gives it that role's tasks.
STAND_INS = [(PARTNER_ORGANISATION[0], "partner-mental-health")]


DEMO_MAIL_DOMAIN = "riverside.example"  # reserved for examples (RFC 2606): no one receives it


def demo_email(demo: DemoAccount) -> str:
    """The demo person's address, such as m.alvarez@riverside.example."""
    return f"{demo.username}@{DEMO_MAIL_DOMAIN}"


def seed_demo_accounts(accounts: Accounts) -> list[tuple[str, str, str]]:
    """Adds whatever of the demo organisations and accounts is missing; returns
    (username, role, password) for every demo account."""
    organisations = [
        DISTRICT,
        *((slug(s), s, "school") for s in SCHOOLS),
        PARTNER,
        POLICE_ORGANISATION,
    ]
    for org_slug, name, kind in organisations:
        try:
            accounts.organisation(org_slug)
        except NotFound:
            with suppress(AlreadyExists):  # another process seeding at the same moment
                accounts.add_organisation(org_slug, name, kind, actor=DEMO_ACTOR)
    for demo in DEMO_ACCOUNTS:
        try:
            accounts.account(demo.username)
        except NotFound:
            with suppress(AlreadyExists):
                accounts.add_user(
                    demo.username,
                    display_name=demo.display_name,
                    organisation=demo.organisation,
                    roles=[demo.role],
                    positions=demo.positions,
                    password=DEMO_PASSWORD,
                    actor=DEMO_ACTOR,
                )
        if demo.schools and not accounts.account(demo.username).schools:
            accounts.set_schools(demo.username, list(demo.schools), actor=DEMO_ACTOR)
        if not accounts.account(demo.username).email:
            with suppress(DomainError):  # another process seeding at the same moment
                accounts.set_email(demo.username, demo_email(demo), actor=DEMO_ACTOR)
    return [(d.username, d.role, DEMO_PASSWORD) for d in DEMO_ACCOUNTS]


def seed_demo_stand_ins(accounts: Accounts) -> None:
    """Lets the demo's partner stand in for the playbooks' community mental-health role, unless
    it does (or another partner does) already. Seeded before the demo's incidents, so their
    playbooks hand Eastside its tasks."""
    taken = accounts.steady.stand_ins()
    for org_slug, role in STAND_INS:
        if role not in taken and role in accounts.playbook_roles():
            with suppress(DomainError):  # another process seeding at the same moment
                accounts.stand_in(org_slug, role, actor=DEMO_ACTOR)
