"""The public help pages through the HTTP app, as a visitor's browser uses them (no sign-in, no
script): in English and Spanish (/ayuda, the browser's language, the switch), the forms' errors
in the visitor's words beside their fields, a report sent and come back to with its case code and
passphrase to read the desk's reply and answer it, and the counselor hand-off counted, never who.
"""

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from tests.builders import FAST_HASHER
from web.access.sessions import public_help_path
from web.app import create_app

DEMO_RESOURCES = Path(__file__).resolve().parents[2] / "service" / "demo" / "help_resources.toml"
CODE = re.compile(r'id="case-code">([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})<')
PASSPHRASE = "blue river quiet bicycle"
WORDS = "Alguien dijo que va a traer un arma al partido del viernes, cerca de las gradas."


@contextmanager
def help_app(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, help_resources=DEMO_RESOURCES)
    steady = open_steady(settings)
    accounts = Accounts(steady, hasher=FAST_HASHER)
    seed_demo_accounts(accounts)
    app = create_app(steady, settings, heartbeat_seconds=0.5, poll_seconds=0.2, accounts=accounts)
    with TestClient(app) as client:
        yield client


def report(**changes: str) -> dict[str, str]:
    return {
        "lang": "es",
        "category": "threat",
        "school": "roosevelt-high-school",
        "when": "el viernes en el partido",
        "words": WORDS,
        "contact": "",
        "life_safety": "yes",
        "passphrase": PASSPHRASE,
        "passphrase_again": PASSPHRASE,
        "website": "",
        **changes,
    }


