"""The incident page in a real Chromium: another person's change arrives in place (only the parts
it touched are fetched, and their bytes are printed), skip links and compact task rows keep the
panels a few Tabs away, and a click made while Steady cannot be reached is sent when it can."""

import re

import httpx
import pytest

from tests.e2e.browser_fixtures import PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect
SHOOTING = "Shooting two blocks from school during dismissal"
LOCKDOWN = "Lockdown after a report of a weapon near campus"


def incident(server, title: str) -> dict:
    listed = httpx.get(f"{server.url}/api/v1/incidents", headers=server.auth(), timeout=10)
    ref = next(i["reference"] for i in listed.json()["incidents"] if i["title"] == title)
    return httpx.get(
        f"{server.url}/api/v1/incidents/{ref}", headers=server.auth(), timeout=10
    ).json()


def post(server, path: str, body: dict) -> dict:
    answer = httpx.post(f"{server.url}/api/v1{path}", json=body, headers=server.auth(), timeout=10)
    assert answer.is_success, answer.text
    return answer.json()


class Fetches:
    """What a page fetched after it loaded: the path, and its body's bytes on the wire and
    decoded."""

    def __init__(self, page) -> None:
        self.seen: list[tuple[str, int, int]] = []
        page.on("requestfinished", self.finished)

    def finished(self, request) -> None:
        if request.resource_type not in ("fetch", "xhr"):
            return
        response = request.response()
        path = re.sub(r"^https?://[^/]+", "", request.url)
        self.seen.append((path, request.sizes()["responseBodySize"], len(response.body())))

    def of(self, pattern: str) -> list[tuple[str, int, int]]:
        return [f for f in self.seen if re.search(pattern, f[0])]


def test_a_change_arrives_in_place_in_another_browser_fetching_only_its_parts(server, open_page):
    shooting = incident(server, SHOOTING)
    ref = shooting["reference"]
    task = next(t for t in shooting["task_list"] if t["status"] == "todo")
    theirs = open_page(server.url, f"/incidents/{ref}", user="k.okafor")
    expect(theirs.locator("#connection")).to_have_attribute("data-state", "live")
    theirs.evaluate("window.steadyMarker = 'loaded once'")
    fetches = Fetches(theirs)
    done, total = shooting["tasks"]["done"], shooting["tasks"]["total"]

    post(server, f"/incidents/{ref}/tasks/{task['id']}/status", {"status": "done", "note": "Safe"})
    row = theirs.locator(f"#task-{task['id']}")
    expect(row.locator(".task__row .status")).to_have_text("Done")
    expect(theirs.locator("#incident-progress")).to_have_text(f"{done + 1} of {total} tasks done")
    phase = theirs.locator(f"#phase-{task['phase']}-count .count-for--all")
    expect(phase).to_contain_text("done")

    note = post(server, f"/incidents/{ref}/notes", {"text": "Buses leave from the east gate"})
    expect(theirs.locator(f"#note-{note['note_id']}")).to_contain_text("east gate")
    expect(theirs.locator(".note").first).to_have_id(f"note-{note['note_id']}")  # newest first

    # A change of many things (the severity, and the form that names it) fetches the page.
    with theirs.expect_request_finished(lambda request: request.url.endswith(f"/{ref}")):
        post(server, f"/incidents/{ref}/severity", {"severity": 1, "reason": "Injured adult died"})
    expect(theirs.locator(".incident-head .severity")).to_contain_text("1 · Critical")
    assert theirs.evaluate("window.steadyMarker") == "loaded once", "the page was reloaded"

    task_parts = fetches.of(rf"/parts\?task={task['id']}")
    note_parts = fetches.of(rf"/parts\?note={note['note_id']}")
    whole = fetches.of(rf"/incidents/{ref}$")
    assert len(task_parts) == 1 and len(note_parts) == 1 and len(whole) == 1, fetches.seen
    assert task_parts[0][1] * 10 < whole[0][2]  # a part on the wire, against the page unzipped
    for name, (path, wire, decoded) in (
        ("task part", task_parts[0]),
        ("note part", note_parts[0]),
        ("whole page", whole[0]),
    ):
        print(f"bytes per update, {name}: {wire} on the wire (gzip), {decoded} decoded ({path})")
    assert theirs.script_errors == []


def from_the_top(page) -> None:
    """The page as it loads: focus at its start, as a keyboard user arriving has it."""
    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")


def tabs_to(page, target: str, limit: int = 500) -> int:
    """Tab presses from the top of the page until `target` (an id) has focus."""
    from_the_top(page)
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == target:
            return count
    raise AssertionError(f"{target} not reached in {limit} Tabs")


