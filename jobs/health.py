"""Health checks of the worker for /health/ (django-health-check): is a worker alive?"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from jobs.models import WorkerHeartbeat


@dataclasses.dataclass
class WorkerHeartbeatCheck(HealthCheck):
    """Fails when no worker has written its heartbeat within WORKER_HEARTBEAT_MAX_AGE: imports, exports
    and reminders would wait forever."""

    async def run(self) -> None:
        # In the request's own thread, on its own connection (no connection left open in a pool thread).
        newest = await sync_to_async(self.newest_beat, thread_sensitive=True)()
        if newest is None:
            raise ServiceUnavailable("no worker has ever reported")
        age = timezone.now() - newest
        if age > settings.WORKER_HEARTBEAT_MAX_AGE:
            raise ServiceUnavailable(f"no worker heartbeat for {int(age.total_seconds())} s")

    def newest_beat(self) -> datetime | None:
        return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
