"""Background tasks (huey). djhuey finds this module by name; the work itself lives in jobs.actions."""

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, on_startup, signal
from huey.signals import SIGNAL_ERROR

from jobs import actions, worker_actions


@db_task()
def run_job(job_id: int) -> None:
    """Run a queued import or export job; failures end up on the job, not in the queue."""
    actions.run_job(job_id)


@db_periodic_task(crontab())
def sweep_jobs() -> None:
    """Every minute: fail jobs whose worker stopped beating (within about two minutes of its death,
    so they can be retried), and delete uploaded rosters (full ID and phone numbers) no longer needed."""
    actions.sweep_jobs()


@db_periodic_task(crontab())
def worker_heartbeat() -> None:
    """Every minute: the worker is alive (read by /health/, gongjian/health.py); old failure and
    heartbeat rows are pruned."""
    worker_actions.record_heartbeat(worker=worker_actions.worker_name())
    worker_actions.prune_worker_records()


@on_startup()
def heartbeat_on_start() -> None:
    """A worker that just started is alive at once, not only at the next minute."""
    worker_actions.record_heartbeat(worker=worker_actions.worker_name())
    close_old_connections()


@signal(SIGNAL_ERROR)
def count_failure(signal_name, task, exc=None) -> None:
    """Any task that raised (every app's tasks): recorded for the platform administrator. Runs in the
    worker's thread after the task's own database work was closed (as djhuey's db_task does)."""
    worker_actions.record_task_failure(task_name=task.name, task_id=str(task.id), error=exc or Exception())
    if not HUEY.immediate:
        close_old_connections()
