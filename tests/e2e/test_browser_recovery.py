"""The district leader's recovery view in a real Chromium, at desk and phone widths: people by
tier per school and incident with small cells hidden, check-ins week by week, the calendar
line, and no pseudonym anywhere; the board card's recovery line. People are recorded and
triaged ten days ago in the test process, on the server's own store, so check-ins are overdue.
Screenshots go to test-artifacts/."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from domain.people import Actor
from service.bootstrap import assemble, open_steady
from service.config import Settings
from tests.e2e.browser_fixtures import DESKTOP, PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect
LEAD = Actor("m.alvarez", "crisis-lead")
PSEUDONYM = re.compile(r"P-\d{4}")


def people_ten_days_ago(database_url: str) -> str:
    """24 students (12, 10 and 2 by tier), triaged, on a death at a school where the demo has
    no one (the demo's own people would change the counts)."""
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    settings = Settings(database_url=database_url)
    steady = open_steady(settings, clock=lambda: ten_days_ago)
    try:
        parts = assemble(steady, settings)
        school = "Roosevelt High School"
        ref = steady.open_incident(
            title="Death of a teacher", kind="death", severity=3, schools=[school], actor=LEAD
        ).reference
        for tier in [1] * 12 + [2] * 10 + [3] * 2:
            person, _ = parts.people.record_person(
                ref, kind="student", school=school, grade="8", how_affected="classmate", actor=LEAD
            )
            parts.people.triage(
                person,
                ref,
                factors=["emotional_proximity"],
                warning_signs=[],
                tier=tier,
                reason="in the same class",
                actor=LEAD,
            )
        return ref
    finally:
        steady.close()


def test_the_district_leaders_recovery_view_at_desk_and_phone_widths(server, open_page):
    ref = people_ten_days_ago(server.database_url)
    desk = open_page(server.url, "/summary", user="r.patel", viewport=DESKTOP)
    desk.locator("#summary-recovery").click()  # linked from the summary
    expect(desk.get_by_role("heading", name="Recovery across schools")).to_be_visible()
    phone = open_page(server.url, "/recovery", user="r.patel", viewport=PHONE)
    for page in (desk, phone):
        expect(page.locator("#recovery-totals")).to_contain_text("people in recovery")
        expect(page.locator("#recovery-small-cells")).to_contain_text("fewer than 10")
        expect(page.locator("#recovery-small-cells")).to_contain_text("Why some counts are hidden")
        expect(page.locator("#recovery-calendar")).to_be_visible()
        incident_row = page.locator(".recovery-incident", has_text=ref)
        expect(incident_row).to_be_visible()
        # 12, 10 and 2 by tier: the 2 is hidden, and the 10 with it.
        expect(incident_row.locator("td[data-label='Tier 1 universal']")).to_have_text("12")
        expect(incident_row.locator("td[data-label='Tier 3 intensive']")).to_have_text("hidden")
        expect(page.locator(".recovery-weeks progress").first).to_be_visible()
        assert not PSEUDONYM.search(page.content())
    screenshot(desk, "recovery-desk")
    screenshot(phone, "recovery-phone-top")
    phone.locator("#recovery-weeks").scroll_into_view_if_needed()
    screenshot(phone, "recovery-phone")
    phone.locator("#recovery-people").scroll_into_view_if_needed()
    screenshot(phone, "recovery-phone-people")

    # The board's card of the incident shows its progress.
    desk.goto(f"{server.url}/")
    line = desk.locator(f"#card-{ref}-recovery")
    expect(line).to_contain_text("Recovery: 24 people")
    expect(line).to_contain_text("check-ins done")
    desk.locator(f"#card-{ref}").scroll_into_view_if_needed()
    screenshot(desk, "recovery-board-card")
    assert desk.script_errors == [] and phone.script_errors == []
