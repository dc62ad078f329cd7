"""What the browser journeys share (Playwright driving Debian's chromium): where screenshots go, the
browser's flags, the two screen sizes every page is looked at, signing a cast member in, and the guard
that fails a journey whose pages broke the Content-Security-Policy.

The ``browser`` and ``browser_page`` fixtures are in the root conftest."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 760}
DESK = {"width": 1280, "height": 900}
TIMEOUT_MS = 15000

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the fixtures are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def signed_in(browser, live_server, username: str, password: str, viewport: dict):
    """A fresh browser context (own cookies) with ``username`` signed in, on the home page."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    sign_in(page, live_server.url, username, password)
    return page


def sign_in(page, site: str, username: str, password: str) -> None:
    """Sign in through the page as a person does: password, then (if the user's roles need one) the
    code of their authenticator (the cast's, made by accounts.second_factor_actions.prepare_device), or
    the enrolment of one if they have none; ends on the home page."""
    from django.contrib.auth import get_user_model

    from accounts.second_factor_actions import tooling_code

    page.goto(f"{site}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: not url.endswith("/accounts/login/"))
    if "/accounts/second-factor/enrol/" in page.url:  # no authenticator yet: set one up, as a person would
        enrol_on_page(page, site)
        page.click("main a.btn-primary")
    elif "/accounts/second-factor/" in page.url:
        page.fill("input[name=code]", tooling_code(get_user_model().objects.get(username=username)))
        page.click("main button[type=submit]")
    page.wait_for_url(f"{site}/")


def code_from_secret(secret: str) -> str:
    """The code an authenticator app shows now for the key typed from the enrolment page (groups of
    four, base32): what a person's phone would compute."""
    from base64 import b32decode

    from django_otp.oath import TOTP

    key = secret.replace(" ", "").upper()
    return f"{TOTP(b32decode(key + '=' * (-len(key) % 8))).token():06d}"


def enrol_on_page(page, site: str) -> list[str]:
    """On the enrolment page: type the key's code as a person would, and return the recovery codes
    the next page shows once (then continue)."""
    page.fill("input[name=code]", code_from_secret(page.locator("#otp-secret").inner_text()))
    page.click("main button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    codes = [li.strip() for li in page.locator("#recovery-codes li").all_inner_texts()]
    return codes


def fits_the_phone(page) -> bool:
    """Nothing on the page is wider than a 360 px phone (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# Every page of every context a test opens reports what the Content-Security-Policy blocked: the event
# the browser fires for each refusal, and its console error (also for refusals without an event).
REPORT_POLICY_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("[csp-violation] " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


def watch_policy(context, found: list[str]) -> None:
    """Collect into ``found`` each Content-Security-Policy violation on the context's pages."""
    context.add_init_script(REPORT_POLICY_VIOLATIONS)

    def console(message) -> None:
        text = message.text
        if message.type == "error" and ("[csp-violation]" in text or "Content Security Policy" in text):
            found.append(f"{message.page.url if message.page else '?'}: {text}")

    context.on("console", console)


class PolicyGuardedBrowser:
    """The worker's Chromium as the tests use it: each new context watches the policy (``violations``
    collects what it blocked); everything else is the browser's own."""

    def __init__(self, browser):
        self._browser = browser
        self.violations: list[str] = []

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        watch_policy(context, self.violations)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)
