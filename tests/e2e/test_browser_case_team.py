"""Putting someone on a confidential case's team in a real Chromium: the lead chooses from the
district's people who may see incidents (never a typed username), and the team shows them."""

import httpx
import pytest

from tests.e2e.browser_fixtures import DESKTOP, PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desk", "phone"])
def test_the_lead_chooses_the_case_team_from_who_may_join(server, open_page, viewport):
    opened = httpx.post(
        f"{server.url}/api/v1/incidents",
        json={
            "title": "Self-harm risk disclosed to a teacher",
            "kind": "self-harm-risk",
            "severity": 1,
            "schools": ["Roosevelt High School"],
        },
        headers=server.auth("m.alvarez"),
        timeout=10,
    )
    assert opened.status_code == 201, opened.text
    ref = opened.json()["reference"]

    page = open_page(server.url, f"/incidents/{ref}", viewport=viewport)
    picker = page.get_by_label("Add to the case team")
    picker.scroll_into_view_if_needed()
    offered = picker.locator("option").all_inner_texts()
    assert "David Chen (d.chen)" in offered
    # A partner's people see only shares, an admin sees no incident: neither may join.
    assert not any("j.brooks" in o or "(admin)" in o for o in offered)
    picker.select_option(label="David Chen (d.chen)")
    screenshot(page, f"case-team-{'phone' if viewport is PHONE else 'desk'}")
    page.get_by_role("button", name="Add to case team").click()
    expect(page.locator("#case-team-d\\.chen")).to_be_visible()
    expect(page.locator("#case-team-d\\.chen")).to_contain_text("d.chen")
    # Once on the team, not offered again.
    expect(picker.locator("option", has_text="(d.chen)")).to_have_count(0)
    shown = httpx.get(
        f"{server.url}/api/v1/incidents/{ref}", headers=server.auth("d.chen"), timeout=10
    )
    assert shown.status_code == 200  # he sees the case now
