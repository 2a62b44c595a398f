"""A long incident's timeline page comes a page at a time, in order, with its filters kept from
page to page, links to a corrected note that lead to the page it is on, and a clear message
for a page that does not exist."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient

from service.incidents.application import Steady
from tests.builders import COUNSELOR, LEAD, signed_in_app
from web.audit.pages import ENTRIES_PER_PAGE

NOTES = ENTRIES_PER_PAGE + 100  # with the opening, a correction: two pages


def long_incident(app: Steady) -> str:
    """Opened, then NOTES notes by the counselor, the first corrected at the end."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    ref = app.open_incident(
        title="Storm damage at Lincoln Elementary",
        kind="severe-weather",
        severity=3,
        schools=["Lincoln Elementary"],
        actor=LEAD,
        at=start,
    ).reference
    incident = app.incident(ref)
    for number in range(NOTES):
        at = start + timedelta(minutes=number + 1)
        incident.add_note(f"Update {number + 1}", actor=COUNSELOR, at=at)
    app.save(incident)
    app.correct_note(ref, "N1", "Update 1 (revised)", reason="wrong count", actor=LEAD)
    return ref


@pytest.fixture(scope="module")
def auditor(tmp_path_factory) -> Iterator[tuple[TestClient, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('pages')}/steady.db"
    with signed_in_app(url) as signed:
        ref = long_incident(signed.client.app.state.steady)
        signed.sign_in(signed.client, "a.kim")
        yield signed.client, ref


def versions(html: str) -> list[int]:
    return [int(v) for v in re.findall(r'<li class="timeline__entry[^"]*" id="v(\d+)"', html)]


def test_the_first_page_holds_the_earliest_entries_and_links_to_the_next(auditor):
    client, ref = auditor
    page = client.get(f"/incidents/{ref}/timeline").text
    total = NOTES + 2
    assert versions(page) == list(range(1, ENTRIES_PER_PAGE + 1))
    assert f"{total} entries; showing 1 to {ENTRIES_PER_PAGE} (page 1 of 2)" in page
    assert f'href="/incidents/{ref}/timeline?page=2" rel="next"' in page
    assert 'rel="prev"' not in page

    later = client.get(f"/incidents/{ref}/timeline?page=2").text
    assert versions(later) == list(range(ENTRIES_PER_PAGE + 1, total + 1))
    assert f'href="/incidents/{ref}/timeline?page=1" rel="prev"' in later


def test_a_correction_and_its_note_link_to_each_others_pages(auditor):
    client, ref = auditor
    first = client.get(f"/incidents/{ref}/timeline").text
    last_version = NOTES + 2
    assert f'href="/incidents/{ref}/timeline?page=2#v{last_version}"' in first  # "Corrected later"
    second = client.get(f"/incidents/{ref}/timeline?page=2").text
    assert f'href="/incidents/{ref}/timeline?page=1#v2"' in second  # the original note


def test_filters_are_kept_from_page_to_page(auditor):
    client, ref = auditor
    page = client.get(f"/incidents/{ref}/timeline", params={"role": "counselor"}).text
    assert f"{NOTES} of {NOTES + 2} entries match" in page
    assert versions(page)[0] == 2  # the opening was the lead's
    assert f'href="/incidents/{ref}/timeline?role=counselor&amp;page=2" rel="next"' in page
    later = client.get(f"/incidents/{ref}/timeline", params={"role": "counselor", "page": 2})
    assert len(versions(later.text)) == NOTES - ENTRIES_PER_PAGE


@pytest.mark.parametrize(
    ("asked", "named"),
    [("3", "3"), ("0", "0"), ("two", "two"), ("²", "²"), ("9" * 5000, "9" * 20 + "…")],
)
def test_a_page_that_does_not_exist_says_so_and_shows_the_first(auditor, asked, named):
    client, ref = auditor
    response = client.get(f"/incidents/{ref}/timeline", params={"page": asked})
    assert response.status_code == 422
    assert f"There is no page “{named}”: pages run from 1 to 2. Showing page 1." in response.text
    assert versions(response.text)[0] == 1


@pytest.mark.parametrize("surface", ["", "/timeline", "/replay", "/report", "/views"])
def test_an_incident_that_does_not_exist_is_a_page_that_says_so(auditor, surface):
    """An auditor sees every case, so no guard stops the request: the page itself finds no
    incident and answers with the not-found page, never a server error."""
    client, _ = auditor
    response = client.get(f"/incidents/INC-2026-9999{surface}")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text
    assert "no incident INC-2026-9999" in response.text
    assert 'href="/">Back to the board' in response.text
    assert response.headers["cache-control"] == "no-store"
