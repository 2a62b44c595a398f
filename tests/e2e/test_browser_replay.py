"""The auditor's pages in a real Chromium: the replay scrubber moves back in time, the timeline
and the after-action report read well on desktop and phone."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.browser_fixtures import PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect
LOCKDOWN = "Lockdown after a report of a weapon near campus"
ZONE = ZoneInfo("America/Chicago")  # the default district time zone


def reference_of(server, title: str) -> str:
    incidents = httpx.get(
        f"{server.url}/api/v1/incidents?all=true", headers=server.auth(), timeout=10
    ).json()
    return next(i for i in incidents["incidents"] if i["title"] == title)["reference"]


def events_of(server, ref: str) -> list[dict]:
    return httpx.get(
        f"{server.url}/api/v1/incidents/{ref}/events", headers=server.auth(), timeout=10
    ).json()["events"]


def a_task_done_now_and_a_version_before_it_started(server, ref: str) -> tuple[str, int]:
    events = events_of(server, ref)
    latest = httpx.get(
        f"{server.url}/api/v1/incidents/{ref}", headers=server.auth(), timeout=10
    ).json()
    done = [t["id"] for t in latest["task_list"] if t["status"] == "done"]
    task = done[-1]
    first_change = next(
        e["version"]
        for e in events
        if e["type"] == "task_status_changed" and e["data"]["task_id"] == task
    )
    return task, first_change - 1


def test_moving_the_scrubber_back_shows_an_earlier_state_of_a_task(server, open_page):
    ref = reference_of(server, LOCKDOWN)
    task, earlier = a_task_done_now_and_a_version_before_it_started(server, ref)
    latest = len(events_of(server, ref))
    page = open_page(server.url, f"/incidents/{ref}/replay", user="a.kim")
    status = page.locator(f"#task-{task} .status")
    expect(status).to_have_text("Done")
    expect(page.locator("#replay-output")).to_have_text(f"{latest} of {latest}")
    expect(page.locator("#scrubber-show")).to_be_hidden()  # the range moves the page itself
    page.evaluate("window.steadyMarker = 'loaded once'")

    scrubber = page.get_by_label(re.compile("^Version"))
    scrubber.fill(str(earlier))
    expect(status).to_have_text("To do")
    expect(page.locator("#replay-output")).to_have_text(f"{earlier} of {latest}")
    expect(page).to_have_url(re.compile(rf"/replay\?version={earlier}$"))
    expect(page.locator("#changes-heading")).to_have_text(
        f"What changed since version {earlier - 1}"
    )
    assert page.evaluate("window.steadyMarker") == "loaded once", "the page was reloaded"
    expect(scrubber).to_be_focused()

    # Step forward with Next until the task starts: it is no longer To do.
    page.get_by_role("link", name=re.compile("^Next")).click()
    expect(page.locator("#replay-output")).to_have_text(f"{earlier + 1} of {latest}")
    expect(status).not_to_have_text("To do")
    expect(page.locator(f"#task-{task}")).to_have_class(re.compile("task--changed"))
    # The browser's Back goes to the version seen before.
    page.go_back()
    expect(page.locator("#replay-output")).to_have_text(f"{earlier} of {latest}")
    expect(status).to_have_text("To do")
    # The keyboard moves the scrubber too.
    scrubber.focus()
    page.keyboard.press("Home")
    expect(page.locator("#replay-output")).to_have_text(f"1 of {latest}")
    expect(page.locator("#changes-heading")).to_have_text("Version 1: the incident was opened")
    expect(page.locator(".task")).to_have_count(0)
    expect(page.locator("#replay-prev")).to_have_attribute("aria-disabled", "true")
    assert page.script_errors == []


def test_jumping_to_a_time_shows_the_last_version_before_it(server, open_page):
    ref = reference_of(server, LOCKDOWN)
    events = events_of(server, ref)
    page = open_page(server.url, f"/incidents/{ref}/replay", user="a.kim")
    # A second after the third event, in district time.
    chosen = datetime.fromisoformat(events[2]["at"]).astimezone(ZONE) + timedelta(seconds=1)
    expected = sum(1 for e in events if datetime.fromisoformat(e["at"]) <= chosen)
    page.get_by_text("Jump to a time").click()
    page.get_by_label("Date and time").fill(chosen.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name=re.compile("^Go")).click()
    expect(page.locator("main")).to_have_attribute("data-version", str(expected))
    expect(page.locator("#replay-output")).to_have_text(f"{expected} of {len(events)}")
    expect(page.locator("#replay-when")).to_contain_text("the last change recorded by then")
    assert page.script_errors == []


def test_screenshots_of_timeline_replay_and_report_on_desktop_and_phone(server, open_page):
    ref = reference_of(server, "Death of an 8th-grade student (off campus)")
    for viewport, tag in ((None, "desktop"), (PHONE, "phone")):
        pages = {}
        for name, path in (
            ("timeline", f"/incidents/{ref}/timeline"),
            ("replay", f"/incidents/{ref}/replay?version=12"),
            ("report", f"/incidents/{ref}/report"),
        ):
            page = open_page(server.url, path, user="a.kim", viewport=viewport)
            expect(page.locator("h1")).to_have_count(1)
            screenshot(page, f"{name}-{tag}")
            pages[name] = page
        timeline = pages["timeline"]
        timeline.locator(".timeline__entry--note_corrected").scroll_into_view_if_needed()
        screenshot(timeline, f"timeline-correction-{tag}")
        pages["replay"].locator("#tasks").scroll_into_view_if_needed()
        screenshot(pages["replay"], f"replay-tasks-{tag}")
        pages["report"].locator("#report-tasks").scroll_into_view_if_needed()
        screenshot(pages["report"], f"report-tasks-{tag}")
        pages["report"].emulate_media(media="print")
        pages["report"].locator("#report-summary").scroll_into_view_if_needed()
        screenshot(pages["report"], f"report-print-{tag}")
        expect(pages["report"].locator(".site-header")).to_be_hidden()
        for page in pages.values():
            unlabelled = page.evaluate(
                """() => [...document.querySelectorAll(
                      'input:not([type=hidden]), select, textarea')]
                  .filter(el => !el.hidden && !(el.labels && el.labels.length)
                    && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
                  .map(el => el.id || el.name)"""
            )
            assert unlabelled == []
            assert page.script_errors == []
            if tag == "phone":
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
