"""Answers are compressed (gzip) for Steady's own pages and scripts, and BREACH finds nothing to
measure: the CSRF token in a page is masked afresh in every response (and a form's masked token
is taken), and a request from another site is answered uncompressed."""

import gzip
import re
from collections.abc import Iterator

import httpx
import pytest
from litestar.testing import TestClient

from tests.builders import SignedIn, signed_in_app
from web.access.sessions import CSRF_COOKIE

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> Iterator[SignedIn]:
    url = f"sqlite:///{tmp_path_factory.mktemp('compression')}/steady.db"
    with signed_in_app(url) as world:
        yield world


def raw(client: TestClient, path: str, **headers: str) -> httpx.Response:
    """The answer as it came over the wire: its body not decoded."""
    with client.stream("GET", path, headers={**GZIP, **headers}) as response:
        response.raw_body = b"".join(response.iter_raw())
    return response


def test_pages_json_scripts_and_styles_come_gzipped(signed):
    client = signed.client
    lead = signed.headers["m.alvarez"]
    for path, headers in (
        ("/signin", {}),
        ("/playbooks", lead),
        ("/api/v1/playbooks", lead),
        ("/static/js/steady.js", {}),
        ("/static/steady.css", {}),
    ):
        response = raw(client, path, **headers)
        assert response.status_code == 200, path
        assert response.headers.get("content-encoding") == "gzip", path
        assert "accept-encoding" in response.headers.get("vary", "").lower()
        body = gzip.decompress(response.raw_body)
        assert len(response.raw_body) * 2 < len(body), path  # text shrinks by more than half


def test_a_request_from_another_site_is_not_compressed(signed):
    for site in ("cross-site", "same-site"):
        response = raw(signed.client, "/signin", **{"Sec-Fetch-Site": site})
        assert "content-encoding" not in response.headers, site
        assert b"<form" in response.raw_body
    own = raw(signed.client, "/signin", **{"Sec-Fetch-Site": "same-origin"})
    assert own.headers.get("content-encoding") == "gzip"


def form_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def test_the_csrf_token_in_a_page_is_masked_afresh_each_time_and_still_works(signed):
    browser = TestClient(signed.client.app)  # not entered: that would stop the app
    first, second = (form_token(browser.get("/signin").text) for _ in range(2))
    cookie = browser.cookies.get(CSRF_COOKIE) or ""
    assert first != second  # a new pad each response: nothing constant for BREACH to find
    assert cookie not in first and cookie not in second
    signed_in = browser.post(
        "/signin",
        data={"username": "m.alvarez", "password": "steady-demo-2026", "_csrf_token": second},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    page = browser.get("/playbooks").text
    signed_out = browser.post(
        "/signout", data={"_csrf_token": form_token(page)}, follow_redirects=False
    )
    assert signed_out.status_code == 303
    assert browser.get("/api/v1/incidents").status_code == 401
    # A masked token that is not this session's is refused like any other.
    other = TestClient(signed.client.app)
    foreign = form_token(other.get("/signin").text)
    again = TestClient(signed.client.app)
    again.get("/signin")
    refused = again.post(
        "/signin",
        data={"username": "m.alvarez", "password": "steady-demo-2026", "_csrf_token": foreign},
    )
    assert refused.status_code == 403
