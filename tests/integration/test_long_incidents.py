"""A year-long incident gathers thousands of notes: its page and the API's incident show the
latest, say how many there are, and the API pages through every one of them."""

import pytest

from service.incidents.as_json import RECENT_NOTES
from tests.builders import COUNSELOR, LEAD, open_lockdown, signed_in_app

NOTES = RECENT_NOTES + 50


@pytest.fixture(scope="module")
def long_incident(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('long') / 'steady.db'}"
    with signed_in_app(url) as signed:
        steady = signed.client.app.state.steady
        signed.ref = open_lockdown(steady)
        for number in range(1, NOTES + 1):
            steady.add_note(signed.ref, f"Check-in {number}", actor=COUNSELOR)
        # The first note corrected long after: its correction is among the latest.
        steady.correct_note(signed.ref, "N1", "Check-in 1 (room 12)", reason="room", actor=LEAD)
        yield signed


def test_the_incident_shows_its_latest_notes_and_how_many_there_are(long_incident):
    signed = long_incident
    response = signed.client.get(
        f"/api/v1/incidents/{signed.ref}", headers=signed.headers["m.alvarez"]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["notes_total"] == NOTES + 1
    texts = [note["text"] for note in body["notes"]]
    assert len(texts) == RECENT_NOTES
    assert texts[-1] == "Check-in 1 (room 12)"  # the correction, newest
    assert texts[0] == f"Check-in {NOTES - RECENT_NOTES + 2}"


def test_the_notes_come_a_page_at_a_time_oldest_first(long_incident):
    signed = long_incident
    headers = signed.headers["m.alvarez"]
    seen: list[str] = []
    offset = 0
    while True:
        response = signed.client.get(
            f"/api/v1/incidents/{signed.ref}/notes",
            params={"offset": offset, "limit": 100},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] == NOTES + 1
        if not page["notes"]:
            break
        seen += [note["text"] for note in page["notes"]]
        offset += len(page["notes"])
    assert seen == [*(f"Check-in {n}" for n in range(1, NOTES + 1)), "Check-in 1 (room 12)"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}])
def test_a_page_out_of_bounds_is_refused_with_what_is_allowed(long_incident, params):
    signed = long_incident
    response = signed.client.get(
        f"/api/v1/incidents/{signed.ref}/notes", params=params, headers=signed.headers["m.alvarez"]
    )
    assert response.status_code == 400, response.text
    assert next(iter(params)) in response.text


def test_the_page_says_only_the_latest_notes_are_shown_and_keeps_a_late_correction(
    long_incident,
):
    signed = long_incident
    signed.sign_in(signed.client, "m.alvarez")
    page = signed.client.get(f"/incidents/{signed.ref}").text
    assert f"The latest {RECENT_NOTES} of {NOTES + 1:,} notes are shown here." in page
    assert "Check-in 1 (room 12)" in page  # its original is older than the latest shown
    assert f"Check-in {NOTES}<" in page or f"Check-in {NOTES}\n" in page
    assert "Check-in 2<" not in page
