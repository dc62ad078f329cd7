"""Background tasks (huey). djhuey finds this module by name; the work itself lives in jobs.actions."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jobs import actions


@db_task()
def run_job(job_id: int) -> None:
    """Run a queued import or export job; failures end up on the job, not in the queue."""
    actions.run_job(job_id)


@db_periodic_task(crontab())
def sweep_jobs() -> None:
    """Every minute: fail jobs whose worker stopped beating (within about two minutes of its death,
    so they can be retried), and delete uploaded rosters (full ID and phone numbers) no longer needed."""
    actions.sweep_jobs()
