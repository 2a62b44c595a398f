"""My work in a real Chromium: a counselor on a phone marks a task done in two taps (the row's
Mark done, then the dialog's confirm), and the same person's My work open on a desk sees the row
go, live, without reloading. Screenshots of My work (phone and desk, the dialog) and of the
district leader's summary across schools go to test-artifacts/."""

import httpx
import pytest

from tests.e2e.browser_fixtures import DESKTOP, PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect


def live(page: object) -> None:
    expect(page.locator("body[data-connection='live']")).to_have_count(1)


def test_a_task_marked_done_on_a_phone_in_two_taps_leaves_my_work_everywhere(server, open_page):
    phone = open_page(server.url, "/my-work", user="k.okafor", viewport=PHONE)
    desk = open_page(server.url, "/my-work", user="k.okafor", viewport=DESKTOP)
    for page in (phone, desk):
        expect(page.get_by_role("heading", name="My work", exact=True)).to_be_visible()
        live(page)
    desk.evaluate("window.steadyNotReloaded = true")  # gone if the page reloads
    screenshot(desk, "my-work-desk")
    screenshot(phone, "my-work-phone")

    mark = phone.locator("button[data-action='done']").first
    ref, task = mark.get_attribute("data-reference"), mark.get_attribute("data-task")
    row = f"#work-{ref}-{task}"
    expect(desk.locator(row)).to_have_count(1)
    mark.click()  # tap one
    dialog = phone.locator("#done-dialog")
    expect(dialog).to_be_visible()
    expect(phone.locator("#done-confirm")).to_be_focused()  # no keyboard in the way
    screenshot(phone, "my-work-dialog-phone")
    phone.locator("#done-confirm").click()  # tap two
    expect(dialog).to_be_hidden()
    expect(phone.locator(row)).to_have_count(0)
    expect(phone.locator("#announcer")).to_contain_text("Marked done")

    expect(desk.locator(row)).to_have_count(0)  # live, from the feed
    assert desk.evaluate("window.steadyNotReloaded") is True
    state = httpx.get(
        f"{server.url}/api/v1/incidents/{ref}", headers=server.auth("k.okafor"), timeout=10
    ).json()
    assert next(t for t in state["task_list"] if t["id"] == task)["status"] == "done"
    assert phone.script_errors == [] and desk.script_errors == []


def test_the_district_leader_reads_the_summary_across_schools(server, open_page):
    for viewport, name in ((DESKTOP, "desk"), (PHONE, "phone")):
        page = open_page(server.url, "/", user="r.patel", viewport=viewport)
        page.get_by_role("link", name="Across schools").first.click()
        expect(page.get_by_role("heading", name="Across schools")).to_be_visible()
        expect(page.locator("#summary-open tbody tr")).not_to_have_count(0)
        expect(page.locator("#summary-unheld")).to_be_visible()
        screenshot(page, f"summary-{name}")
        assert page.script_errors == []