def test_skip_links_and_compact_rows_keep_the_panels_a_few_tabs_away(server, open_page):
    lockdown = incident(server, LOCKDOWN)
    ref = lockdown["reference"]
    page = open_page(server.url, f"/incidents/{ref}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    without_skipping = {t: tabs_to(page, t) for t in ("note-text", "playbook-select")}
    print(f"Tabs from the top, {len(lockdown['task_list'])} tasks: {without_skipping}")
    assert without_skipping["note-text"] < len(lockdown["task_list"]) + 30

    # A phase's count counts what the filter shows.
    page.locator("label[for=filter-open]").click()
    response = page.locator("#phase-response-count")
    in_response = [t for t in lockdown["task_list"] if t["phase"] == "response"]
    not_done = sum(1 for t in in_response if t["status"] != "done")
    expect(response).to_have_text(re.compile(rf"^{not_done} not done"), use_inner_text=True)
    page.locator("label[for=filter-all]").click()
    done_of = rf"^{len(in_response) - not_done} of {len(in_response)} done"
    expect(response).to_have_text(re.compile(done_of), use_inner_text=True)

    # The skip links: the second and third Tab, and Enter lands in the field.
    from_the_top(page)
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Add a note")).to_be_focused()
    expect(page.get_by_role("link", name="Add a note")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Add a note")).to_be_focused()
    from_the_top(page)
    for _ in range(4):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Apply a playbook")).to_be_focused()
    print("Tabs with the skip links: 'Add a note' 3 (+ Enter), 'Apply a playbook' 4 (+ Enter)")

    # A row opens from the keyboard to the whole task and its buttons.
    task = next(t for t in lockdown["task_list"] if t["status"] == "todo")
    summary = page.locator(f"#task-{task['id']}-more > summary")
    summary.focus()
    expect(page.locator(f"#task-{task['id']}-start")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator(f"#task-{task['id']}-more")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "document.activeElement.closest('.task') && document.activeElement.closest('.task').id"
    )
    assert focused == f"task-{task['id']}"
    assert page.script_errors == []

    for viewport, tag in ((None, "desk"), (PHONE, "phone")):
        shot = open_page(server.url, f"/incidents/{ref}", viewport=viewport)
        expect(shot.locator("#connection")).to_have_attribute("data-state", "live")
        shot.locator("#tasks").scroll_into_view_if_needed()
        screenshot(shot, f"incident-compact-{tag}")
        shot.locator(f"#task-{task['id']}-more > summary").click()
        shot.locator(f"#task-{task['id']}").scroll_into_view_if_needed()
        screenshot(shot, f"incident-compact-open-{tag}")
        if tag == "phone":
            assert shot.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert shot.script_errors == []


def test_a_click_made_offline_waits_and_is_sent_when_the_connection_returns(server, open_page):
    shooting = incident(server, SHOOTING)
    ref = shooting["reference"]
    task = next(t for t in shooting["task_list"] if t["status"] == "todo")
    page = open_page(server.url, f"/incidents/{ref}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    page.locator(f"#task-{task['id']}-more > summary").click()

    page.context.set_offline(True)
    page.locator(f"#task-{task['id']}-start").click()
    outbox = page.locator("#outbox")
    expect(outbox).to_be_visible()
    expect(outbox).to_contain_text(f"Start {task['id']} {task['title']}: waiting to send")
    kept = page.evaluate("JSON.parse(sessionStorage.getItem('steady-outbox'))")
    assert len(kept) == 1 and kept[0]["key"]  # with its idempotency key, kept over a reload
    screenshot(page, "incident-waiting-to-send-desk")
    status = next(t for t in incident(server, SHOOTING)["task_list"] if t["id"] == task["id"])
    assert status["status"] == "todo"  # nothing reached Steady

    page.context.set_offline(False)
    expect(outbox).to_be_hidden(timeout=20_000)
    expect(page.locator(f"#task-{task['id']} .task__row .status")).to_have_text("In progress")
    after = incident(server, SHOOTING)
    assert next(t for t in after["task_list"] if t["id"] == task["id"])["status"] == "in_progress"
    started = [
        e
        for e in httpx.get(
            f"{server.url}/api/v1/incidents/{ref}/events", headers=server.auth(), timeout=10
        ).json()["events"]
        if e["type"] == "task_status_changed" and e["data"]["task_id"] == task["id"]
    ]
    assert len(started) == 1  # sent once
    assert page.evaluate("sessionStorage.getItem('steady-outbox')") == "[]"
    assert page.script_errors == []
