"""/health/ (gongjian/health.py): what the load balancer asks; no sign-in, no secrets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongjian.health import MigrationsApplied
from jobs.models import WorkerHeartbeat


def health(client):
    return client.get("/health/?format=json")


def test_all_checks_pass_with_a_live_worker(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    WorkerHeartbeat.objects.create(worker="host:1", beat_at=timezone.now())
    response = health(client)
    assert response.status_code == 200, response.content
    checks = response.json()
    assert set(checks.values()) == {"OK"}
    assert {name.split("(")[0] for name in checks} == {
        "Database",
        "Cache",
        "Storage",
        "MigrationsApplied",
        "WorkerHeartbeatCheck",
    }
    assert "no-cache" in response["Cache-Control"]


def test_a_silent_worker_fails_the_check(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = health(client)
    assert response.status_code == 500
    assert response.json()["WorkerHeartbeatCheck()"] == "Unavailable: no worker has ever reported"
    WorkerHeartbeat.objects.create(worker="host:1", beat_at=timezone.now() - timedelta(minutes=6))
    response = health(client)
    assert (
        response.status_code == 500
        and "no worker heartbeat for 36" in response.json()["WorkerHeartbeatCheck()"]
    )


def test_unapplied_migrations_fail_the_check(db, client, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    WorkerHeartbeat.objects.create(worker="host:1", beat_at=timezone.now())
    monkeypatch.setattr(MigrationsApplied, "unapplied", lambda self: ["jobs.0099"])
    response = health(client)
    assert response.status_code == 500
    assert response.json()["MigrationsApplied(alias='default')"] == (
        "Unavailable: 1 migration(s) not applied: run `gongjian migrate`"
    )


def test_the_redis_queue_is_checked_when_configured(settings):
    from gongjian.health import checks

    settings.HUEY_REDIS_URL = "redis://:secret@127.0.0.1:6379/15"
    found = checks()
    redis_check, options = found[-1]
    assert redis_check == "health_check.contrib.redis.Redis"
    from health_check.contrib.redis import Redis

    assert "secret" not in repr(Redis(**options))


@pytest.mark.parametrize("path", ["/health/", "/health/?format=json"])
def test_no_sign_in_and_no_secrets(db, client, settings, tmp_path, path):
    settings.MEDIA_ROOT = tmp_path
    response = client.get(path)
    assert response.status_code in (200, 500)
    body = response.content.decode()
    assert settings.SECRET_KEY not in body and settings.DATABASES["default"]["NAME"] not in body
