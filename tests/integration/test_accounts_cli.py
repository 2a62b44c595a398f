"""`steady users ...` and `steady orgs ...`, run in-process against the real stores.

The commands are wired into service.cli.main by add_commands; these tests build a parser of their
own with it, so they run whether or not service.cli.main has been wired yet."""

import argparse
import io
import json
import sys

import pytest

from domain.errors import DomainError
from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.cli.accounts import add_commands
from service.config import Settings


@pytest.fixture
def run(database_url, capsys, monkeypatch):
    """Runs one command; returns (exit status, stdout, stderr)."""

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        parser = argparse.ArgumentParser(prog="steady")
        add_commands(parser.add_subparsers())
        args = parser.parse_args(argv)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        status = args.run(args, Settings(database_url=database_url)) or 0
        out, err = capsys.readouterr()
        return status, out, err

    return run


def test_first_admin_list_token_and_disable(run, database_url):
    run("orgs", "add", "riverside-usd", "--name", "Riverside", "--kind", "district")
    _, out, _ = run(
        *("users", "add", "admin", "--name", "First admin", "--org", "riverside-usd"),
        *("--role", "admin", "--password-stdin"),
        stdin="first admin password\n",
    )
    assert "added admin (admin) at riverside-usd" in out
    run(
        *("users", "add", "k.okafor", "--name", "Kemi Okafor", "--org", "riverside-usd"),
        *("--role", "responder", "--position", "counselor", "--json"),
        stdin="counselor password 2026\n",
    )
    _, out, _ = run("users", "list", "--json")
    listed = json.loads(out)
    assert [u["username"] for u in listed] == ["admin", "k.okafor"]
    assert listed[1]["positions"] == ["counselor"] and "hash" not in out

    # A person's token: only with their own password. A script's account has none.
    _, token, hint = run(
        *("users", "token", "k.okafor", "--label", "cron", "--password-stdin"),
        stdin="counselor password 2026\n",
    )
    assert token.startswith("stdy_") and "shown once" in hint
    run(
        *("users", "add", "sync.bot", "--name", "Sync", "--org", "riverside-usd"),
        *("--role", "auditor", "--no-password"),
    )
    _, script_token, _ = run("users", "token", "sync.bot")
    assert script_token.startswith("stdy_")
    with open_steady(Settings(database_url=database_url)) as steady:
        accounts = Accounts(steady)
        assert accounts.authenticate_token(token.strip()).username == "k.okafor"
        assert accounts.authenticate_token(script_token.strip()).username == "sync.bot"
        assert accounts.authenticate_password("admin", "first admin password").username == "admin"
        created = steady.repository.get(accounts.account("k.okafor").id).created_by
        assert created.user.startswith("cli") and created.role == "admin"

    _, out, _ = run("users", "disable", "k.okafor", "--reason", "left")
    assert "disabled k.okafor" in out
    _, out, _ = run("users", "list")
    assert "k.okafor" in out and "disabled" in out


def test_refusals_are_domain_errors_the_cli_prints(run):
    run("orgs", "add", "riverside-usd", "--name", "R", "--kind", "district")
    with pytest.raises(DomainError, match="no password on standard input"):
        run("users", "add", "x.y", "--name", "X", "--org", "riverside-usd",
            "--role", "auditor", "--password-stdin")  # fmt: skip
    with pytest.raises(DomainError, match="too short"):
        run("users", "add", "x.y", "--name", "X", "--org", "riverside-usd",
            "--role", "auditor", stdin="short\n")  # fmt: skip
    with pytest.raises(DomainError, match="no organisation 'nowhere'"):
        run("users", "add", "x.y", "--name", "X", "--org", "nowhere",
            "--role", "auditor", "--no-password")  # fmt: skip


def test_an_admin_sets_a_schools_day_and_the_list_shows_it(run):
    run("orgs", "add", "riverside-usd", "--name", "Riverside", "--kind", "district")
    run("orgs", "add", "lincoln-elementary", "--name", "Lincoln Elementary", "--kind", "school")
    _, listed, _ = run("orgs", "list")
    assert "Lincoln Elementary" in listed and "08:00" in listed  # the default until set
    _, out, _ = run("orgs", "hours", "lincoln-elementary", "07:45", "14:20")
    assert "lincoln-elementary's school day is 07:45" in out and "14:20" in out
    _, listed, _ = run("orgs", "list")
    assert "07:45" in listed and "14:20" in listed
    with pytest.raises(DomainError, match="after"):
        run("orgs", "hours", "lincoln-elementary", "15:00", "08:00")
    with pytest.raises(DomainError, match="school"):
        run("orgs", "hours", "riverside-usd", "08:00", "15:00")  # a district has no school day
