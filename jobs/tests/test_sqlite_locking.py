"""The embedded database under the worker: an export runs in one thread while its progress page is
polled from another connection, as a browser does every two seconds. On SQLite this used to fail
("database is locked") every time: the export wrote its progress while its own read was still open.

The test database is a file (settings TEST NAME), and these tests commit (transaction=True), so
the threads' own connections see each other's rows as the web server and the worker would.
"""

import threading
import uuid

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test import Client
from django.urls import reverse

from conftest import build_cast
from jobs import actions, export_actions
from jobs.models import Job, JobKind, JobStatus
from people.models import Member

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's whole-file write lock; PostgreSQL locks rows and has no such failure",
)


def _many_members(cast, n: int) -> None:
    proto = Member.objects.filter(unit=cast.places.unit_a).first()
    fields = [f.attname for f in Member._meta.concrete_fields if f.attname != "id"]
    copies = []
    for i in range(n):
        values = {name: getattr(proto, name) for name in fields}
        values.update(public_id=uuid.uuid4(), id_number_hash=f"copy-{i}", phone_hash=f"copy-{i}")
        copies.append(Member(**values))
    Member.objects.bulk_create(copies, batch_size=500)


def _in_thread(target, errors: list) -> threading.Thread:
    def run():
        try:
            target()
        except Exception as exc:  # noqa: BLE001 — reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_an_export_finishes_while_its_progress_page_is_polled(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    cast = build_cast()
    _many_members(cast, 3000)
    monkeypatch.setattr(export_actions, "PROGRESS_EVERY", 20)  # many progress writes, many chances to collide
    job = Job.objects.create(
        kind=JobKind.EXPORT, created_by=cast.admin, params={"export": "members", "query": ""}
    )
    errors: list[Exception] = []
    worker = _in_thread(lambda: actions.run_job(job.pk), errors)
    client = Client()
    cast.login(client, "admin")  # every poll also writes: the session is saved on each request
    url = reverse("jobs:job_progress", args=[job.public_id])
    polls = 0
    while worker.is_alive() or polls == 0:
        try:
            assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
        except OperationalError as exc:
            errors.append(exc)
            break
        polls += 1
    worker.join()
    job.refresh_from_db()
    assert not errors, errors
    assert job.status == JobStatus.SUCCEEDED, job.summary
    assert job.summary["rows"] == Member.objects.count() and polls > 1


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_write_transactions_that_read_first_wait_for_each_other(cast):
    """Two workers each read the job and then write it, in one transaction, over and over. A deferred
    transaction that read before the other committed cannot take the write lock and fails at once;
    an immediate one takes it when it begins, waiting its turn."""
    job = Job.objects.create(kind=JobKind.EXPORT, created_by=cast.admin)
    errors: list[Exception] = []

    def read_then_write():
        for _ in range(100):
            with transaction.atomic():
                done = Job.objects.get(pk=job.pk).done
                Job.objects.filter(pk=job.pk).update(done=done + 1)

    workers = [_in_thread(read_then_write, errors) for _ in range(3)]
    for worker in workers:
        worker.join()
    assert not errors, errors
    assert Job.objects.get(pk=job.pk).done == 300  # and no update was lost
