"""Sharing in a real Chromium: the crisis lead shares an incident from its page and the
partner's board shows it at once; the partner sees only their part; ending the share takes
it off the partner's screen."""

import re

import httpx
import pytest

from tests.e2e.browser_fixtures import PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect
PARTNER_NAME = "Eastside Counseling Center (mental-health agency)"
EASTSIDE = "eastside-counseling"


def incidents(server, user: str) -> dict[str, dict]:
    listed = httpx.get(
        f"{server.url}/api/v1/incidents", headers=server.auth(user), timeout=10
    ).json()["incidents"]
    return {i["title"]: i for i in listed}


def open_unshared(server) -> str:
    """An incident no playbook has shared (the demo's are, with the partner standing in for
    their mental-health role), with the team's first note."""
    lead = server.auth("m.alvarez")
    opened = httpx.post(
        f"{server.url}/api/v1/incidents",
        json={"title": "Weapon reported at the football game", "kind": "threat", "severity": 2,
              "schools": ["Roosevelt High School"],
              "summary": "An anonymous report through the tip line named a student."},
        headers=lead, timeout=10,
    ).json()  # fmt: skip
    httpx.post(
        f"{server.url}/api/v1/incidents/{opened['reference']}/notes",
        json={"text": "Crisis team met in the library conference room."},
        headers=lead,
        timeout=10,
    )
    return opened["reference"]


def test_a_lead_shares_an_incident_and_the_partner_sees_only_their_part(server, open_page):
    ref = open_unshared(server)
    already = {i["reference"] for i in incidents(server, "j.brooks").values()}
    assert ref not in already

    partner_board = open_page(server.url, "/", user="j.brooks")
    expect(partner_board.locator(".card")).to_have_count(len(already))
    lead = open_page(server.url, f"/incidents/{ref}")
    lead.get_by_label("Share with a partner").select_option(label=PARTNER_NAME)
    lead.get_by_role("button", name="Share incident").click()
    expect(lead.locator(f"#share-{EASTSIDE}")).to_contain_text(PARTNER_NAME)
    lead.locator("#sharing").scroll_into_view_if_needed()
    screenshot(lead, "sharing-lead")

    # Live, without reloading: the partner's board now lists it.
    expect(partner_board.locator(f"#card-{ref}")).to_be_visible()
    partner = open_page(server.url, f"/incidents/{ref}", user="j.brooks", viewport=PHONE)
    expect(partner.locator("#partner-note")).to_contain_text("Shared with Eastside Counseling")
    expect(partner.locator("#tasks-empty")).to_be_visible()  # no task is theirs yet
    expect(partner.get_by_text("tip line", exact=False)).to_have_count(0)  # nor the summary
    screenshot(partner, "sharing-partner-phone")

    # The lead shares the team's first note; it appears on the partner's open page, live.
    assert "Crisis team met" not in partner.locator("#notes").inner_text()
    lead.locator(f"#note-N1-share-{EASTSIDE}").click()
    expect(lead.locator("#note-N1")).to_contain_text("Shared with Eastside Counseling")
    expect(lead.locator(f"#note-N1-share-{EASTSIDE}")).to_have_count(0)
    expect(partner.locator("#notes")).to_contain_text("Crisis team met in the library")

    lead.locator(f"#end-share-{EASTSIDE}").get_by_label("Why end it").fill("Handed back")
    lead.get_by_role("button", name=re.compile("End share with")).click()
    expect(lead.locator("#shares-empty")).to_be_visible()
    # The partner's open page loses the incident as soon as the share ends.
    expect(partner.locator("#main")).to_contain_text(f"no incident {ref}")
    expect(partner_board.locator(f"#card-{ref}")).to_have_count(0)
    assert partner.script_errors == [] and lead.script_errors == []
