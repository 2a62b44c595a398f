"""The public help page in a real Chromium against `steady serve` with the demo district: on a
phone, in Spanish, a neighbour reports a possible weapon at Friday's game, sees 911 the moment
they tick "Someone is in danger right now", and gets a case code; they come back with it and
their passphrase. axe-core finds no serious or critical violation on any of these pages, the
first view is weighed, screenshots are taken at phone and desk widths, and the server's log
never names the visitor's address."""

import json
import re
from pathlib import Path

import pytest

from service.bootstrap import assemble, open_steady
from service.config import Settings
from tests.e2e.browser_fixtures import PHONE, browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["browser"]  # a fixture, imported so pytest finds it

expect = pytest.importorskip("playwright.sync_api").expect
Axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe
ROOT = Path(__file__).resolve().parents[2]
DEMO_RESOURCES = ROOT / "service" / "demo" / "help_resources.toml"
SHOTS = Path("/tmp/shots")
DESK = {"width": 1280, "height": 800}
PASSPHRASE = "río azul bicicleta tranquila"
WORDS = "Oí que alguien va a traer un arma al partido del viernes. Vi algo raro en una mochila."
FIRST_VIEW_LIMIT = 100_000


@pytest.fixture
def help_server(start_server, monkeypatch):
    monkeypatch.setenv("STEADY_HELP_RESOURCES", str(DEMO_RESOURCES))
    return start_server(demo=True)


def context_for(browser, server, viewport, language: str):
    # bypass_csp: axe-core is injected as a script, which the pages' policy rightly refuses.
    context = browser.new_context(
        viewport=viewport, base_url=server.url, locale=language, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    return context


def no_serious_violations(page, name: str) -> None:
    results = Axe().run(page)
    serious = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{name}: {json.dumps(serious, indent=1)}"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def first_view_bytes(page) -> dict[str, int]:
    """What the first view cost: bytes on the wire and decoded, the page and all it loaded."""
    return page.evaluate(
        """() => {
          const all = [...performance.getEntriesByType('navigation'),
                       ...performance.getEntriesByType('resource')];
          return {transferred: all.reduce((n, e) => n + e.transferSize, 0),
                  decoded: all.reduce((n, e) => n + e.decodedBodySize, 0),
                  requests: all.length};
        }"""
    )


def test_a_neighbour_reports_on_a_phone_in_spanish_and_comes_back(browser, help_server):
    server = help_server
    context = context_for(browser, server, PHONE, "es-MX")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/help")  # the phone's language is Spanish
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Cómo podemos ayudarle?")
    expect(page.get_by_role("link", name="Llamar al 911")).to_have_attribute("href", "tel:911")
    weight = first_view_bytes(page)
    print(f"first view of /help on a phone: {weight}")
    assert weight["decoded"] < FIRST_VIEW_LIMIT and weight["transferred"] < FIRST_VIEW_LIMIT
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    no_serious_violations(page, "/help (es)")
    shoot(page, "help-phone-es")

    page.get_by_role("link", name="Reportar algo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reportar algo")
    no_serious_violations(page, "the report form")
    # Sending it empty: the errors, in Spanish, beside their fields.
    page.get_by_role("button", name="Enviar reporte").click()
    expect(page.locator("#words-error")).to_have_text(
        "Cuente lo que pasó, con sus propias palabras."
    )
    no_serious_violations(page, "the report form with errors")
    shoot(page, "report-errors-phone-es")

    page.get_by_label("Una amenaza o un arma").check()
    danger_now = page.locator("#danger-now")
    expect(danger_now).to_be_hidden()
    page.get_by_label("Alguien está en peligro ahora mismo").check()
    expect(danger_now).to_be_visible()  # 911 at once, with no script
    expect(danger_now.get_by_role("link")).to_have_attribute("href", "tel:911")
    page.get_by_label("Escuela").select_option(label="Roosevelt High School")
    page.get_by_label("¿Cuándo pasó, o cuándo va a pasar?").fill("el viernes, en el partido")
    page.get_by_label("¿Qué pasó?").fill(WORDS)
    page.get_by_label("Frase de acceso", exact=True).fill(PASSPHRASE)
    page.get_by_label("La misma frase de acceso otra vez").fill(PASSPHRASE)
    shoot(page, "report-filled-phone-es")
    page.get_by_role("button", name="Enviar reporte").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Llame al 911 ahora")
    code = page.locator("#case-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    expect(page.locator("#passphrase-shown")).to_have_text(PASSPHRASE)
    no_serious_violations(page, "the confirmation")
    shoot(page, "sent-phone-es")

    # The desk writes back (through the service, as the desk's page does).
    steady = open_steady(Settings(database_url=server.database_url))
    try:
        parts = assemble(steady, Settings(database_url=server.database_url))
        lead = parts.accounts.account("m.alvarez")
        [item] = [i for i in parts.help_requests.queue(lead) if i.life_safety]
        parts.help_requests.write_to_reporter(
            item.reference, "Gracias. La escuela y la policía ya lo saben.", lead.acting_as()
        )
    finally:
        steady.close()

    page.get_by_role("link", name="Volver a su caso").last.click()
    page.get_by_label("Código de caso").fill(code)
    page.get_by_label("Frase de acceso").fill(PASSPHRASE)
    page.get_by_role("button", name="Abrir mi caso").click()
    expect(page.locator(".messages")).to_contain_text(
        "Gracias. La escuela y la policía ya lo saben."
    )
    page.get_by_label("Escribir más").fill("Era una mochila negra, cerca de las gradas.")
    page.get_by_role("button", name="Enviar", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Enviado. La escuela lo verá.")
    expect(page.locator(".messages")).to_contain_text("Era una mochila negra")
    no_serious_violations(page, "the case page")
    shoot(page, "case-phone-es")
    assert errors == []
    context.close()

    # Nothing the server wrote names the visitor's address or the pages they opened.
    log = server.log_path.read_text()
    assert "127.0.0.1" not in log and "/help" not in log, log[-2000:]


def test_the_help_pages_at_a_desk_in_english(browser, help_server):
    context = context_for(browser, help_server, DESK, "en-US")
    page = context.new_page()
    page.goto("/help?school=roosevelt-high-school")
    expect(page.get_by_role("heading", level=1)).to_have_text("How can we help?")
    expect(page.get_by_text("Roosevelt Rough Riders Pantry")).to_be_visible()
    no_serious_violations(page, "/help (en)")
    shoot(page, "help-desk-en")
    page.goto("/ayuda")
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Cómo podemos ayudarle?")
    no_serious_violations(page, "/ayuda")
    shoot(page, "ayuda-desk")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How can we help?")
    page.goto("/help/report")
    no_serious_violations(page, "the report form (en)")
    shoot(page, "report-desk-en")
    page.goto("/help/counselor")
    no_serious_violations(page, "the counselor page")
    shoot(page, "counselor-desk-en")
    page.goto("/help/case")
    no_serious_violations(page, "the case form")
    shoot(page, "case-form-desk-en")
    context.close()
