"""Playwright driving Debian's chromium (never a downloaded browser)."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.organisation.otp import totp_code

# Playwright's sync API runs an event loop in the test thread; Django's ORM check must allow it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Reports every Content-Security-Policy violation to the console, where watch_csp collects it.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}` +
      ` in ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
});
"""


def watch_csp(page, violations: list[str]) -> list[str]:
    """Collect the page's CSP violations (and script errors) into `violations`.

    The strict policy (README, "Production settings") must cost the walks nothing: a test using
    this fails on any refused script, style, image or connection.
    """
    page.add_init_script(REPORT_CSP_VIOLATIONS)

    def on_console(message) -> None:
        text = message.text
        if "Content Security Policy" in text or "CSP violation" in text:
            violations.append(f"{page.url}: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: violations.append(f"{page.url}: script error {error}"))
    return violations


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "Debian's chromium is required: apt-get install chromium"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        violations = watch_csp(page, [])
        yield page
        context.close()
        browser.close()
        assert not violations, "\n".join(violations)


def login(page, base_url: str, username: str, password: str = "demo-lösenord-1") -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    pass_second_factor(page, username)
    page.wait_for_selector("[data-testid=current-user]")


def logout(page) -> None:
    page.click("text=Logga ut")
    page.wait_for_selector("#id_username")


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def pass_second_factor(page, username: str) -> None:
    """After the password: a chef, finance or administrator enrols the app (first login) or
    gives its code, as a person would with the secret shown on the page."""
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.wait_for_url(lambda url: urlsplit(url).path != "/login/")
    if "/login/aktivera-kod/" in page.url:
        secret = page.get_by_test_id("totp-secret").inner_text().strip()
        key = b32decode(secret + "=" * (-len(secret) % 8)).hex()
        page.fill("#id_token", totp_code(key))
        page.click("form button[type=submit]")
        page.get_by_test_id("backup-codes").wait_for()
        page.click("[data-testid=backup-codes] a.button")
    elif "/login/kod/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.fill("#id_token", totp_code(device.key, device.last_t))
        page.click("form button[type=submit]")
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/login/"))
