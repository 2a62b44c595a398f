"""My follow-ups in a real Chromium: a counselor on a phone records an overdue check-in in two
taps (the row's Record, then the outcome), and the crisis lead's My follow-ups open on a desk
sees it leave the overdue list without reloading and without polling: the live feed's
follow-up event brings it. Plans are made in the test process on the
server's own store (FollowUpCommands.plan, as triage will call it), ten days ago, so the first
check-ins are overdue. Screenshots at desk and phone widths go to test-artifacts/."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.people import Actor
from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.config import Settings
from service.follow_ups.commands import FollowUpCommands
from tests.e2e.browser_fixtures import DESKTOP, PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect
LEAD = Actor("m.alvarez", "crisis-lead")


def plan_ten_days_ago(database_url: str) -> str:
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    steady = open_steady(Settings(database_url=database_url), clock=lambda: ten_days_ago)
    try:
        ref = steady.incidents()[0].reference
        commands = FollowUpCommands(steady, Accounts(steady).account)
        commands.plan("P-0007", ref, tier=3, owner="k.okafor", actor=LEAD)
        commands.plan("P-0008", ref, tier=2, owner="k.okafor", actor=LEAD)
        commands.plan("P-0009", ref, tier=2, owner="p.rivera", actor=LEAD)
        return ref
    finally:
        steady.close()


def test_a_check_in_recorded_on_a_phone_in_two_taps_leaves_the_overdue_list(server, open_page):
    plan_ten_days_ago(server.database_url)
    phone = open_page(server.url, "/my-follow-ups", user="k.okafor", viewport=PHONE)
    desk = open_page(server.url, "/", user="m.alvarez", viewport=DESKTOP)
    desk.get_by_role("link", name="My follow-ups").first.click()  # the header's link
    for page in (phone, desk):
        expect(page.get_by_role("heading", name="My follow-ups", exact=True)).to_be_visible()
        expect(page.locator("#group-overdue")).to_be_visible()
    # A counselor sees only their own people; the lead sees everyone's.
    expect(phone.locator("[data-person='P-0009']")).to_have_count(0)
    expect(desk.locator("[data-person='P-0009']").first).to_be_visible()
    desk.evaluate("window.steadyNotReloaded = true")  # gone if the page reloads
    asked: list[str] = []  # what the desk asks Steady for from now on
    desk.on("request", lambda request: asked.append(request.url))
    expect(desk.locator("#connection-text")).to_have_text("Live")
    screenshot(desk, "my-follow-ups-desk")
    screenshot(phone, "my-follow-ups-phone")

    record = phone.locator("#group-overdue button[data-action='record']").first
    person, check_in = record.get_attribute("data-person"), record.get_attribute("data-check-in")
    # The first overdue may be the demo's own people's, on another incident than `ref`.
    ref = record.get_attribute("data-reference")
    row = f"#check-in-{person}-{ref}-{check_in}"
    expect(desk.locator(f"#group-overdue {row}")).to_have_count(1)
    overdue_before = desk.locator("#group-overdue li").count()
    record.click()  # tap one
    dialog = phone.locator("#check-in-dialog")
    expect(dialog).to_be_visible()
    expect(phone.locator("#outcome-seen_no_concern")).to_be_focused()  # no keyboard first
    screenshot(phone, "my-follow-ups-dialog-phone")
    phone.locator("#outcome-seen_no_concern").click()  # tap two
    expect(dialog).to_be_hidden()
    expect(phone.locator(row)).to_have_count(0)
    expect(phone.locator("#announcer")).to_contain_text(f"Recorded: {person}")

    expect(desk.locator(row)).to_have_count(0)  # on the desk too, without a reload
    expect(desk.locator("#group-overdue li")).to_have_count(overdue_before - 1)
    assert desk.evaluate("window.steadyNotReloaded") is True
    # Not by asking: the page fetched itself once the feed told it, and never polled the API.
    assert not [url for url in asked if "/api/v1/my-follow-ups" in url], asked
    assert any(url.endswith("/my-follow-ups") for url in asked), asked
    screenshot(desk, "my-follow-ups-desk-after")
    assert phone.script_errors == [] and desk.script_errors == []


def test_a_check_in_that_needs_a_note_says_so_in_the_dialog(server, open_page):
    plan_ten_days_ago(server.database_url)
    phone = open_page(server.url, "/my-follow-ups", user="k.okafor", viewport=PHONE)
    phone.locator("#group-overdue button[data-action='record']").first.click()
    phone.locator("#outcome-could_not_reach").click()
    expect(phone.locator("#check-in-error")).to_contain_text("say what happened in a note")
    phone.locator("#check-in-note").fill("Called home twice, no answer")
    phone.locator("#outcome-could_not_reach").click()
    expect(phone.locator("#check-in-dialog")).to_be_hidden()
    assert phone.script_errors == []
