"""`steady people ...` against real stores, as an operator runs it: add, triage, refer, show,
erase, and the errors it explains."""

import json

from domain.people import Actor
from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from tests.cli_runs import steady

NAME = "Odalys Fenwick-Marr"


def test_add_triage_refer_show_and_erase(database_url):
    opened = steady(database_url, "users", "list")  # makes the store
    assert opened.returncode == 0, opened.stderr
    with open_steady(Settings(database_url=database_url)) as app:
        seed_demo_accounts(Accounts(app))
        ref = app.open_incident(
            title="Death of a student",
            kind="death",
            severity=2,
            schools=["Roosevelt High School"],
            actor=Actor("m.alvarez", "crisis-lead"),
        ).reference
    added = steady(
        database_url, "people", "add", ref, "--kind", "student", "--school",
        "Roosevelt High School", "--grade", "9", "--how", "sat beside her", "--name", NAME,
        "--person-id", "S-31", "--json",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    person = json.loads(added.stdout)["reference"]
    triaged = steady(
        database_url, "people", "triage", person, "--incident", ref, "--tier", "1",
        "--reason", "quiet in class", "--sign", "avoidance", "--counselor", "k.okafor",
    )  # fmt: skip
    assert triaged.returncode == 0, triaged.stderr
    assert "Raised to tier 3 (intensive) from tier 1 (universal)" in triaged.stdout
    referred = steady(
        database_url, "people", "refer", person, "--incident", ref, "--to-kind", "partner",
        "--to", "eastside-counseling", "--reason", "avoidance", "--asked-to", "assess",
    )  # fmt: skip
    assert referred.returncode == 0, referred.stderr
    shown = steady(database_url, "people", "show", person)
    assert "tier 3" in shown.stdout and "eastside-counseling" in shown.stdout
    assert NAME not in shown.stdout  # the record, never the identity
    erased = steady(database_url, "people", "erase", person, "--reason", "family asked")
    assert erased.returncode == 0, erased.stderr
    shown = steady(database_url, "people", "show", person)
    assert "Identity erased by cli" in shown.stdout and "family asked" in shown.stdout
    again = steady(database_url, "people", "erase", person, "--reason", "again")
    assert again.returncode == 1 and "erased already" in again.stderr
    wrong = steady(database_url, "people", "triage", person, "--incident", ref, "--tier", "7",
                   "--reason", "x")  # fmt: skip
    assert wrong.returncode == 1 and "give 1 (universal), 2 (targeted) or 3" in wrong.stderr
