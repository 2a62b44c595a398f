"""A crisis lead in a real Chromium reschedules a task, marks a step not applicable, and closes
an incident with open tasks, choosing for each what becomes of it (one carried into a
follow-up): every dialog says on its button what the button that opened it said."""

import re

import httpx
import pytest

from tests.e2e.browser_fixtures import DESKTOP, PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect
LOCKDOWN = "Lockdown after a report of a weapon near campus"


def incident(server, title: str) -> dict:
    headers = server.auth()
    listed = httpx.get(f"{server.url}/api/v1/incidents", headers=headers, timeout=10).json()
    ref = next(i["reference"] for i in listed["incidents"] if i["title"] == title)
    return httpx.get(f"{server.url}/api/v1/incidents/{ref}", headers=headers, timeout=10).json()


def test_the_lead_reschedules_a_task_and_marks_a_step_not_applicable(server, open_page):
    lockdown = incident(server, LOCKDOWN)
    ref = lockdown["reference"]
    todo = [t for t in lockdown["task_list"] if t["status"] == "todo" and t["due_at"]]
    moved, set_aside = todo[0]["id"], todo[1]["id"]
    page = open_page(server.url, f"/incidents/{ref}", viewport=DESKTOP)

    task = page.locator(f"#task-{moved}")
    task.locator(f"#task-{moved}-more > summary").click()  # the row opens to its buttons
    task.get_by_role("button", name=re.compile("^Reschedule")).click()
    dialog = page.get_by_role("dialog", name="Reschedule")
    expect(dialog.get_by_role("button", name="Reschedule")).to_be_visible()
    dialog.get_by_label("New due date and time").fill("2026-12-03T09:30")
    dialog.get_by_label("Why it moves").fill("The family asked to meet after the weekend")
    screenshot(page, "reschedule-dialog-desk")
    page.set_viewport_size(PHONE)
    screenshot(page, "reschedule-dialog-phone")
    page.set_viewport_size(DESKTOP)
    dialog.get_by_role("button", name="Reschedule").click()
    expect(dialog).to_be_hidden()
    expect(task.locator(".task__due time").first).to_have_attribute(
        "datetime",
        re.compile(r"^2026-12-03T09:30"),  # as given, in district time
    )
    expect(task.locator(".task__rescheduled")).to_contain_text("rescheduled from")
    expect(task).to_contain_text("The family asked to meet after the weekend")

    step = page.locator(f"#task-{set_aside}")
    step.locator(f"#task-{set_aside}-more > summary").click()
    step.get_by_role("button", name=re.compile("^Mark not applicable")).click()
    dialog = page.get_by_role("dialog", name="Mark not applicable")
    # Saying why is required: the dialog says so and records nothing.
    dialog.get_by_role("button", name="Mark not applicable").click()
    expect(dialog.locator("#dialog-error")).to_contain_text("Say why this step does not apply")
    dialog.get_by_label("Why it does not apply to this incident").fill("No buses were on site")
    screenshot(page, "not-applicable-dialog-desk")
    dialog.get_by_role("button", name="Mark not applicable").click()
    expect(dialog).to_be_hidden()
    expect(step.locator(".status")).to_have_text("Not applicable")
    expect(step).to_contain_text("Not applicable: No buses were on site")
    expect(step.locator(".overdue-flag")).to_have_count(0)
    expect(page.locator("#incident-progress")).to_contain_text("1 not applicable")
    assert page.script_errors == []


def test_closing_with_open_tasks_asks_what_becomes_of_each(server, open_page):
    lockdown = incident(server, LOCKDOWN)
    ref = lockdown["reference"]
    open_ids = [t["id"] for t in lockdown["task_list"] if t["status"] not in ("done",)]
    carried = open_ids[0]
    page = open_page(server.url, f"/incidents/{ref}", viewport=PHONE)

    page.get_by_role("button", name="Close incident…").click()
    dialog = page.get_by_role("dialog", name="Close incident")
    expect(dialog.locator("#close-tasks legend")).to_have_text(
        f"{len(open_ids)} tasks are still open"
    )
    expect(dialog.locator("#close-task-list select")).to_have_count(len(open_ids))
    dialog.get_by_label("Review summary").fill("Safe dismissal; the family follow-up goes on.")
    # Undecided tasks are named before anything is sent.
    dialog.get_by_role("button", name="Close incident").click()
    expect(dialog.locator("#close-error")).to_contain_text(f"Say what becomes of {open_ids[0]}")
    dialog.get_by_label("All of them").select_option("not_applicable")
    dialog.locator(f"#close-task-{carried}").select_option("follow_up")
    screenshot(page, "close-dialog-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "close-dialog-desk")
    dialog.get_by_role("button", name="Close incident").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#closed-panel")).to_be_visible()
    follow_up = page.locator("#incident-follow-ups a")
    expect(follow_up).to_have_text(re.compile(r"INC-\d{4}-\d{4}"))
    expect(page.locator(f"#task-{carried}")).to_contain_text("Carried into")
    follow_up.click()
    expect(page.locator("h1")).to_have_text(f"Follow-up: {LOCKDOWN}")
    expect(page.locator("#incident-follows")).to_contain_text(ref)
    expect(page.locator(".task")).to_have_count(1)
    expect(page.locator(".task")).to_contain_text(f"Carried from {ref} {carried}")
    assert page.script_errors == []
