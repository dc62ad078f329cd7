"""Tasks that raise are counted for the platform administrator (huey's error signal → TaskFailure)."""

import pytest
from django.urls import reverse
from huey.contrib.djhuey import HUEY, task

import jobs.tasks  # noqa: F401  (connects the error signal, as the worker's autodiscovery does)
from accounts.scope import scope_for
from gongjian.testing import id_number
from gongjian.work import items_for
from jobs.models import TaskFailure

NUMBER = id_number(9)


@task()
def explode(value: str) -> None:
    raise RuntimeError(f"cannot handle {value} / 13812345678")


def test_a_raising_task_is_recorded_masked(db):
    assert HUEY.immediate
    explode(NUMBER)
    failure = TaskFailure.objects.get()
    assert failure.task_name.endswith("explode") and failure.error_class == "builtins.RuntimeError"
    assert NUMBER not in failure.error_message and "13812345678" not in failure.error_message
    assert failure.error_message == f"cannot handle {NUMBER[:6]}********{NUMBER[-4:]} / 138****5678"


def test_failures_reach_the_platform_admins_home_only(cast, client):
    explode("x")
    [item] = [i for i in items_for(cast.admin, scope_for(cast.admin)) if i.key == "jobs.task_failures"]
    assert item.count == 1 and item.url == reverse("jobs:task_failures") and item.overdue
    assert not [i for i in items_for(cast.street, scope_for(cast.street)) if i.key == "jobs.task_failures"]
    cast.login(client, "admin")
    home = client.get(reverse("portal:home"))
    assert reverse("jobs:task_failures").encode() in home.content


def test_the_failure_list(cast, client, django_assert_max_num_queries):
    for n in range(3):
        explode(str(n))
    cast.login(client, "admin")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("jobs:task_failures"))
    assert page.status_code == 200
    assert page.content.count(b"builtins.RuntimeError") == 3


@pytest.mark.parametrize("who", ["orgdept", "street", "community", "member"])
def test_other_roles_are_refused(cast, client, who):
    cast.login(client, who)
    assert client.get(reverse("jobs:task_failures")).status_code == 403


def test_sign_in_needed(db, client):
    assert client.get(reverse("jobs:task_failures")).status_code == 302


def test_old_failures_and_gone_workers_heartbeats_are_pruned_by_the_heartbeat_task(db, settings):
    from datetime import timedelta

    from django.utils import timezone

    from jobs.models import WorkerHeartbeat

    settings.TASK_FAILURE_KEEP_DAYS = 30
    explode("old")
    explode("recent")
    old, recent = TaskFailure.objects.order_by("pk")
    TaskFailure.objects.filter(pk=old.pk).update(failed_at=timezone.now() - timedelta(days=31))
    WorkerHeartbeat.objects.create(worker="gone:1", beat_at=timezone.now() - timedelta(days=2))
    jobs.tasks.worker_heartbeat()
    assert list(TaskFailure.objects.all()) == [recent]
    assert not WorkerHeartbeat.objects.filter(worker="gone:1").exists()
    assert WorkerHeartbeat.objects.count() == 1  # this worker's own, just written
