"""What the browser journeys share (Playwright driving Debian's chromium): where screenshots go, the
browser's flags, the two screen sizes every page is looked at, and signing a cast member in.

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
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def fits_the_phone(page) -> bool:
    """Nothing on the page is wider than a 360 px phone (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
