"""The checks of the production smoke test (.ci/smoke), against a running Gongjian; standard library only.

    python .ci/smoke_check.py http://127.0.0.1:8199     the HTTP checks
    python .ci/smoke_check.py --logs web.log worker.log  every log line is JSON, no unmasked number

Every request says it came through the TLS proxy (X-Forwarded-Proto: https), as nginx says it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import re
import ssl
import struct
import sys
import time
import urllib.error
import urllib.request
import zipfile
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin

USER, PASSWORD = "community", "gongjian-demo"  # a demo account (gongjian demo-accounts)
PRIVILEGED = "orgdept"  # needs a second factor (accounts.roles.SECOND_FACTOR_ROLES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID_OR_PHONE = re.compile(r"(?<!\d)(\d{17}[\dXx]|1[3-9]\d{9})(?!\d)")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A browser's cookie handling by hand: the session cookie is Secure, and this client speaks plain
    HTTP to gunicorn behind what would be nginx's TLS (urllib's cookie jar would withhold it)."""

    def __init__(self, base: str, behind_tls: bool = True) -> None:
        self.base = base
        self.behind_tls = behind_tls
        self.cookies: dict[str, str] = {}
        # Through nginx: TLS checked against the certificate the smoke made (SMOKE_CAFILE).
        tls = ssl.create_default_context(cafile=os.environ.get("SMOKE_CAFILE") or None)
        self.opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=tls))

    def request(self, path: str, *, data: bytes | None = None, headers: dict | None = None):
        url = urljoin(self.base, path)
        sent = {"Accept": "text/html,*/*", **(headers or {})}
        if url.startswith("http://") and self.behind_tls:
            sent["X-Forwarded-Proto"] = "https"  # gunicorn straight, as if nginx had terminated TLS
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        method = "POST" if data is not None else "GET"
        req = urllib.request.Request(url, data=data, headers=sent, method=method)  # noqa: S310 (http base given)
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        body = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, body


def check(condition: bool, what: str, detail: object = "") -> None:
    if not condition:
        raise SystemExit(f"FAIL: {what} {str(detail)[:800]}")
    print(f"ok   {what}")


def wait_healthy(client: Client, timeout: float = 60) -> dict:
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            status, _, body = client.request("/health/?format=json", headers={"Accept": "application/json"})
            last = (status, body[:500])
            if status == 200:
                return json.loads(body)
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(1)
    raise SystemExit(f"FAIL: /health/ did not answer 200 within {timeout:.0f} s: {last}")


