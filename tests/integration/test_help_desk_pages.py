"""The help desk's pages through a signed-in browser's forms, on a clock the test moves: the
queue's order and clocks, its fragment, each command's confirmation or its refusal beside the
form, and who may not open any of it."""

import re
from datetime import UTC, datetime, timedelta

from litestar.testing import TestClient

from service.help_requests.service import HelpRequests
from tests.builders import signed_in_app

START = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def csrf(page: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def send(requests: HelpRequests, *, life_safety: bool, category: str, words: str, n: int) -> str:
    return requests.submit(
        route="report" if category in ("threat", "bullying") else "ask",
        category=category,
        school="roosevelt-high-school",
        when="",
        words=words,
        contact="",
        life_safety=life_safety,
        language="en",
        passphrase="a passphrase long enough",
        client=f"192.0.2.{n}",
    ).reference


def row(page: str, reference: str) -> str:
    found = re.search(rf'<li class="desk-row[^"]*" id="row-{reference}".*?</li>', page, re.S)
    assert found, f"{reference} is on the page"
    return found.group(0)


def post(client: TestClient, path: str, page: str, **data: str):
    return client.post(path, data={"_csrf_token": csrf(page), **data}, follow_redirects=False)


def test_the_queue_its_clocks_and_the_commands(sqlite_url):
    clock = Clock()
    with signed_in_app(sqlite_url, clock=clock) as world:
        requests: HelpRequests = world.client.app.state.help_requests
        bullying = send(requests, life_safety=False, category="bullying", words="B-WORDS", n=1)
        clock.now += timedelta(minutes=1)
        threat = send(requests, life_safety=True, category="threat", words="T-WORDS", n=2)
        clock.now += timedelta(minutes=7)
        client = world.client
        world.sign_in(client, "t.santos")

        requests.count_handoff("offered", "call")
        requests.count_handoff("offered", "text")
        requests.count_handoff("taken", "text")
        queue = client.get("/help-desk")
        assert queue.status_code == 200
        assert "was shown 1 time; 0 chose to call and 1 to text" in queue.text
        # Someone in danger first, though it came in later; the words stay on the case page.
        assert queue.text.index(f"row-{threat}") < queue.text.index(f"row-{bullying}")
        assert "T-WORDS" not in queue.text and "B-WORDS" not in queue.text
        late = row(queue.text, threat)
        assert "clock--over" in late and "2 min over its 5 min target, no answer" in late
        assert "Life-safety" in late and "Roosevelt High School" in late
        assert "clock--within" in row(queue.text, bullying)
        fragment = client.get("/help-desk/queue")
        assert fragment.status_code == 200 and "<html" not in fragment.text
        assert f"row-{threat}" in fragment.text

        case = client.get(f"/help-desk/{threat}")
        assert "T-WORDS" in case.text
        refused = post(client, f"/help-desk/{threat}/assign", case.text, username="nobody")
        assert refused.status_code == 422
        assert re.search(r'id="assign-error" role="alert">There is no account', refused.text)
        assert 'value="nobody"' in refused.text  # what was typed stays in the field
        assert post(client, f"/help-desk/{threat}/acknowledge", case.text).status_code == 303
        again = post(client, f"/help-desk/{threat}/acknowledge", case.text)
        # Its form is gone once acknowledged: the refusal is said at the top instead.
        assert again.status_code == 422 and "is already acknowledged, by t.santos" in again.text
        clock.now += timedelta(minutes=1)
        written = post(client, f"/help-desk/{threat}/write", case.text, text="We are on it.")
        assert written.headers["location"] == f"/help-desk/{threat}"
        shown = client.get(f"/help-desk/{threat}").text
        assert "Sent to the reporter" in shown  # the one-off confirmation
        assert "Answered in 8 min (over its 5 min target)" in shown  # received at +1 min
        routed = post(
            client,
            f"/help-desk/{threat}/route",
            shown,
            organisation="eastside-counseling",
            need="Counseling",
            share_contact="yes",
        )
        assert routed.status_code == 422 and "left no way to contact them" in routed.text
        closed = post(client, f"/help-desk/{bullying}/close", shown, outcome="finished")
        assert closed.status_code == 422 and 'id="close-error"' in closed.text
        assert post(client, f"/help-desk/{bullying}/close", shown, outcome="resolved").is_redirect
        assert bullying in client.get("/help-desk/closed").text
        assert f"row-{bullying}" not in client.get("/help-desk").text
        assert client.get("/help-desk/H-0099").status_code == 404


def test_who_may_not_see_the_desk(sqlite_url):
    with signed_in_app(sqlite_url) as world:
        requests: HelpRequests = world.client.app.state.help_requests
        reference = send(requests, life_safety=False, category="food", words="F-WORDS", n=3)
        desk = world.accounts.account("t.santos").acting_as()
        requests.route_to(reference, "eastside-counseling", "A food parcel", desk)
        client = world.client
        world.sign_in(client, "j.brooks")
        board = client.get("/")
        assert 'href="/help-desk/routed"' in board.text and 'href="/help-desk"' not in board.text
        for path in (
            "/help-desk",
            "/help-desk/queue",
            "/help-desk/closed",
            f"/help-desk/{reference}",
        ):
            answer = client.get(path)
            assert answer.status_code == 403 and "F-WORDS" not in answer.text, path
        token = csrf(board.text)
        refused = client.post(
            f"/help-desk/{reference}/acknowledge",
            data={"_csrf_token": token},
            follow_redirects=False,
        )
        assert refused.status_code == 403
        routed = client.get("/help-desk/routed")
        assert reference in routed.text and "A food parcel" in routed.text
        assert "F-WORDS" not in routed.text

        client.cookies.clear()  # the same app, someone else at the browser
        world.sign_in(client, "m.alvarez")
        page = client.get("/").text
        assert 'href="/help-desk"' in page and 'href="/help-desk/routed"' not in page
        assert client.get("/help-desk/routed").status_code == 403
