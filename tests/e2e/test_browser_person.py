"""The person page in a real Chromium, at desk and phone widths: a crisis lead records a person
from the incident page, triages them with a warning sign, and shows their identity, which the
page had not drawn until asked."""

import httpx
import pytest

from tests.e2e.browser_fixtures import DESKTOP, PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect
NAME = "Marisol Teague-Okafor"


def test_record_triage_and_show_identity_on_desk_and_phone(server, open_page):
    lead = server.auth("m.alvarez")
    ref = httpx.post(
        f"{server.url}/api/v1/incidents",
        json={"title": "Death of a student", "kind": "death", "severity": 2,
              "schools": ["Roosevelt High School"]},
        headers=lead, timeout=10,
    ).json()["reference"]  # fmt: skip
    page = open_page(server.url, f"/incidents/{ref}", viewport=DESKTOP)
    page.get_by_text("Record a person affected").click()
    page.get_by_label("Grade").select_option("10")
    page.get_by_label("How they were affected").fill("sat beside her in class")
    page.get_by_label("Name", exact=True).fill(NAME)
    page.get_by_label("Student or staff id").fill("S-9001")
    page.get_by_role("button", name="Record person").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("P-")
    expect(page.get_by_role("button", name="Show identity")).to_be_visible()
    assert NAME not in page.content()
    page.get_by_label("Panic").check()
    page.get_by_label("Why this tier").fill("lost her closest friend")
    page.get_by_role("button", name="Record triage").click()
    expect(page.locator("#flash")).to_contain_text("Warning signs raised it to tier 3")
    page.get_by_role("button", name="Show identity").click()
    expect(page.locator("#identity-shown")).to_contain_text(NAME)
    expect(page.locator("#identity-views")).to_contain_text("m.alvarez (crisis-lead)")
    screenshot(page, "person-page-desk")
    reference = page.get_by_role("heading", level=1).inner_text().split()[0]
    phone = open_page(server.url, f"/people/{reference}", viewport=PHONE)
    expect(phone.get_by_role("button", name="Show identity")).to_be_visible()
    assert NAME not in phone.content()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page fits a phone's width"
    screenshot(phone, "person-page-phone")
    # The incident page lists them by pseudonym and tier, with the urgent task; never the name.
    page.goto(f"/incidents/{ref}")
    people = page.locator("#people")
    expect(people).to_contain_text(reference)
    expect(people).to_contain_text("Tier 3")
    urgent = f"Refer {reference} to intensive support today"
    expect(page.locator("#task-T1-title")).to_contain_text(urgent)
    assert NAME not in page.content()
    people.scroll_into_view_if_needed()
    screenshot(page, "incident-people-desk")
    assert page.script_errors == [] and phone.script_errors == []


def test_people_affected_updates_in_place_when_someone_else_records_and_triages(server, open_page):
    lead = server.auth("m.alvarez")

    def call(path: str, body: dict) -> dict:
        response = httpx.post(f"{server.url}{path}", json=body, headers=lead, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    ref = call(
        "/api/v1/incidents",
        {"title": "Death of a student", "kind": "death", "severity": 2,
         "schools": ["Roosevelt High School"]},
    )["reference"]  # fmt: skip
    # The school's counselor has the incident open; the lead records and triages elsewhere.
    page = open_page(server.url, f"/incidents/{ref}", user="k.okafor", viewport=DESKTOP)
    expect(page.locator("#people-empty")).to_be_visible()
    expect(page.locator("#connection-text")).to_have_text("Live")
    page.evaluate("window.steadyNotReloaded = true")  # gone if the page reloads
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    person = call(
        f"/api/v1/incidents/{ref}/people",
        {"kind": "student", "school": "Roosevelt High School", "grade": "9",
         "how_affected": "his locker was next to the door", "identity": {"name": NAME}},
    )["reference"]  # fmt: skip
    row = page.locator(f"#person-{person}")
    expect(row).to_contain_text("Not triaged")
    call(
        f"/api/v1/people/{person}/triage",
        {"incident": ref, "tier": 1, "reason": "knew him from class", "factors": []},
    )
    expect(row).to_contain_text("Tier 1")
    assert page.evaluate("window.steadyNotReloaded") is True
    # Only the section was fetched, never the whole page, and never the name.
    assert any("/parts?people=true" in url for url in asked), asked
    assert not [url for url in asked if url.endswith(f"/incidents/{ref}")], asked
    assert NAME not in page.content()
    assert page.script_errors == []