def csrf_token(html: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    check(found is not None, "the sign-in form carries a CSRF token")
    return found.group(1).decode()


def post_form(client: Client, origin: str, path: str, page: bytes, fields: dict):
    """Post a form as the browser would from ``page`` (its CSRF token), over what nginx calls HTTPS."""
    form = urlencode({"csrfmiddlewaretoken": csrf_token(page), **fields}).encode()
    return client.request(
        path,
        data=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": origin + path,
        },
    )


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits) from the key typed off the enrolment page: what a phone computes."""
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((at or time.time()) // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def privileged_checks(base: str) -> None:
    """An organisation-department official: the password alone opens nothing; enrolling an authenticator
    (its key read off the page, the code computed as a phone would) shows the recovery codes and then home."""
    origin = "https://" + base.split("://", 1)[1].rstrip("/")
    web = Client(base)
    _, _, html = web.request("/accounts/login/")
    status, headers, body = post_form(
        web, origin, "/accounts/login/", html, {"username": PRIVILEGED, "password": PASSWORD}
    )
    check(status == 302, f"password accepted for {PRIVILEGED}", (status, body[:300]))
    status, headers, _ = web.request("/members/")
    check(
        status == 302 and "/accounts/second-factor/" in headers.get("Location", ""),
        "with the password alone, a privileged user is sent to the second factor",
        (status, headers.get("Location")),
    )
    status, _, page = web.request("/accounts/second-factor/enrol/")
    secret = re.search(rb'id="otp-secret">\s*([A-Z2-7 ]+?)\s*<', page)
    check(status == 200 and secret is not None, "the enrolment page shows the key", status)
    status, _, body = post_form(
        web, origin, "/accounts/second-factor/enrol/", page, {"code": totp(secret.group(1).decode())}
    )
    check(
        status == 200 and b"gj-recovery-codes" in body, "enrolled; the recovery codes are shown once", status
    )
    status, _, _ = web.request("/members/")
    check(status == 200, "after the second factor, the members list opens", status)


def http_checks(base: str) -> None:
    origin = "https://" + base.split("://", 1)[1].rstrip("/")
    web = Client(base)

    checks = wait_healthy(web)
    check(all(v == "OK" for v in checks.values()), "/health/ 200, every check OK", checks)
    check(
        any(k.startswith("WorkerHeartbeat") for k in checks), "/health/ checks the worker's heartbeat", checks
    )
    check(any(k.startswith("Redis") for k in checks), "/health/ checks the Redis queue", checks)

    plain = os.environ.get("SMOKE_HTTP_URL")
    if plain:
        status, headers, _ = Client(plain, behind_tls=False).request("/members/")
        check(
            status == 301 and headers.get("Location", "").startswith("https://"),
            "plain HTTP is sent to HTTPS by nginx",
            (status, headers.get("Location")),
        )
    status, headers, _ = web.request("/")
    check(
        status == 302 and "/accounts/login/" in headers.get("Location", ""),
        "signed out, home sends to sign-in",
    )
    status, headers, html = web.request("/accounts/login/")
    check(status == 200, "the sign-in page", status)
    status, headers, body = post_form(
        web, origin, "/accounts/login/", html, {"username": USER, "password": PASSWORD}
    )
    check(status == 302, f"signed in as {USER} through the form", (status, body[:300]))
    check("sessionid" in web.cookies, "a session cookie")

    status, headers, home = web.request("/")
    check(status == 200, "home 200", status)
    check(bool(headers.get("X-Request-ID")), "responses carry X-Request-ID")
    status, _, _ = web.request("/members/")
    check(status == 200, "members list 200", status)

    # The security headers (Django's SecurityMiddleware and the CSP if configured).
    check("max-age=" in (headers.get("Strict-Transport-Security") or ""), "HSTS", dict(headers))
    check(headers.get("X-Content-Type-Options") == "nosniff", "X-Content-Type-Options: nosniff")
    check(bool(headers.get("Referrer-Policy")), "Referrer-Policy", dict(headers))
    check(headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), "X-Frame-Options")
    csp = headers.get("Content-Security-Policy") or ""
    check("script-src" in csp and "unsafe-inline" not in csp, "CSP without inline script or style", csp)

    asset = re.search(rb'(?:src|href)="(/static/[^"]+\.(?:css|js))"', home)
    check(asset is not None, "the home page links a static asset")
    status, headers, _ = web.request(asset.group(1).decode())
    cache = headers.get("Cache-Control") or ""
    check(status == 200 and "max-age=" in cache, f"static asset {asset.group(1).decode()} 200, cached", cache)
    if base.startswith("https://"):
        check("immutable" in cache, "static files served by nginx from the collected files", cache)

    status, _, body = web.request("/no-such-page/")
    check(status == 404, "a missing page answers 404", status)
    check(
        b"gj-error" in body and b"URLconf" not in body and b"Traceback" not in body, "the product's 404 page"
    )

    api = Client(base)
    status, _, body = api.request(
        "/api/v1/auth/token",
        data=json.dumps({"username": USER, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    check(status == 200, "API token", (status, body[:300]))
    token = json.loads(body)["token"]
    status, _, body = api.request("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    check(status == 200 and json.loads(body)["username"] == USER, "API /api/v1/me", body[:300])

    status, headers, _ = web.request("/exports/members/")
    job_url = headers.get("Location", "")
    check(
        status == 302 and re.match(r"^/jobs/[0-9a-f-]{36}/$", job_url) is not None,
        "members export queued",
        job_url,
    )
    deadline = time.monotonic() + 60
    download = job_url + "download/"
    while time.monotonic() < deadline:
        status, _, page = web.request(job_url + "progress/")
        if download.encode() in page:
            break
        time.sleep(1)
    else:
        raise SystemExit("FAIL: the worker did not finish the export within 60 s")
    check(True, "the worker finished the export")
    status, headers, content = web.request(download)
    check(status == 200 and headers.get("Content-Type") == XLSX, "export download", (status, dict(headers)))
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    check("xl/workbook.xml" in names, "the export is a real xlsx", names[:5])


def log_checks(paths: list[str]) -> None:
    lines = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    raise SystemExit(f"FAIL: {path}:{n} is not a JSON line: {line[:200]}") from None
                check_fields = {"time", "level", "logger", "message", "request_id", "user_id"}
                if not check_fields <= set(record):
                    raise SystemExit(f"FAIL: {path}:{n} lacks {check_fields - set(record)}")
                if ID_OR_PHONE.search(line):
                    raise SystemExit(f"FAIL: {path}:{n} carries an unmasked number: {line[:200]}")
                lines += 1
    check(
        lines > 0, f"{lines} log lines: JSON, with time, level, logger, request and user ids, numbers masked"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--logs"]:
        log_checks(sys.argv[2:])
    else:
        http_checks(sys.argv[1])
        privileged_checks(sys.argv[1])
