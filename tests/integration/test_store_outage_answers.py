"""What people are told when the store cannot be reached, on the API and on the pages: a 503
with Retry-After that says whether anything was saved. (The real cut is in
tests/e2e/test_store_outage.py; here the store's own error is raised where it would be.)"""

import pytest

from service.store.outage import OutcomeUnknown, StoreUnreachable
from tests.builders import LEAD, open_lockdown, signed_in_app


@pytest.fixture
def signed(sqlite_url):
    with signed_in_app(sqlite_url) as app:
        app.ref = open_lockdown(app.client.app.state.steady)
        yield app


def failing(error: Exception):
    def fail(*args, **kwargs):
        raise error

    return fail


def test_a_save_whose_outcome_was_lost_says_it_may_have_been_saved_and_resending_is_safe(
    signed, monkeypatch
):
    steady = signed.client.app.state.steady
    monkeypatch.setattr(steady.recorder, "insert_events", failing(OutcomeUnknown("lost")))
    headers = {**signed.headers[LEAD.user], "Idempotency-Key": "note-1"}
    response = signed.client.post(
        f"/api/v1/incidents/{signed.ref}/notes", json={"text": "Parents told"}, headers=headers
    )
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    error = response.json()["error"]
    assert "cannot tell whether it was saved" in error
    assert "same Idempotency-Key is safe" in error
    assert "nothing was saved" not in error.lower()


def test_without_a_key_a_lost_outcome_says_to_look_before_sending_again(signed, monkeypatch):
    steady = signed.client.app.state.steady
    monkeypatch.setattr(steady.recorder, "insert_events", failing(OutcomeUnknown("lost")))
    response = signed.client.post(
        f"/api/v1/incidents/{signed.ref}/notes",
        json={"text": "Parents told"},
        headers=signed.headers[LEAD.user],
    )
    assert response.status_code == 503
    assert "Look first at whether it is there" in response.json()["error"]


def test_a_page_that_cannot_be_read_is_a_page_that_says_so_and_tries_again(signed, monkeypatch):
    steady = signed.client.app.state.steady
    headers = signed.headers[LEAD.user]
    signed.client.get("/", headers=headers)  # the account is found before the store goes
    monkeypatch.setattr(steady.recorder, "select_events", failing(StoreUnreachable("gone")))
    monkeypatch.setattr(steady.recorder, "select_notifications", failing(StoreUnreachable("gone")))
    page = signed.client.get(f"/incidents/{signed.ref}", headers=headers)
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert int(page.headers["retry-after"]) > 0
    assert "cannot reach its record of incidents right now" in page.text
    assert "Nothing was changed" in page.text
    assert 'http-equiv="refresh"' in page.text and "Try again now" in page.text
    assert "Riverside Unified School District" in page.text  # the product's own page
