"""A job whose worker dies: the heartbeat stops, the minute sweep fails the job within about two
minutes with a reason, it can be retried, and the import still writes all or nothing. A run that
lost its job (declared dead, then retried) can never overwrite it."""

import time
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jobs import actions, running, tasks
from jobs.models import Job, JobKind, JobStatus
from jobs.tests.conftest import row, upload, xlsx_bytes
from people.models import Member

NAMES = ["甲一", "乙二", "丙三"]


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the task catches it, and nothing after it runs."""


@pytest.fixture
def confirmed(cast, client):
    """A clean three-row roster, confirmed, its task not run yet (as if the worker had not picked it up)."""
    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(800 + n, name) for n, name in enumerate(NAMES)]))
    job = Job.objects.get(kind=JobKind.IMPORT_MEMBERS)
    assert job.status == JobStatus.PREVIEW
    client.post(reverse("jobs:job_confirm", args=[job.public_id]))  # its on-commit task never runs
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    return job


def _running(job, *, started_ago, beat_ago):
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=now - started_ago, heartbeat_at=now - beat_ago
    )


def test_a_job_whose_heartbeat_stopped_is_failed_then_retried_to_completion(
    cast, client, confirmed, run_on_commit
):
    _running(confirmed, started_ago=timedelta(minutes=5), beat_ago=timedelta(seconds=100))
    actions.sweep_jobs()
    job = Job.objects.get(pk=confirmed.pk)
    assert job.status == JobStatus.FAILED and "worker stopped" in job.summary["error"]
    assert job.errors[0]["message"] == job.summary["error"] and job.input_file
    page = client.get(reverse("jobs:job_detail", args=[job.public_id]))
    assert b"worker stopped" in page.content
    assert reverse("jobs:job_retry", args=[job.public_id]).encode() in page.content
    run_on_commit(client.post, reverse("jobs:job_retry", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.summary["new"] == 3
    assert Member.objects.filter(name__in=NAMES).count() == 3


def test_a_running_job_with_a_fresh_heartbeat_is_left_alone(confirmed):
    _running(confirmed, started_ago=timedelta(hours=3), beat_ago=timedelta(seconds=30))
    actions.sweep_jobs()
    assert Job.objects.get(pk=confirmed.pk).status == JobStatus.RUNNING


def test_a_check_whose_worker_died_can_be_run_again(cast, client, run_on_commit):
    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(810)]))
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, summary={})  # back before its check
    _running(job, started_ago=timedelta(minutes=3), beat_ago=timedelta(minutes=3))
    actions.sweep_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and actions.can_retry(job)
    run_on_commit(client.post, reverse("jobs:job_retry", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEW and job.summary["rows"] == 1 and job.attempts == 0


def test_an_import_killed_while_writing_leaves_nothing_and_can_be_retried(
    cast, client, confirmed, run_on_commit, monkeypatch
):
    real = actions.write_checked

    def dies_after_writing(**kwargs):
        real(**kwargs)
        raise WorkerKilled

    monkeypatch.setattr(actions, "write_checked", dies_after_writing)
    with pytest.raises(WorkerKilled):
        actions.run_job(confirmed.pk)
    job = Job.objects.get(pk=confirmed.pk)
    assert (
        job.status == JobStatus.RUNNING and job.summary["phase"] == "writing"
    )  # as a killed worker leaves it
    assert not Member.objects.filter(name__in=NAMES).exists()  # the rows written were rolled back too
    actions.sweep_jobs()
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING  # its heartbeat is still recent
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=91))
    actions.sweep_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "worker stopped" in job.summary["error"]
    monkeypatch.setattr(actions, "write_checked", real)
    run_on_commit(client.post, reverse("jobs:job_retry", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    assert Member.objects.filter(name__in=NAMES).count() == 3


def test_a_run_given_up_for_dead_cannot_overwrite_its_job(cast, confirmed, monkeypatch):
    real = actions.read_header  # the import's first step: the stored check

    def slow_check(*args, **kwargs):
        result = real(*args, **kwargs)
        # meanwhile the sweep failed the job and its owner retried it: another run holds it now
        Job.objects.filter(pk=confirmed.pk).update(status=JobStatus.QUEUED)
        return result

    monkeypatch.setattr(actions, "read_header", slow_check)
    actions.run_job(confirmed.pk)
    job = Job.objects.get(pk=confirmed.pk)
    assert job.status == JobStatus.QUEUED and job.errors == []  # neither succeeded nor failed by the old run
    assert "phase" not in job.summary or job.summary["phase"] != "writing"
    assert not Member.objects.filter(name__in=NAMES).exists()
    monkeypatch.setattr(actions, "read_header", real)
    actions.run_job(job.pk)  # the new run
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and Member.objects.filter(name__in=NAMES).count() == 3


def test_a_lost_lease_rolls_the_write_back(cast, confirmed):
    job = running.claim(confirmed.pk)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    with pytest.raises(running.JobSuperseded), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(title="written by the old run")
        running.update(job, status=JobStatus.SUCCEEDED)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.title != "written by the old run"


def test_the_sweep_runs_every_minute():
    for minute in (0, 1, 17, 59):
        assert tasks.sweep_jobs.s().validate_datetime(datetime(2025, 1, 1, 10, minute))  # noqa: DTZ001


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_beats_from_its_own_thread_until_the_run_ends(cast):
    job = Job.objects.create(kind=JobKind.EXPORT, created_by=cast.admin, params={"export": "units"})
    job = running.claim(job.pk)
    stale = timezone.now() - timedelta(minutes=5)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=stale)
    with running.heartbeat(job, every=0.05):
        deadline = time.monotonic() + 5
        while Job.objects.get(pk=job.pk).heartbeat_at == stale and time.monotonic() < deadline:
            time.sleep(0.02)
        assert Job.objects.get(pk=job.pk).heartbeat_at > stale
    ended = Job.objects.get(pk=job.pk).heartbeat_at
    time.sleep(0.2)
    assert Job.objects.get(pk=job.pk).heartbeat_at == ended  # the thread stopped with the run
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, heartbeat_at=stale)
    with running.heartbeat(job, every=0.05):
        time.sleep(0.3)
    assert Job.objects.get(pk=job.pk).heartbeat_at == stale  # a run that lost its job does not revive it
