"""The pages in a real Chromium against a real `steady serve`: forms, live updates, reconnection."""

import re

import httpx
import pytest

from domain.people import Actor
from service.bootstrap import open_steady
from service.config import Settings
from service.demo.accounts import DEMO_PASSWORD
from tests.e2e.browser_fixtures import PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect


def incident_titled(server, title: str) -> dict:
    incidents = httpx.get(
        f"{server.url}/api/v1/incidents", headers=server.auth(), timeout=10
    ).json()["incidents"]
    return next(i for i in incidents if i["title"] == title)


def incident_view(server, ref: str) -> dict:
    return httpx.get(
        f"{server.url}/api/v1/incidents/{ref}", headers=server.auth(), timeout=10
    ).json()


def test_open_an_incident_through_the_form_and_apply_the_suggested_playbook(server, open_page):
    page = open_page(server.url, "/incidents/new", user=None)
    # Not signed in yet: sign in first, then carry on where you were going.
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.get_by_label("User name").fill("m.alvarez")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_have_text("That username and password do not match.")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/incidents/new$"))
    expect(page.locator(".identity")).to_contain_text("m.alvarez")

    page.get_by_label("What happened, in a few words").fill("Lockdown after a threat by phone")
    page.get_by_label("Kind of incident").select_option("lockdown")

    suggested = page.get_by_role("checkbox", name="Lockdown or threat")
    expect(suggested).to_be_visible()
    expect(suggested).to_be_checked()
    expect(page.get_by_role("checkbox", name="Bullying or harassment report")).to_be_hidden()
    page.get_by_role("checkbox", name="Long-term recovery follow-ups").uncheck()

    page.get_by_role("radio", name=re.compile(r"^1 · Critical")).check()
    page.get_by_role("checkbox", name="Lincoln Elementary").check()
    page.get_by_label("Summary").fill("A caller said a weapon was on campus. Police on site.")
    page.get_by_role("button", name="Open incident").click()

    expect(page).to_have_url(re.compile(r"/incidents/INC-\d{4}-\d{4,}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lockdown after a threat by phone")
    expect(page.locator(".incident-head .severity")).to_contain_text("1 · Critical")
    expect(page.locator(".incident-head")).to_contain_text("Lincoln Elementary")
    expect(page.locator(".incident-head")).to_contain_text("m.alvarez (Crisis team lead)")
    expect(page.get_by_role("link", name="Lockdown or threat")).to_be_visible()
    steps = httpx.get(
        f"{server.url}/api/v1/playbooks/lockdown-or-threat", headers=server.auth(), timeout=10
    ).json()
    # A step naming other kinds (entrance screening is for a threat) is no task on a lockdown.
    count = sum(
        1
        for phase in steps["phases"]
        for step in phase["steps"]
        if not step["kinds"] or "lockdown" in step["kinds"]
    )
    expect(page.locator(".task")).to_have_count(count)
    first_step = steps["phases"][0]["steps"][0]["title"]
    expect(page.get_by_role("heading", name=re.compile(re.escape(first_step)))).to_be_visible()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    assert page.script_errors == []


def test_a_task_completed_in_one_browser_changes_in_another_without_reload(server, open_page):
    incident = incident_titled(server, "Shooting two blocks from school during dismissal")
    ref = incident["reference"]
    task = next(t for t in incident_view(server, ref)["task_list"] if t["status"] == "todo")
    mine = open_page(server.url, f"/incidents/{ref}")
    theirs = open_page(server.url, f"/incidents/{ref}", user="k.okafor")
    board = open_page(server.url, "/", user="r.patel")
    for page in (theirs, board):
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        page.evaluate("window.steadyMarker = 'loaded once'")
    done_before = incident["tasks"]["done"]

    mine.locator(f"#task-{task['id']}-more > summary").click()  # the row opens to its buttons
    mine.locator(f"#task-{task['id']}").get_by_role("button", name=re.compile("^Mark done")).click()
    dialog = mine.get_by_role("dialog", name="Mark done")
    dialog.get_by_label("Completion note (optional)").fill("Called the family; everyone is safe.")
    dialog.get_by_role("button", name="Mark done").click()
    expect(dialog).to_be_hidden()
    expect(mine.locator(f"#task-{task['id']} .status")).to_have_text("Done")

    theirs_task = theirs.locator(f"#task-{task['id']}")
    expect(theirs_task.locator(".status")).to_have_text("Done")
    expect(theirs_task).to_contain_text("Called the family; everyone is safe.")
    expect(theirs_task).to_contain_text("m.alvarez")
    expect(theirs.locator("#incident-progress")).to_have_text(
        f"{done_before + 1} of {incident['tasks']['total']} tasks done"
    )
    # The district leader's board follows too: that incident's card, without a reload.
    expect(board.locator(f"#card-{ref}-progress")).to_have_text(
        f"{done_before + 1} of {incident['tasks']['total']} tasks done"
    )
    for page in (theirs, board):
        assert page.evaluate("window.steadyMarker") == "loaded once", "the page was reloaded"
    assert mine.script_errors == theirs.script_errors == board.script_errors == []


def test_the_board_shows_when_it_is_disconnected_and_catches_up_on_return(server, open_page):
    incident = incident_titled(server, "Shooting two blocks from school during dismissal")
    ref = incident["reference"]
    assert incident["severity"] != 1
    board = open_page(server.url, "/")
    connection = board.locator("#connection")
    card = board.locator(f"#card-{ref}")
    expect(connection).to_have_attribute("data-state", "live")
    expect(board.locator("#connection-text")).to_have_text("Live")
    expect(card.locator(".severity")).not_to_contain_text("Critical")
    board.evaluate("window.steadyMarker = 'loaded once'")

    # A new incident appears on the board live, in its place by severity.
    opened = httpx.post(
        f"{server.url}/api/v1/incidents",
        json={
            "title": "Tornado warning: students sheltering",
            "kind": "severe-weather",
            "severity": 1,
            "schools": ["Roosevelt High School"],
        },
        headers=server.auth("m.alvarez"),
        timeout=10,
    )
    assert opened.status_code == 201, opened.text
    new_card = board.locator(f"#card-{opened.json()['reference']}")
    expect(new_card).to_contain_text("Tornado warning: students sheltering")
    expect(board.locator(".card").first).to_have_id(f"card-{opened.json()['reference']}")

    server.stop()
    expect(connection).to_have_attribute("data-state", "disconnected")
    expect(board.get_by_text("Disconnected — reconnecting…")).to_be_visible()
    screenshot(board, "board-disconnected-desktop")

    # Someone changes the incident while this board cannot hear about it.
    with open_steady(Settings.from_env(server.env)) as steady:
        steady.change_severity(
            ref, 1, reason="Injured adult died", actor=Actor("r.patel", "district-leader")
        )
    server.start()

    expect(connection).to_have_attribute("data-state", "caught_up", timeout=20_000)
    expect(board.locator("#connection-text")).to_have_text("Caught up — live")
    expect(card.locator(".severity")).to_contain_text("1 · Critical")
    assert board.evaluate("window.steadyMarker") == "loaded once", "the page was reloaded"
    assert board.script_errors == []


def test_screenshots_of_the_board_and_an_incident_on_desktop_and_phone(server, open_page):
    ref = incident_titled(server, "Lockdown after a report of a weapon near campus")["reference"]
    for viewport, tag in ((None, "desktop"), (PHONE, "phone")):
        board = open_page(server.url, "/", viewport=viewport)
        expect(board.locator("#connection")).to_have_attribute("data-state", "live")
        screenshot(board, f"board-{tag}")
        incident = open_page(server.url, f"/incidents/{ref}", viewport=viewport)
        expect(incident.locator("#connection")).to_have_attribute("data-state", "live")
        screenshot(incident, f"incident-{tag}")
        incident.locator(".phase-group").last.scroll_into_view_if_needed()
        screenshot(incident, f"incident-tasks-{tag}")
        for page in (board, incident):
            assert page.locator("h1").count() == 1
            unlabelled = page.evaluate(
                """() => [...document.querySelectorAll(
                      'input:not([type=hidden]), select, textarea')]
                  .filter(el => !el.hidden && !(el.labels && el.labels.length)
                    && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
                  .map(el => el.id || el.name)"""
            )
            assert unlabelled == []
            assert page.script_errors == []
        if tag == "phone":
            # Nothing wider than the phone: no sideways scrolling.
            assert incident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            assert board.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
