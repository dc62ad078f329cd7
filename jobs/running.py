"""A job while it runs: claiming it, its progress and heartbeat, finishing or failing it, and
noticing runs whose worker died.

A run holds its job on a lease: the row says ``running`` with the ``started_at`` its claim wrote.
Every later write of the run is conditional on that lease, so a run that was given up for dead
(and perhaps retried since) can never overwrite what the newer run or the sweep wrote: its writes
match no row and it stops with ``JobSuperseded``, its transaction rolled back.

The heartbeat comes from a side thread on its own database connection, because the run's own
writes may sit in a long uncommitted transaction (an import writes all its rows in one). A worker
that is killed stops beating; ``fail_stalled_jobs``, run every minute, fails a job whose heartbeat
is older than ``STALE_AFTER`` with a message that says so, and the job can then be retried.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jobs.models import Job, JobKind, JobStatus

log = logging.getLogger(__name__)
HEARTBEAT_EVERY = 20.0  # seconds between beats
STALE_AFTER = timedelta(seconds=90)  # no beat for this long: the worker is gone


# Job kinds run by apps above jobs (golive's set-up imports): kind -> run(job). The app registers its
# runner in its AppConfig.ready; jobs.actions.run_job hands such a job to it.
RUNNERS: dict[str, Callable[[Job], None]] = {}


def register_runner(kind: str, run: Callable[[Job], None]) -> None:
    """Let ``jobs.actions.run_job`` run jobs of ``kind`` with ``run`` (claimed, heartbeat and failure as usual)."""
    RUNNERS[kind] = run


class JobAborted(Exception):
    """The job cannot finish; its message (and row errors, if any) go on the job."""

    def __init__(self, message: str, row: int | None = None, errors: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or [{"row": row, "column": "", "message": str(message)}]


class JobSuperseded(Exception):
    """This run lost its lease (it was declared stalled, or retried): its work is thrown away."""


def enqueue(job: Job) -> None:
    """Queue the job's task once the current transaction commits (the worker never sees it earlier)."""
    from jobs.tasks import run_job

    transaction.on_commit(lambda: run_job(job.pk))


def counts_as_attempt(job: Job) -> bool:
    """An export run, or an import run after confirmation; checking an upload is not an attempt."""
    return job.kind == JobKind.EXPORT or bool(job.params.get("confirmed"))


def claim(job_id: int) -> Job | None:
    """Move a queued job to running and take its lease; None if it is not queued (taken, cancelled)."""
    job = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
    if job is None:
        return None
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + int(counts_as_attempt(job)),
    )
    if not claimed:
        return None
    return Job.objects.select_related("created_by").get(pk=job_id)


def leased(job: Job):
    """The job's row, if this run still holds it."""
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, started_at=job.started_at)


def update(job: Job, **fields) -> None:
    """Write fields of a running job (and mirror them on ``job``); JobSuperseded if the lease is gone."""
    if not leased(job).update(**fields):
        raise JobSuperseded(str(job.public_id))
    for name, value in fields.items():
        setattr(job, name, value)


def finish(job: Job, **fields) -> None:
    """End the run: write its final fields (a status among them) and clear its heartbeat."""
    update(job, heartbeat_at=None, **fields)


def progress(job: Job, phase: str) -> Callable[[int], None]:
    """Start a phase ("reading", "checking", "writing"); returns ``report(done)`` for its rows."""
    update(job, summary={**job.summary, "phase": phase}, done=0)

    def report(done: int) -> None:
        update(job, done=done)

    return report


def fail(job: Job, message: str, errors: list[dict] | None = None) -> bool:
    """Record the run's failure on the job; False if the run no longer holds it."""
    fields = {
        "status": JobStatus.FAILED,
        "finished_at": timezone.now(),
        "errors": errors or [{"row": None, "column": "", "message": str(message)}],
        "summary": {**job.summary, "error": str(message), "phase": ""},
    }
    try:
        finish(job, **fields)
    except JobSuperseded:
        return False
    return True


@contextmanager
def heartbeat(job: Job, every: float = HEARTBEAT_EVERY) -> Iterator[None]:
    """Stamp the job's heartbeat every ``every`` seconds from a side thread while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    leased(job).update(heartbeat_at=timezone.now())
                except DatabaseError as exc:  # e.g. SQLite busy behind the run's own write: beat again later
                    log.warning("heartbeat of job %s not written: %s", job.public_id, exc)
        finally:
            connections.close_all()  # this thread's own connection; it must not outlive the thread

    thread = threading.Thread(target=beat, name=f"job-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def fail_stalled_jobs() -> list[Job]:
    """Fail running jobs whose worker stopped beating; they can then be retried."""
    cutoff = timezone.now() - STALE_AFTER
    stalled = Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    failed = []
    for job in stalled:
        with translation.override(job.params.get("lang") or settings.LANGUAGE_CODE):
            message = (
                _("The worker stopped while running this job.") + " " + _("Nothing was written; retry it.")
            )
            if fail(job, message):
                failed.append(job)
    return failed
