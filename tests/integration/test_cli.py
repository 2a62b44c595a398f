"""The `steady` command against real stores, as a person or a script would run it."""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runs import steady

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seeded_demo(tmp_path_factory) -> tuple[Path, str]:
    """The demo district seeded once for the tests that only read it (seeding takes seconds),
    and the reference of its first incident."""
    directory = tmp_path_factory.mktemp("cli-demo")
    url = f"sqlite:///{directory}/steady.db"
    steady(url, "demo")
    ref = json.loads(steady(url, "incidents", "list", "--json").stdout)[0]["reference"]
    return directory / "steady.db", ref


@pytest.fixture
def demo_copy(seeded_demo, tmp_path) -> tuple[str, str]:
    """A copy of the seeded demo (the file, its WAL and its key): a test's store of its own."""
    store, ref = seeded_demo
    for part in store.parent.glob(f"{store.name}*"):
        shutil.copy2(part, tmp_path / part.name)
    return f"sqlite:///{tmp_path / store.name}", ref


def test_demo_seeds_once_and_prints_the_board(database_url):
    first = steady(database_url, "demo")
    assert first.returncode == 0, first.stderr
    assert "Riverside Unified School District: open incidents" in first.stdout
    assert "INC-" in first.stdout and "Lockdown after a report of a weapon" in first.stdout
    events = steady(database_url, "events", "--limit", "1000", "--json").stdout.splitlines()
    again = steady(database_url, "demo", "--json")
    assert again.returncode == 0
    assert len(json.loads(again.stdout)) == 3  # the closed bullying case is not on the board
    assert steady(database_url, "events", "--limit", "1000", "--json").stdout.splitlines() == events
    assert len(events) > 100
    # The demo's people: the first, the closest friend, raised to tier 3 by warning signs.
    shown = steady(database_url, "people", "show", "P-0001", "--json")
    person = json.loads(shown.stdout)
    assert (person["kind"], person["tier"]) == ("student", 3)
    on = person["incidents"][0]
    assert on["counselor"] == "k.okafor"
    assert [t["tier"] for t in on["triages"]] == [2, 3]
    assert "Ejemplo" not in shown.stdout  # the record is pseudonymous: no identity in it


def test_incidents_list_show_and_replay(database_url):
    steady(database_url, "demo")
    listed = json.loads(steady(database_url, "incidents", "list", "--all", "--json").stdout)
    assert len(listed) == 5  # with the closed bullying case and the closed lockdown drill
    chavez = json.loads(
        steady(
            database_url, "incidents", "list", "--school", "Cesar Chavez Elementary", "--json"
        ).stdout
    )
    assert [i["schools"] for i in chavez] == [["Cesar Chavez Elementary"]]
    ref = chavez[0]["reference"]
    shown = steady(database_url, "incidents", "show", ref)
    assert shown.returncode == 0 and "Shooting two blocks from school" in shown.stdout
    assert "Response" in shown.stdout
    first = json.loads(steady(database_url, "replay", ref, "--version", "1", "--json").stdout)
    assert first["version"] == 1 and first["task_list"] == []
    opened_at = first["opened_at"]
    at_open = json.loads(steady(database_url, "replay", ref, "--at", opened_at, "--json").stdout)
    assert at_open["version"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["incidents", "show", "INC-2026-9999"], "there is no incident INC-2026-9999"),
        (["incidents", "show", "yesterday's lockdown"], "is not an incident reference"),
        (["replay", "REF", "--version", "9999"], "version 9999 is beyond the stream"),
        (["replay", "REF", "--at", "2001-01-01T00:00"], "there is nothing to show at 2001-01-01"),
        (["replay", "REF", "--at", "last tuesday"], "is not a moment"),
        (["replay", "REF", "--at", "0001-01-01T00:00+14:00"], "from 1970-01-01 to 2100-01-01"),
        (["events", "--limit", "0"], "limit must be from 1 to 1000"),
    ],
)
def test_errors_go_to_stderr_with_a_non_zero_exit(demo_copy, args, message):
    database_url, ref = demo_copy
    result = steady(database_url, *[ref if a == "REF" else a for a in args])
    assert result.returncode == 1
    assert message in result.stderr
    assert result.stdout == ""


