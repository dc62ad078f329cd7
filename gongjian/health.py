"""/health/ for the load balancer and monitoring (django-health-check): database, cache, storage,
migrations applied, the Redis queue when configured, and a worker's heartbeat. No sign-in; the answer
names checks and says OK or what failed, never a host's password or a setting's value.
``/health/?format=json`` for machines; 200 when all pass, 500 otherwise."""

from __future__ import annotations

import dataclasses
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Fails while migrations are unapplied (an upgrade half done): the code expects a newer schema."""

    alias: str = DEFAULT_DB_ALIAS

    async def run(self) -> None:
        # In the request's own thread, on its own connection (no connection left open in a pool thread).
        plan = await sync_to_async(self.unapplied, thread_sensitive=True)()
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied: run `gongjian migrate`")

    def unapplied(self) -> list[Any]:
        executor = MigrationExecutor(connections[self.alias])
        return executor.migration_plan(executor.loader.graph.leaf_nodes())


def checks() -> list[Any]:
    """The checks /health/ runs, for this configuration."""
    found: list[Any] = [
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
        MigrationsApplied,
        "jobs.health.WorkerHeartbeatCheck",
    ]
    if settings.HUEY_REDIS_URL:
        from redis.asyncio import Redis

        url = settings.HUEY_REDIS_URL
        found.append(("health_check.contrib.redis.Redis", {"client_factory": lambda: Redis.from_url(url)}))
    return found
