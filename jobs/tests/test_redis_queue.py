"""The production path of the task queue: huey on Redis. A real export job is queued into Redis by the
code the export button runs, taken off the queue by a consumer's loop (dequeue → execute) and its
result file checked. Redis is at 127.0.0.1:6379, database 1 (REDIS_TEST_URL to change); without it
the test is skipped on a developer's machine and FAILS under CI=true."""

import io
import os
import uuid
import zipfile

import pytest
from django.http import QueryDict
from huey import RedisHuey
from huey.contrib.djhuey import HUEY
from redis import Redis
from redis.exceptions import RedisError

from conftest import build_cast
from jobs import export_actions
from jobs.exports import get_spec
from jobs.models import Job, JobStatus

URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/1")


@pytest.fixture
def redis_queue(monkeypatch):
    try:
        Redis.from_url(URL, socket_connect_timeout=2).ping()
    except RedisError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required under CI=true and is not reachable at {URL}: {exc}")
        pytest.skip(f"no Redis at {URL}")
    redis_huey = RedisHuey(f"gongjian-test-{uuid.uuid4().hex[:8]}", url=URL)
    # The project's huey (the one the tasks are registered on) with Redis storage, not immediate.
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", redis_huey.storage)
    yield redis_huey.storage
    redis_huey.storage.flush_all()


@pytest.mark.django_db(transaction=True)
def test_an_export_runs_through_redis(redis_queue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_INLINE_MAX_ROWS = 0
    cast = build_cast()
    job = export_actions.export_list(acting_user=cast.street, spec=get_spec("members"), query=QueryDict(""))
    assert isinstance(job, Job)
    assert HUEY.pending_count() == 1  # in Redis, waiting for a worker
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED

    executed = 0
    while (task := HUEY.dequeue()) is not None:  # what a consumer's worker does
        HUEY.execute(task)
        executed += 1
    assert executed == 1 and HUEY.pending_count() == 0

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.errors
    with job.result_file.open("rb") as f:
        content = f.read()
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert job.summary["rows"] == job.total > 0