def test_several_workers_on_sqlite_are_refused_with_what_to_do_instead(sqlite_url):
    serving = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve", "--port", "0", "--workers", "2"],
        env={**os.environ, "STEADY_DATABASE_URL": sqlite_url},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # should it serve instead, its workers go with it below
    )
    try:
        stdout, stderr = serving.communicate(timeout=30)
    finally:
        if serving.poll() is None:
            os.killpg(serving.pid, signal.SIGKILL)
            serving.wait()
    assert serving.returncode == 1
    assert "--workers 2 needs PostgreSQL" in stderr
    assert "serve SQLite with one process (leave out --workers)" in stderr
    assert "Steady is serving" not in stdout


@pytest.mark.parametrize("workers", ["0", "-1", "two", "1000"])
def test_a_number_of_workers_that_is_not_one_or_more_is_refused(sqlite_url, workers):
    result = steady(sqlite_url, "serve", "--workers", workers)
    assert result.returncode == 2
    assert f"{workers!r} is not a number of processes: give a whole number from 1" in result.stderr


def test_an_unreachable_database_is_named_without_its_password():
    result = steady("postgresql://steady:hunter2@127.0.0.1:1/steady", "incidents", "list")
    assert result.returncode == 1
    assert (
        "cannot reach the database at postgresql://steady:***@127.0.0.1:1/steady" in result.stderr
    )
    assert "hunter2" not in result.stderr + result.stdout


def test_playbooks_check_lists_one_line_per_problem(tmp_path, sqlite_url):
    assert steady(sqlite_url, "playbooks", "check").returncode == 0
    (tmp_path / "broken.toml").write_text('id = "Broken Id"\ntitle = "x"\nversion = 0\n')
    result = steady(sqlite_url, "playbooks", "check", str(tmp_path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("broken.toml: id: expected") for line in lines)
    assert any(line.startswith("broken.toml: version: expected") for line in lines)


def test_an_invalid_district_playbook_is_refused_not_half_loaded(tmp_path, sqlite_url):
    shipped = ROOT / "playbooks" / "library" / "bullying-or-harassment-report.toml"
    (tmp_path / "bullying-or-harassment-report.toml").write_text(
        shipped.read_text().replace('owner = "principal"', 'owner = "princpal"', 1)
    )
    env = {"STEADY_PLAYBOOKS_DIR": str(tmp_path)}
    listed = steady(sqlite_url, "playbooks", "list", env=env)
    assert "bullying-or-harassment-report" not in listed.stdout
    assert "princpal" in listed.stderr
    shown = steady(sqlite_url, "playbooks", "show", "bullying-or-harassment-report", env=env)
    assert shown.returncode == 1 and "princpal" in shown.stderr


def test_replay_diff_lists_what_changed_between_two_versions(sqlite_url):
    steady(sqlite_url, "demo")
    ref = json.loads(steady(sqlite_url, "incidents", "list", "--json").stdout)[0]["reference"]
    diff = json.loads(steady(sqlite_url, "replay", ref, "--diff", "1", "3", "--json").stdout)
    assert (diff["from"], diff["to"]) == (1, 3)
    assert diff["changes"]["tasks"]["added"]  # the playbook's tasks arrived after version 1
    text = steady(sqlite_url, "replay", ref, "--diff", "1", "3").stdout
    assert text.startswith(f"{ref}: from version 1 to version 3") and "+ task T1:" in text


def test_a_store_read_with_the_wrong_key_says_so_without_a_traceback(sqlite_url):
    steady(sqlite_url, "demo")
    result = steady(sqlite_url, "incidents", "list", env={"STEADY_CIPHER_KEY": "A" * 43 + "="})
    assert result.returncode == 1
    assert "cannot be read with this key" in result.stderr and "Traceback" not in result.stderr
