"""Security headers on every page: the Content-Security-Policy (django-csp) allows scripts and styles
from the site only, nothing inline; the browser guard of the journeys catches any page that breaks it.
The production defaults (HSTS, HTTPS redirect, Secure cookies) are read from a fresh process."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings

from gongjian.tests.test_startup_settings import ROOT, production_env

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def test_a_page_carries_the_policy_and_the_security_headers(client, cast, django_assert_max_num_queries):
    cast.login(client, "community")
    with django_assert_max_num_queries(41):  # the first visit: the roll-ups recount what the cast changed
        response = client.get("/")
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    for name, value in POLICY.items():
        assert policy[name] == value, name
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_sign_in_page_and_the_admin_carry_the_policy_too(client, cast):
    assert "script-src 'self'" in client.get("/accounts/login/")["Content-Security-Policy"]
    cast.login(client, "admin")
    admin = client.get("/admin/")
    assert admin.status_code == 200
    assert directives(admin["Content-Security-Policy"])["style-src"] == "'self'"  # no exception for the admin


def test_pages_ask_htmx_not_to_inject_styles_or_evaluate_code(client, cast):
    cast.login(client, "member")
    page = client.get("/").content.decode()
    assert (
        """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false}'>"""
        in page
    )
    assert "/static/js/gongjian.js" in page


def test_templates_hold_no_inline_script_style_or_handler():
    """The rule the policy enforces, read from the templates themselves (PDF templates aside: WeasyPrint
    reads their <style>, no browser does)."""
    import re
    from pathlib import Path

    inline = re.compile(
        r"<script(?![^>]*\b(src|type=\"application/json\")\b)|<style|\sstyle=|\son[a-z]+=|hx-on|javascript:"
    )
    found = []
    tops = [
        d for d in Path(ROOT).iterdir() if d.is_dir() and not d.is_symlink() and not d.name.startswith(".")
    ]
    for path in (p for top in tops for p in top.glob("**/*.html")):
        if "templates" not in path.parts or "pdf" in path.parts or "node_modules" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if inline.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "inline script or style (move it to static/js or static/css):\n" + "\n".join(found)


def test_production_defaults_are_the_safe_ones_and_the_environment_can_change_them(tmp_path):
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, "
        "s.EMAIL_BACKEND.rsplit('.', 2)[1], s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_TIMEOUT, "
        "s.DEFAULT_FROM_EMAIL)"
    )

    def shown(env):
        result = subprocess.run(
            [sys.executable, "-c", show], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert shown(production_env(tmp_path)) == (
        "True 31536000 True True True True ('HTTP_X_FORWARDED_PROTO', 'https') smtp localhost 25 False 10 webmaster@localhost"
    )
    changed = production_env(
        tmp_path,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_PRELOAD="0",
        TRUST_X_FORWARDED_PROTO=None,
        EMAIL_HOST="smtp.example.gov.cn",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
        EMAIL_TIMEOUT="5",
        DEFAULT_FROM_EMAIL="gongjian@example.gov.cn",
    )
    assert shown(changed) == (
        "False 600 True False True True None smtp smtp.example.gov.cn 587 True 5 gongjian@example.gov.cn"
    )
    development = production_env(tmp_path, DEBUG="1")
    assert shown(development).startswith("False 0 False False False False")


def test_the_email_channel_sends_through_djangos_mail_api(cast, mailoutbox):
    from notifications.channels import EmailChannel

    cast.community.email = "community@example.gov.cn"
    notification = type(
        "N", (), {"recipient": cast.community, "title": "标题", "body": "正文", "url": "/x"}
    )()
    EmailChannel().send(notification)
    assert [m.to for m in mailoutbox] == [["community@example.gov.cn"]]
    assert mailoutbox[0].from_email == settings.DEFAULT_FROM_EMAIL


def test_the_browser_guard_catches_what_the_policy_blocks(browser):
    """The journeys' guard (conftest ``browser``) sees a blocked inline script and a blocked inline style."""
    context = browser.new_context()
    page = context.new_page()
    page.route(
        "http://guard.test/",
        lambda route: route.fulfill(
            status=200,
            headers={
                "Content-Type": "text/html",
                "Content-Security-Policy": "script-src 'self'; style-src 'self'",
            },
            body="<p style='color: red'>x</p><script>document.title = 'ran'</script>",
        ),
    )
    page.goto("http://guard.test/")
    page.evaluate("() => new Promise(done => setTimeout(done))")  # the violation events have been sent
    assert page.title() != "ran"
    caught = list(browser.violations)
    browser.violations.clear()  # this test's own violations are the point; do not fail it at teardown
    assert any("script-src" in v for v in caught), caught
    assert any("style-src" in v for v in caught), caught
