"""Writes about the worker itself: its heartbeat, and the failures of tasks that raised."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from gongjian.privacy import mask_numbers_in_text
from jobs.models import TaskFailure, WorkerHeartbeat

MESSAGE_MAX_CHARS = 2000


def worker_name() -> str:
    """This worker process: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def record_heartbeat(*, worker: str) -> WorkerHeartbeat:
    """The worker is alive now."""
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"beat_at": timezone.now()}
    )
    return beat


def record_task_failure(*, task_name: str, task_id: str, error: BaseException) -> TaskFailure:
    """A task raised: keep its name, the time, and the error's class and masked message."""
    return TaskFailure.objects.create(
        task_name=task_name[:200],
        task_id=task_id[:64],
        failed_at=timezone.now(),
        error_class=f"{type(error).__module__}.{type(error).__qualname__}"[:200],
        error_message=mask_numbers_in_text(str(error))[:MESSAGE_MAX_CHARS],
    )


HEARTBEAT_KEEP = timedelta(days=1)


def prune_worker_records() -> tuple[int, int]:
    """Forget what no one will read again: failures older than TASK_FAILURE_KEEP_DAYS, and the heartbeat
    rows of workers gone for a day (each start adds a row under a new process id). Returns the counts."""
    now = timezone.now()
    failures, _ = TaskFailure.objects.filter(
        failed_at__lt=now - timedelta(days=settings.TASK_FAILURE_KEEP_DAYS)
    ).delete()
    beats, _ = WorkerHeartbeat.objects.filter(beat_at__lt=now - HEARTBEAT_KEEP).delete()
    return failures, beats
