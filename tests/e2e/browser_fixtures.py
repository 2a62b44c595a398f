"""Chromium through Playwright for the browser tests: one browser per module, fresh contexts."""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from service.demo.accounts import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("STEADY_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def need_chromium() -> str:
    found = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if not found:
        message = (
            f"Chromium is not installed at {CHROMIUM}: install Debian's chromium package "
            "(test.sh does this when run as root)"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser) -> Iterator[Callable[..., object]]:
    """A page in its own context (its own cookies), signed in through /signin as a demo
    account (or not signed in, with user=None)."""
    contexts = []

    def open_as(
        base_url: str,
        path: str = "/",
        *,
        user: str | None = "m.alvarez",
        viewport: dict[str, int] | None = None,
    ) -> object:
        context = browser.new_context(viewport=viewport or DESKTOP, base_url=base_url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.script_errors = errors  # checked by tests: no script may fail
        if user is not None:
            sign_in(page, user)
        page.goto(path)
        return page

    yield open_as
    for context in contexts:
        context.close()


def sign_in(page: object, user: str, password: str = DEMO_PASSWORD) -> None:
    """Signs in through the form, as a person does."""
    page.goto("/signin")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/signin" not in url)


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
