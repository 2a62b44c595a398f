"""The admin's roster page through a signed-in browser's form: uploading the demo district's
OneRoster export imports it and the page then counts what the roster holds (never a name); an
export with a broken line is refused whole, the page listing the problem by file, line and
field; no one but an admin reaches the page, and a partner sees nothing of rosters."""

from pathlib import Path

from tests.builders import signed_in_app
from tests.integration.test_people_pages import csrf

EXPORT = Path(__file__).resolve().parents[2] / "service" / "demo" / "roster"


def upload(files: dict[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (name, data, "text/csv")) for name, data in sorted(files.items())]


def test_an_admin_imports_the_export_and_a_broken_one_is_refused_whole(sqlite_url):
    export = {p.name: p.read_bytes() for p in EXPORT.glob("*.csv")}
    with signed_in_app(sqlite_url) as world:
        client = world.client
        world.sign_in(client, "admin")
        before = client.get("/admin/roster/")
        assert before.status_code == 200 and "No roster has been imported yet." in before.text
        broken = dict(export)
        lines = export["enrollments.csv"].decode().splitlines()
        fields = lines[3].split(",")
        header = lines[0].split(",")
        fields[header.index("userSourcedId")] = "u-nobody"
        broken["enrollments.csv"] = "\n".join([*lines[:3], ",".join(fields), *lines[4:]]).encode()
        refused = client.post(
            "/admin/roster/",
            data={"_csrf_token": csrf(before.text)},
            files=upload(broken),
        )
        assert refused.status_code == 422, refused.text
        assert "Nothing was imported" in refused.text
        said = "enrollments.csv line 4, userSourcedId: no user u-nobody in users.csv"
        assert said in refused.text
        assert "No roster has been imported yet." in refused.text  # not half-loaded

        done = client.post(
            "/admin/roster/",
            data={"_csrf_token": csrf(before.text)},
            files=upload(export),
        )
        assert done.status_code == 200 and "The roster was imported:" in done.text, done.text
        assert 'id="roster-held"' in done.text and "<dt>Classes</dt><dd>42</dd>" in done.text
        assert "Noor" not in done.text and "Haddad" not in done.text  # counts, never names
        again = client.post(
            "/admin/roster/",
            data={"_csrf_token": csrf(done.text)},
            files=upload(export),
        )
        assert "nothing changed since the last import" in again.text

        for username in ("m.alvarez", "j.brooks"):
            world.sign_in(client, username)
            assert client.get("/admin/roster/").status_code == 403
            assert "Rosters" not in client.get("/my-work").text  # no way there in the nav
