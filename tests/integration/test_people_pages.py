"""The pages of affected people, through a signed-in browser's forms: the incident's "People
affected" section (pseudonyms only), the person page with its identity behind a recorded "Show
identity", triage and referral forms, and the admin's erasure page."""

import re

from litestar.testing import TestClient

from tests.builders import signed_in_app
from tests.integration.test_people_api import NAME, Api


def csrf(page: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def test_the_incident_page_the_person_page_and_erasure(sqlite_url):
    with signed_in_app(sqlite_url) as world:
        api = Api(world)
        ref = api.incident()
        client = world.client
        world.sign_in(client, "m.alvarez")
        incident_page = client.get(f"/incidents/{ref}")
        assert "People affected" in incident_page.text and "Record person" in incident_page.text
        recorded = client.post(
            f"/incidents/{ref}/people",
            data={
                "_csrf_token": csrf(incident_page.text),
                "kind": "student",
                "school": "Roosevelt High School",
                "grade": "11",
                "how_affected": "was in the classroom next door",
                "name": NAME,
                "person_id": "S-4242",
            },
            follow_redirects=False,
        )
        assert recorded.status_code == 303, recorded.text
        person_url = recorded.headers["location"]
        person = person_url.rsplit("/", 1)[1]
        page = client.get(person_url)
        assert f"{person} recorded on {ref}" in page.text
        assert NAME not in page.text and "Show identity" in page.text
        triaged = client.post(
            f"{person_url}/triage",
            data={
                "_csrf_token": csrf(page.text),
                "incident": ref,
                "tier": "1",
                "reason": "cries in class",
                "warning_signs": ["depression"],
                "counselor": "k.okafor",
            },
            follow_redirects=True,
        )
        assert "Warning signs raised it to tier 3" in triaged.text
        assert "Tier 3" in triaged.text
        refused = client.post(
            f"{person_url}/triage",
            data={"_csrf_token": csrf(page.text), "incident": ref, "tier": "2", "reason": ""},
        )
        assert refused.status_code == 422 and "Say why this tier" in refused.text
        # The incident page lists the pseudonym, its tier and the urgent task; never the name.
        incident_page = client.get(f"/incidents/{ref}")
        assert person in incident_page.text and "Tier 3" in incident_page.text
        assert f"Refer {person} to intensive support today" in incident_page.text
        assert NAME not in incident_page.text
        # Showing the identity is an action, recorded before the identity is drawn.
        shown = client.post(f"{person_url}/identity", data={"_csrf_token": csrf(page.text)})
        assert shown.status_code == 200 and NAME in shown.text
        assert "Who saw the identity" in shown.text and "m.alvarez (crisis-lead)" in shown.text
        assert shown.headers["cache-control"] == "no-store"
        assert NAME not in client.get(person_url).text

        # An auditor reads the record, and no button offers the identity.
        auditor = TestClient(world.client.app)  # a second browser, without its own lifespan
        world.sign_in(auditor, "a.kim")
        page = auditor.get(person_url)
        assert page.status_code == 200 and "Show identity" not in page.text
        assert (
            auditor.post(
                f"{person_url}/identity", data={"_csrf_token": csrf(page.text)}
            ).status_code
            == 403
        )

        # The admin erases it from their page; the person page says so.
        admin = TestClient(world.client.app)
        world.sign_in(admin, "admin")
        form = admin.get("/admin/people")
        assert form.status_code == 200
        erased = admin.post(
            "/admin/people/erase",
            data={
                "_csrf_token": csrf(form.text),
                "reference": person,
                "reason": "family asked",
            },
            follow_redirects=True,
        )
        assert f"The identity of {person} is erased" in erased.text
        missing = admin.post(
            "/admin/people/erase",
            data={"_csrf_token": csrf(form.text), "reference": "P-9999", "reason": "x"},
        )
        assert missing.status_code == 404 and "No person P-9999" in missing.text
        page = client.get(person_url)
        assert "Identity erased by admin (family asked)" in page.text
        assert "Show identity" not in page.text


def test_a_partner_sees_on_the_person_page_only_what_they_are_asked_to_do(sqlite_url):
    with signed_in_app(sqlite_url) as world:
        api = Api(world)
        ref = api.incident()
        person = api.person(ref)
        other = api.person(ref, name="Someone Else", student_id="S-8")
        referred = api.post(
            "m.alvarez",
            f"/api/v1/people/{person}/referrals",
            {"incident": ref, "to_kind": "partner", "to": "eastside-counseling",
             "reason": "nightmares since the event", "asked_to": "offer grief counselling"},
        )  # fmt: skip
        assert referred.status_code == 201, referred.text
        partner = TestClient(world.client.app)
        world.sign_in(partner, "j.brooks")
        page = partner.get(f"/people/{person}")
        assert page.status_code == 200
        assert "offer grief counselling" in page.text and "nightmares since the event" in page.text
        assert "Roosevelt High School" not in page.text and "grade" not in page.text
        assert "Show identity" not in page.text and "Not shared with your organisation" in page.text
        assert NAME not in page.text
        assert partner.get(f"/people/{other}").status_code == 404
