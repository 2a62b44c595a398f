"""The admin's accounts page in a real Chromium against a real `steady serve`: an admin signs in,
adds an account with a role, issues an API token and sees it once, then disables the account."""

import re

import httpx
import pytest

from tests.e2e.browser_fixtures import PHONE, browser, open_page, screenshot

pytestmark = pytest.mark.browser
__all__ = ["browser", "open_page"]  # fixtures, imported so pytest finds them

expect = pytest.importorskip("playwright.sync_api").expect
NEW_PASSWORD = "Lantern orchard 1492 sparrow"


def board_with(server, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"{server.url}/api/v1/incidents", headers=headers, timeout=10).status_code


def test_an_admin_adds_an_account_issues_a_token_once_and_disables_it(server, open_page):
    page = open_page(server.url, "/admin/accounts", user=None)
    expect(page).to_have_url(re.compile(r"/signin\?next=/admin/accounts$"))
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("steady-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/accounts$"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Accounts")).to_have_attribute("aria-current", "page")
    expect(page.locator("#account-k\\.okafor")).to_contain_text("counselor")

    form = page.locator("#add-account-form")
    # A username already taken: refused, saying which field and what to do, with what was typed.
    form.get_by_label("Username").fill("k.okafor")
    form.get_by_label("Full name").fill("Paula Silva")
    form.get_by_label("Organisation").select_option(label="Roosevelt High School (school)")
    form.get_by_role("checkbox", name="Responder (school team)").check()
    form.get_by_label("Positions").fill("nurse")
    form.get_by_label("First password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Add the account").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "The username 'k.okafor' is taken; choose another."
    )
    username = page.locator("#add-account-form").get_by_label("Username")
    expect(username).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#add-account-form").get_by_label("Full name")).to_have_value("Paula Silva")

    form = page.locator("#add-account-form")
    username.fill("p.silva")
    # The password is never drawn again after a refusal; left empty, the account is one for a
    # script, whose tokens an admin issues (a person's account: only its owner does).
    form.get_by_role("button", name="Add the account").click()
    expect(page).to_have_url(re.compile(r"/admin/accounts/p\.silva$"))
    expect(page.locator("#flash")).to_contain_text("It has no password")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Paula Silva")
    expect(page.locator("#role-list")).to_contain_text("Responder (school team)")
    expect(page.locator("#account-head")).to_contain_text("nurse")

    page.get_by_label("What the token is for").fill("nightly export")
    page.get_by_role("button", name="Issue a token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New API token for p.silva")
    expect(page.locator("#token-warning")).to_contain_text("Steady will not show it again")
    secret = page.locator("#token-secret").inner_text().strip()
    assert re.fullmatch(r"stdy_[0-9a-f]{12}_[0-9a-f]{48}", secret)
    assert board_with(server, secret) == 200
    expect(page.get_by_role("button", name="Copy the token")).to_be_visible()
    screenshot(page, "admin-token-desktop")

    page.get_by_role("link", name=re.compile("back to p.silva")).click()
    expect(page.locator("#token-list")).to_contain_text("nightly export")
    assert secret not in page.content()  # shown once, on the page that issued it

    page.get_by_label("Why").fill("Left the district in June")
    page.get_by_role("button", name="Disable p.silva").click()
    expect(page.locator("#flash")).to_contain_text("Disabled p.silva")
    expect(page.locator("#account-status")).to_have_text("Disabled")
    assert board_with(server, secret) == 401  # the token stopped working with the account
    screenshot(page, "admin-account-desktop")

    page.goto("/admin/accounts")
    expect(page.locator("#account-p\\.silva")).to_contain_text("Disabled")
    screenshot(page, "admin-accounts-desktop")
    assert page.script_errors == []


def test_the_accounts_pages_fit_a_phone_and_refuse_other_roles(server, open_page):
    page = open_page(server.url, "/admin/accounts", user="admin", viewport=PHONE)
    expect(page.locator("#accounts-table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "admin-accounts-phone")
    page.goto("/admin/accounts/k.okafor")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kemi Okafor")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "admin-account-phone")
    assert page.script_errors == []

    lead = open_page(server.url, "/admin/accounts", user="m.alvarez")
    expect(lead.get_by_role("heading", level=1)).to_have_text("Not for your role")
    expect(
        lead.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts")
    ).to_have_count(0)