def raw_get(app: Litestar, path: str, query: str, client: str) -> tuple[int, dict[str, str]]:
    """A GET straight to the ASGI app from a given address: httpx cannot follow, nor even leave
    unfollowed, a redirect to tel: or sms:."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(b"host", b"testserver")],
        "client": (client, 50123),
        "server": ("testserver", 80),
        "root_path": "",
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


def test_the_help_page_in_english_and_in_spanish(sqlite_url):
    with help_app(sqlite_url) as client:
        english = client.get("/help")
        assert english.status_code == 200
        assert '<html lang="en">' in english.text and "How can we help?" in english.text
        # The crisis lines head the page, with their links and Spanish routes.
        crisis = english.text.index('class="crisis"')
        assert crisis < english.text.index("How can we help?")
        for href in ("tel:911", "tel:988", "sms:988?body=AYUDA", "sms:741741?body=HOME",
                     "sms:741741?body=AYUDA", "https://wa.me/14422983263"):  # fmt: skip
            assert f'href="{href}"' in english.text, href
        # Anonymous: never cached, no referrer sent on, no cookie set.
        assert english.headers["cache-control"] == "no-store"
        assert english.headers["referrer-policy"] == "no-referrer"
        assert "set-cookie" not in english.headers
        assert english.headers["content-language"] == "en"

        spanish = client.get("/ayuda")
        assert '<html lang="es">' in spanish.text and "¿Cómo podemos ayudarle?" in spanish.text
        assert "Llamar al 911" in spanish.text and "Reportar algo" in spanish.text
        assert 'href="/help?lang=en"' in spanish.text  # the switch, to the same page
        assert "set-cookie" not in spanish.headers

        # The browser's language, unless the visitor chose with the switch.
        browser = {"accept-language": "es-MX,es;q=0.9,en;q=0.5"}
        assert "¿Cómo podemos ayudarle?" in client.get("/help", headers=browser).text
        chosen = client.get("/help?lang=en", headers=browser)
        assert "How can we help?" in chosen.text
        french = client.get("/help", headers={"accept-language": "fr-FR"})
        assert "How can we help?" in french.text

        # The switch keeps the page, and the links keep the language.
        form = client.get("/help/report?lang=es")
        assert "Reportar algo" in form.text and 'href="/help/report?lang=en"' in form.text
        assert 'action="/help/report?lang=es"' in form.text
        assert 'href="/help?lang=es"' in form.text


def test_the_districts_and_the_schools_resources(sqlite_url):
    with help_app(sqlite_url) as client:
        page = client.get("/ayuda").text
        assert "Banco de Alimentos Comunitario de Riverside" in page
        assert "Martes y jueves de 3 a 7 pm" in page and "Español" in page
        assert "Despensa Rough Riders de Roosevelt" not in page  # only for its school
        roosevelt = client.get("/help?lang=es&school=roosevelt-high-school").text
        assert "En Roosevelt High School" in roosevelt
        assert "Despensa Rough Riders de Roosevelt" in roosevelt
        assert 'href="tel:+15555550142"' in roosevelt and "Llamar al 555-555-0142" in roosevelt
        assert 'href="/help?school=roosevelt-high-school&amp;lang=en"' in roosevelt


def test_the_forms_say_what_is_wrong_beside_each_field_in_the_visitors_words(sqlite_url):
    with help_app(sqlite_url) as client:
        refused = client.post(
            "/help/report",
            data=report(category="", words="  ", passphrase="corta", passphrase_again="corta"),
        )
        assert refused.status_code == 422
        page = refused.text
        assert "Por favor, revise el formulario" in page
        assert 'id="category-error">Elija de qué se trata.' in page
        assert 'id="words-error">Cuente lo que pasó, con sus propias palabras.' in page
        assert (
            'id="passphrase-error">Elija una frase de acceso más larga: al menos 12 caracteres, '
            "o 4 palabras." in page
        )
        assert 'aria-describedby="words-hint words-error" aria-invalid="true"' in page
        # What was typed is drawn back.
        assert 'value="el viernes en el partido"' in page
        assert '<option value="roosevelt-high-school" selected>' in page
        assert 'id="field-life_safety" name="life_safety" value="yes" checked' in page

        mismatch = client.post(
            "/help/ask",
            data={**report(lang="en", category="food", passphrase_again="blue river quiet")},
        )
        assert mismatch.status_code == 422
        assert "The two passphrases are not the same" in mismatch.text
        long = client.post("/help/report", data=report(lang="en", words="x" * 4001))
        assert "Keep this to 4000 characters (it has 4001)" in long.text
        unknown = client.post("/help/report", data=report(lang="en", school="hogwarts"))
        assert "Choose a school from the list" in unknown.text


def test_a_report_sent_and_come_back_to_with_its_code_and_passphrase(sqlite_url):
    with help_app(sqlite_url) as client:
        sent = client.post("/help/report", data=report())
        assert sent.status_code == 200, sent.text
        page = sent.text
        # Danger now: 911 comes first, before the code.
        assert page.index("Llame al 911 ahora") < page.index("Su código de caso")
        assert 'href="tel:911"' in page
        code = CODE.search(page).group(1)
        assert f'id="passphrase-shown">{PASSPHRASE}<' in page
        assert sent.headers["cache-control"] == "no-store" and "set-cookie" not in sent.headers

        help_requests = client.app.state.help_requests
        lead = client.app.state.accounts.account("m.alvarez")
        [item] = help_requests.queue(lead)
        assert item.life_safety and item.category == "threat"
        assert item.school == "roosevelt-high-school"
        help_requests.write_to_reporter(
            item.reference, "Gracias. Estamos trabajando con la policía.", lead.acting_as()
        )

        opened = client.post(
            "/help/case", data={"lang": "es", "code": code, "passphrase": PASSPHRASE}
        )
        assert opened.status_code == 200, opened.text
        assert "Gracias. Estamos trabajando con la policía." in opened.text
        assert WORDS in opened.text and "La escuela" in opened.text
        answered = client.post(
            "/help/case",
            data={
                "lang": "es",
                "code": code,
                "passphrase": PASSPHRASE,
                "action": "write",
                "text": "Era un chico con una mochila negra.",
            },
        )
        assert answered.status_code == 200 and "Enviado. La escuela lo verá." in answered.text
        assert "Era un chico con una mochila negra." in answered.text
        desk = help_requests.case(item.reference, lead)
        assert "Era un chico con una mochila negra." in [m.text for m in desk.messages]

        # A wrong passphrase and a wrong code get the same answer.
        wrong_pass = client.post(
            "/help/case", data={"lang": "en", "code": code, "passphrase": "not the one at all"}
        )
        wrong_code = client.post(
            "/help/case", data={"lang": "en", "code": "AAAA-BBBB-CCCC", "passphrase": PASSPHRASE}
        )
        assert wrong_pass.status_code == wrong_code.status_code == 404
        said = "That case code and passphrase do not open a case."
        assert said in wrong_pass.text and said in wrong_code.text
        assert "Gracias" not in wrong_pass.text

        # Guessing is limited, and the page says how long to wait.
        for _ in range(10):
            guessed = client.post(
                "/help/case", data={"lang": "es", "code": code, "passphrase": "guess guess"}
            )
            if guessed.status_code == 429:
                break
        assert guessed.status_code == 429
        assert re.search(r"Demasiados intentos desde aquí\. Espere \d+ minutos? e", guessed.text)


def test_the_honeypot_flags_a_robots_report(sqlite_url):
    with help_app(sqlite_url) as client:
        sent = client.post(
            "/help/ask", data=report(lang="en", category="food", website="http://spam.example")
        )
        assert sent.status_code == 200
        lead = client.app.state.accounts.account("m.alvarez")
        [item] = client.app.state.help_requests.queue(lead)
        assert item.spam


def test_the_counselor_hand_off_is_counted_never_who(sqlite_url):
    with help_app(sqlite_url) as client:
        help_requests = client.app.state.help_requests
        page = client.get("/help/counselor?lang=es")
        assert page.status_code == 200 and "Hable ahora con un consejero capacitado" in page.text
        assert 'href="/help/counselor/text?lang=es"' in page.text
        status, headers = raw_get(client.app, "/help/counselor/text", "lang=es", "203.0.113.77")
        assert status == 303 and headers["location"] == "sms:988?body=AYUDA"
        assert headers["cache-control"] == "no-store"
        status, headers = raw_get(client.app, "/help/counselor/call", "lang=en", "203.0.113.78")
        assert status == 303 and headers["location"] == "tel:988"
        status, _ = raw_get(client.app, "/help/counselor/fax", "", "203.0.113.79")
        assert status == 404
        counts = help_requests.handoff_counts()
        text = repr(counts)
        assert "203.0.113" not in text and "testclient" not in text
        totals: dict[tuple[str, str], int] = {}
        for key, number in flatten(counts):
            totals[key] = totals.get(key, 0) + number
        assert totals[("offered", "text")] == 1 and totals[("taken", "text")] == 1
        assert totals[("taken", "call")] == 1


def flatten(counts: dict) -> list[tuple[tuple[str, str], int]]:
    """(step, channel) -> number from handoff_counts(), whatever days it is grouped by."""
    found = []
    for key, value in counts.items():
        if isinstance(value, dict):
            found += flatten(value)
        elif isinstance(key, tuple):
            found.append((key[-2:], value))
    return found


def test_only_the_public_help_pages_go_without_a_csrf_token():
    assert public_help_path("/help") and public_help_path("/ayuda")
    assert public_help_path("/help/report") and public_help_path("/help/case")
    assert not public_help_path("/help-desk") and not public_help_path("/help-desk/H-0001")
    assert not public_help_path("/helpers") and not public_help_path("/")


def test_without_a_resources_file_the_forms_offer_the_districts_own_schools(sqlite_url):
    settings = Settings(database_url=sqlite_url)
    steady = open_steady(settings)
    accounts = Accounts(steady, hasher=FAST_HASHER)
    seed_demo_accounts(accounts)
    app = create_app(steady, settings, heartbeat_seconds=0.5, poll_seconds=0.2, accounts=accounts)
    with TestClient(app) as client:
        form = client.get("/help/report?lang=en")
        assert '<option value="jefferson-middle-school"' in form.text
        assert "Jefferson Middle School" in form.text
        sent = client.post("/help/report", data=report(school="jefferson-middle-school"))
        assert sent.status_code == 200 and CODE.search(sent.text)
