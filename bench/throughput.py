"""Authenticated list API throughput at street level: wrk on loopback against gunicorn, the street's
``/api/v1/members`` beside ``/api/v1/me`` (the cheapest authenticated answer) in the same run.

gunicorn runs as docs/DEPLOY.md runs it (deploy/gunicorn.conf.py, 2 gthread workers of 4 threads,
DEBUG=0, persistent connections, the cache on Redis db 14) on a free 127.0.0.1 port; the tier's rows
were encrypted with the development keys, so those are passed explicitly (DEBUG stays off). Requests
carry a bearer token (accounts.actions.issue_api_token) and ``X-Forwarded-Proto: https``, as nginx
sends them. wrk: 2 threads, 8 connections, a bounded duration per URL. wrk comes from apt
(``apt-get install -y wrk``) when missing.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from measure import THROUGHPUT_SHARE, Row

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/14"
LIST_URL = "/api/v1/members"
ME_URL = "/api/v1/me"


def requests_per_second(wrk_output: str) -> float:
    """wrk's ``Requests/sec:`` figure; refuses output with errors or non-2xx answers."""
    if "Non-2xx or 3xx responses" in wrk_output:
        raise RuntimeError("wrk saw non-2xx answers")
    found = re.search(r"Requests/sec:\s+([\d.]+)", wrk_output)
    if found is None:
        raise RuntimeError("no Requests/sec in wrk's output")
    return float(found.group(1))


def ensure_wrk() -> str:
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)  # noqa: S607
    return shutil.which("wrk") or "wrk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, port: int, var_dir: str) -> dict[str, str]:
    """Production's environment (.ci/smoke), with the keys the tier's numbers were encrypted with."""
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DEBUG="0",
        GONGJIAN_TESTING="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        FIELD_HASH_KEY=settings.FIELD_HASH_KEY,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        DATABASE_URL=database_url,
        HUEY_REDIS_URL=REDIS_URL,
        CACHE_REDIS_URL=REDIS_URL,
        GONGJIAN_VAR_DIR=var_dir,
        MEDIA_ROOT=f"{var_dir}/media",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TRUST_X_FORWARDED_PROTO="1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="4",
        DB_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def get(url: str, token: str) -> int:
    request = urllib.request.Request(  # noqa: S310 — loopback only
        url, headers={"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def wait_until_up(base: str, token: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            lines = [line for line in log.read_text().splitlines() if "Error" in line or "rror:" in line]
            raise RuntimeError("gunicorn exited: " + " / ".join(lines[-3:])[-400:])
        try:
            status = get(base + ME_URL, token)
        except OSError:
            status = 0
        if status == 200:
            return
        if status:
            raise RuntimeError(f"{ME_URL} answered {status}: " + log.read_text()[-300:])
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within 60 s")


def wrk(binary: str, url: str, token: str, seconds: int) -> float:
    headers = ["-H", f"Authorization: Bearer {token}", "-H", "X-Forwarded-Proto: https"]
    out = subprocess.run(  # noqa: S603
        [binary, "-t2", "-c8", f"-d{seconds}s", *headers, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    return requests_per_second(out.stdout)


def run(database_url: str, user, *, seconds: int) -> list[Row]:
    from django.db import connections

    from accounts.actions import issue_api_token

    binary = ensure_wrk()
    token = issue_api_token(acting_user=user)
    connections.close_all()
    port = free_port()
    var_dir = ROOT / "var" / "bench" / "server"  # kept: collectstatic is quick the second time
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(database_url, port, str(var_dir))
    subprocess.run(  # noqa: S603 — production serves collected static files (the manifest)
        [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log = var_dir / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"), "gongjian.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, token, process, log)
        status = get(base + LIST_URL, token)
        if status != 200:
            raise RuntimeError(f"{LIST_URL} answered {status}")
        wrk(binary, base + ME_URL, token, 2)  # warm both workers: imports, connections, caches
        wrk(binary, base + LIST_URL, token, 2)
        me = wrk(binary, base + ME_URL, token, seconds)
        listed = wrk(binary, base + LIST_URL, token, seconds)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    share = listed / me if me else None
    return [
        Row(
            "throughput · street members API (wrk)",
            measured=f"{listed:.0f} req/s",
            baseline=f"{me:.0f} req/s ({ME_URL})",
            ratio=share,
            target=f"≥ {THROUGHPUT_SHARE:.0%} of /me",
            ok=share is not None and share >= THROUGHPUT_SHARE,
            note=f"wrk {seconds} s each, 2 threads × 8 connections; gunicorn 2 workers × 4 threads",
        )
    ]
