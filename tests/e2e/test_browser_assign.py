"""Assigning a task in a real Chromium: the dialog offers the people, positions and partner
organisations that exist (never a free-text box), and assigns through that choice; the demo's
partner already holds the lockdown playbook's mental-health task it stands in for."""

import httpx
import pytest

from tests.e2e.browser_fixtures import DESKTOP, PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect
LOCKDOWN = "Lockdown after a report of a weapon near campus"
PARTNER_NAME = "Eastside Counseling Center (mental-health agency)"
EASTSIDE = "eastside-counseling"


def incident(server, title: str, user: str = "m.alvarez") -> dict:
    headers = server.auth(user)
    listed = httpx.get(f"{server.url}/api/v1/incidents", headers=headers, timeout=10).json()
    ref = next(i["reference"] for i in listed["incidents"] if i["title"] == title)
    return httpx.get(f"{server.url}/api/v1/incidents/{ref}", headers=headers, timeout=10).json()


def open_assign_dialog(page: object) -> str:
    """Opens the dialog on the first task no one holds yet; returns the task's id."""
    button = page.locator("button[data-action='assign']:not([data-assignee])").first
    task_id = button.get_attribute("data-task")
    page.locator(f"#task-{task_id}-more > summary").click()  # the row opens to its buttons
    button.click()
    expect(page.locator("#task-dialog")).to_be_visible()
    return task_id


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desk", "phone"])
def test_the_lead_assigns_a_task_by_choosing_who_exists(server, open_page, viewport):
    lockdown = incident(server, LOCKDOWN)
    ref = lockdown["reference"]
    handed = [t for t in lockdown["task_list"] if t["owner_role"] == "partner-mental-health"]
    assert handed and all(t["assignee"]["name"] == EASTSIDE for t in handed)

    page = open_page(server.url, f"/incidents/{ref}", viewport=viewport)
    expect(page.locator(f"#task-{handed[0]['id']}")).to_contain_text(
        f"Assigned to {PARTNER_NAME} (partner)"
    )
    task_id = open_assign_dialog(page)
    picker = page.get_by_label("Assign to")
    expect(picker).to_be_visible()
    expect(page.locator("#dialog-text")).to_be_hidden()  # no free text to mistype
    groups = picker.locator("optgroup")
    expect(groups).to_have_count(3)
    assert [groups.nth(i).get_attribute("label") for i in range(3)] == [
        "People",
        "Positions",
        "Partner organisations",
    ]
    people = picker.locator("optgroup[label='People'] option").all_inner_texts()
    assert "Kemi Okafor (k.okafor)" in people and "Maria Alvarez (m.alvarez)" in people
    assert not any("j.brooks" in p or "a.kim" in p or "(admin)" in p for p in people)
    positions = picker.locator("optgroup[label='Positions'] option").all_inner_texts()
    assert "School counselor (counselor)" in positions
    partners = picker.locator("optgroup[label='Partner organisations'] option").all_inner_texts()
    # Shared already: no "(not shared yet)"; the police liaison is not shared with.
    assert PARTNER_NAME in partners
    assert all(p == PARTNER_NAME or p.endswith("(not shared yet)") for p in partners)

    if viewport is PHONE:
        choice, expected, kind, name = (
            "School counselor (counselor)",
            "counselor",
            "role",
            "counselor",
        )
    else:
        choice, expected, kind, name = "Kemi Okafor (k.okafor)", "k.okafor", "person", "k.okafor"
    picker.select_option(label=choice)
    screenshot(page, f"assign-dialog-{'phone' if viewport is PHONE else 'desk'}")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#task-dialog")).to_be_hidden()
    expect(page.locator(f"#task-{task_id}")).to_contain_text(f"Assigned to {expected}")
    assigned = next(t for t in incident(server, LOCKDOWN)["task_list"] if t["id"] == task_id)
    assert assigned["assignee"] == {"kind": kind, "name": name}

    # The dialog opens again on the current assignee, from the page's refreshed choices.
    page.locator(f"#task-{task_id}-assign").click()
    assert picker.evaluate("s => s.selectedOptions[0].dataset.kind") == kind
    assert picker.input_value() == name
    page.get_by_role("button", name="Cancel").click()
    assert page.script_errors == []


def test_the_partner_sees_the_task_the_playbook_handed_it_and_no_picker(server, open_page):
    lockdown = incident(server, LOCKDOWN)
    handed = {
        t["id"] for t in lockdown["task_list"] if (t["assignee"] or {}).get("name") == EASTSIDE
    }
    page = open_page(server.url, f"/incidents/{lockdown['reference']}", user="j.brooks")
    expect(page.locator("#partner-note")).to_contain_text("Shared with Eastside Counseling")
    shown = {t.get_attribute("data-task") for t in page.locator("#tasks .task").all()}
    assert shown == handed
    expect(page.locator("#dialog-assignee")).to_have_count(0)
    expect(page.locator("#assign-source")).to_have_count(0)
    assert page.script_errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desk", "phone"])
def test_the_admin_sees_and_sets_stand_ins_on_the_accounts_page(server, open_page, viewport):
    page = open_page(server.url, "/admin/accounts", user="admin", viewport=viewport)
    section = page.locator("#stand-ins")
    expect(section.locator("#stand-in-list")).to_contain_text(
        f"{PARTNER_NAME} stands in for Community mental-health partner"
    )
    section.get_by_label("Stands in for the playbook role").select_option("liaison-officer")
    section.get_by_role("button", name="Stand in for this role").click()
    expect(page.locator("#flash")).to_contain_text("stands in for Liaison officer")
    page.locator("#stand-ins").scroll_into_view_if_needed()
    screenshot(page, f"admin-stand-ins-{'phone' if viewport is PHONE else 'desk'}")
    page.get_by_role("button", name=f"End {PARTNER_NAME} standing in for Liaison").click()
    expect(page.locator("#flash")).to_contain_text("no longer stands in for liaison-officer")
    assert page.script_errors == []
