"""A drill in a real Chromium: the lead opens one from the form ("This is a drill"), a district
leader's board shows it live marked DRILL, the incident page says so across its head, and the
drill report and the drill log (with the demo's past drill) read as a drill's record."""

import pytest

from tests.e2e.browser_fixtures import DESKTOP, PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desk", "phone"])
def test_a_lead_opens_a_drill_and_everyone_sees_it_is_one(server, open_page, viewport):
    name = "desk" if viewport is DESKTOP else "phone"
    board = open_page(server.url, "/", user="r.patel", viewport=viewport)
    expect(board.locator("#board-title")).to_be_visible()
    board.wait_for_timeout(500)  # the live feed connects

    page = open_page(server.url, "/incidents/new", viewport=viewport)
    page.get_by_label("What happened, in a few words").fill(f"Lockdown drill ({name})")
    page.get_by_label("Kind of incident").select_option("lockdown")
    page.locator("#severity-3").check()
    page.get_by_label("Lincoln Elementary", exact=True).check()
    page.get_by_label("This is a drill").check()
    screenshot(page, f"drill-open-form-{name}")
    page.get_by_role("button", name="Open incident").click()
    page.wait_for_url(lambda url: "/incidents/INC-" in url)
    ref = page.url.rstrip("/").split("/")[-1]

    banner = page.locator("#drill-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("DRILL This is a drill, not a real incident.")
    expect(page.locator("#incident-head .badge--drill")).to_have_text("DRILL")
    screenshot(page, f"drill-incident-{name}")

    # The board that was open before: the drill arrives by the live feed, marked DRILL.
    card = board.locator(f"#card-{ref}")
    expect(card).to_be_visible(timeout=15_000)
    expect(board.locator(f"#card-{ref}-drill")).to_have_text("DRILL")
    assert card.get_attribute("data-drill") == "yes"
    card.scroll_into_view_if_needed()
    screenshot(board, f"drill-board-{name}")

    page.locator("#drill-report-link").click()
    page.wait_for_url(f"**/incidents/{ref}/drill-report")
    expect(page.locator("#drill-banner")).to_be_visible()
    page.get_by_label("Participants").fill("432")
    page.get_by_role("button", name="Record participants").click()
    expect(page.locator("#drill-flash")).to_contain_text("Recorded: 432 participants.")
    expect(page.locator("#drill-participants")).to_have_text("432")
    page.get_by_role("button", name="Record everyone accounted for").click()
    expect(page.locator("#drill-flash")).to_contain_text("everyone accounted for")
    expect(page.locator("#drill-accounted")).not_to_contain_text("not recorded")
    page.get_by_label("What to change next time").fill("The portables need a speaker.")
    page.get_by_role("button", name="Add to what to change").click()
    expect(page.locator("#drill-change-items")).to_contain_text("The portables need a speaker.")
    screenshot(page, f"drill-report-{name}")

    log = open_page(server.url, "/drills", user="b.osei", viewport=viewport)
    rows = log.locator("#drill-log tbody tr")
    expect(rows).to_have_count(2)  # this drill and the demo's past one, both at Lincoln
    expect(log.locator(f"#drill-log tr[data-reference='{ref}']")).to_contain_text("under way")
    expect(log.locator("#drill-log")).to_contain_text("418")  # the demo's drill's participants
    screenshot(log, f"drill-log-{name}")
    assert not page.script_errors and not board.script_errors and not log.script_errors
