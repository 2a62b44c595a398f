"""Urgent work and the calendar feed in a real Chromium against `steady serve` with a real SMTP
server in the test process: a crisis lead adds an urgent task on the incident page, the row says
Urgent and the server emails it by itself; a person makes their calendar feed on their account
page, a calendar application reads it, and once revoked it is gone."""

import shutil
import time
from collections.abc import Iterator

import httpx
import pytest
from icalendar import Calendar

from tests.e2e.browser_fixtures import browser, open_page
from tests.e2e.conftest import RunningServer
from tests.outbox_smtp import SmtpServer

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect
LOCKDOWN = "Lockdown after a report of a weapon near campus"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailing_server(demo_store, tmp_path, smtp) -> Iterator[RunningServer]:
    """`steady serve` on a copy of the demo district, sending through the test's SMTP server."""
    for part in demo_store.parent.glob(f"{demo_store.name}*"):  # the file, WAL, key
        shutil.copy2(part, tmp_path / part.name)
    server = RunningServer(f"sqlite:///{tmp_path / demo_store.name}", tmp_path / "server.log")
    server.env |= {"STEADY_SMTP_URL": smtp.url, "STEADY_PUBLIC_URL": "https://steady.example"}
    server.start()
    yield server
    server.stop()


def test_an_urgent_task_added_on_the_page_says_so_and_is_emailed(mailing_server, smtp, open_page):
    headers = mailing_server.auth("m.alvarez")
    listed = httpx.get(f"{mailing_server.url}/api/v1/incidents", headers=headers, timeout=10)
    ref = next(i["reference"] for i in listed.json()["incidents"] if i["title"] == LOCKDOWN)
    page = open_page(mailing_server.url, f"/incidents/{ref}")
    page.fill("#task-title", "Walk the perimeter with the officer")
    page.fill("#task-owner", "crisis-lead")
    page.get_by_label("Urgent").check()
    page.locator("#task-form button[type=submit]").click()
    row = page.locator("li.task", has_text="Walk the perimeter with the officer")
    expect(row.locator(".task__urgent-flag")).to_have_text("Urgent")
    assert page.script_errors == []

    deadline = time.monotonic() + 15
    lead = "m.alvarez@riverside.example"
    while time.monotonic() < deadline and not smtp.inbox.to(lead, "Urgent:"):
        time.sleep(0.2)
    [email] = smtp.inbox.to(lead, "Urgent:")  # (a morning digest may come too)
    assert email["Subject"].startswith("Urgent: T")
    assert email["Subject"].endswith(f"Walk the perimeter with the officer ({ref})")
    assert f"https://steady.example/incidents/{ref}#task-T" in email.get_content()
    assert LOCKDOWN not in email.get_content()


def test_a_person_makes_their_calendar_feed_a_calendar_reads_it_and_revoking_ends_it(
    mailing_server, open_page
):
    page = open_page(mailing_server.url, "/account", user="k.okafor")
    expect(page.locator("#feed-state")).to_have_text("You have no calendar feed.")
    page.get_by_role("button", name="Make a calendar feed").click()
    url = page.locator("#feed-url").inner_text()
    path = "/" + url.split("/", 3)[3]
    read = httpx.get(f"{mailing_server.url}{path}", timeout=10)  # as a calendar would
    assert read.status_code == 200
    calendar = Calendar.from_ical(read.content)
    assert calendar["METHOD"] == "PUBLISH"
    assert all(str(e["SUMMARY"]).startswith("INC-") for e in calendar.walk("VEVENT"))

    page.goto("/account")
    expect(page.locator("#feed-state")).to_contain_text("You have a calendar feed, made")
    page.get_by_role("button", name="Revoke the calendar feed").click()
    expect(page.locator(".flash, [role=status]").first).to_contain_text(
        "Revoked your calendar feed"
    )
    assert httpx.get(f"{mailing_server.url}{path}", timeout=10).status_code == 404
    assert page.script_errors == []
