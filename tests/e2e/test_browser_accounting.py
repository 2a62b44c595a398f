"""Accounting for all persons in a real Chromium against `steady serve` with the demo district: a
lockdown at Lincoln Elementary is opened; on a phone, Lincoln's Grade 2 teacher opens "My class"
from the incident's page, taps each student (one missing, last seen in the restroom), says the
class moved to the gym and sends the report; the commander's page in a second browser counts it,
and when the teacher finds the missing student and sends again, the commander's count changes
without a reload. Screenshots at phone and desk width go to /tmp/shots."""

from pathlib import Path

import httpx
import pytest

from tests.e2e.browser_fixtures import DESKTOP, PHONE, browser, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["browser"]  # a fixture, imported so pytest finds it

expect = pytest.importorskip("playwright.sync_api").expect
SHOTS = Path("/tmp/shots")
REFRESH_MS = 12_000  # the commander's page fetches its counts every 5 s


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_teacher_accounts_for_their_class_on_a_phone_and_the_commander_counts_it(
    browser, start_server
):
    server = start_server(demo=True)
    opened = httpx.post(
        f"{server.url}/api/v1/incidents",
        json={
            "title": "Lockdown: report of an intruder",
            "kind": "lockdown",
            "severity": 1,
            "schools": ["Lincoln Elementary"],
        },
        headers=server.auth("m.alvarez"),
    )
    assert opened.status_code == 201, opened.text
    ref = opened.json()["reference"]

    phone = browser.new_context(viewport=PHONE, base_url=server.url, has_touch=True)
    desk = browser.new_context(viewport=DESKTOP, base_url=server.url)
    for context in (phone, desk):
        context.set_default_timeout(10_000)
    try:
        teacher = phone.new_page()
        errors: list[str] = []
        teacher.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(teacher, "h.sato")
        teacher.goto(f"/incidents/{ref}")
        teacher.get_by_role("link", name="My class: account for your students").click()
        expect(teacher.get_by_role("heading", name="My class")).to_be_visible()
        teacher.get_by_role("link", name="Grade 2 homeroom").click()
        expect(teacher.get_by_role("heading", name="Grade 2 homeroom")).to_be_visible()
        shoot(teacher, "accounting-class-phone-before")

        students = teacher.locator(".acct-student")
        total = students.count()
        assert total >= 5
        first = students.nth(0)
        missing_name = first.locator("legend").inner_text().strip()
        first.get_by_text("Missing", exact=True).click()
        first.locator("summary").click()
        first.get_by_label("If missing, last seen where and when?").fill("restroom, 9:05")
        for i in range(1, total):
            students.nth(i).get_by_text("Accounted for", exact=True).click()
        teacher.get_by_label("Where is the class?").fill("the gym")
        assert teacher.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        teacher.get_by_role("button", name="Send report").click()
        expect(teacher.locator("#flash")).to_contain_text(f"{total - 1} accounted for, 1 missing")
        shoot(teacher, "accounting-class-phone-sent")

        commander = desk.new_page()
        sign_in(commander, "m.alvarez")
        commander.goto(f"/incidents/{ref}/accounting")
        expect(commander.locator("#count-missing")).to_have_text("1")
        expect(commander.locator("#missing-list")).to_contain_text("restroom, 9:05")
        expect(commander.locator("#missing-list")).to_contain_text(missing_name)
        expect(commander.locator("#classes-reported")).to_contain_text("1 of 2")
        expect(commander.locator("#waiting-list")).to_contain_text("Grade 3 homeroom")
        shoot(commander, "accounting-commander-desk")

        # Found: the teacher marks her accounted for; the commander's page counts it by itself.
        first = teacher.locator(".acct-student").nth(0)
        first.get_by_text("Accounted for", exact=True).click()
        teacher.get_by_role("button", name="Send report").click()
        expect(teacher.locator("#flash")).to_contain_text(f"{total} accounted for")
        expect(commander.locator("#count-missing")).to_have_text("0", timeout=REFRESH_MS)
        expect(commander.locator("#count-accounted")).to_have_text(str(total))
        commander.set_viewport_size(PHONE)
        shoot(commander, "accounting-commander-phone")

        teacher.goto(f"/incidents/{ref}/accounting/mine")
        teacher.get_by_text("Safe", exact=True).click()
        teacher.get_by_label("Where are you?").fill("the gym")
        teacher.get_by_role("button", name="Send").click()
        expect(teacher.locator("#flash")).to_contain_text("You are recorded as safe")
        shoot(teacher, "accounting-mine-phone")
        assert errors == []
    finally:
        phone.close()
        desk.close()
