import pytest
from django.urls import reverse

from jobs.models import Job, JobKind, JobStatus
from jobs.tests.conftest import row, upload, xlsx_bytes


@pytest.fixture
def preview(cast, client):
    """A clean roster preview uploaded by unit A's admin."""
    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(400, "预览")]))
    client.logout()
    return Job.objects.get(kind=JobKind.IMPORT_MEMBERS)


@pytest.mark.parametrize(
    "who,status",
    [
        ("unit", 200),
        ("admin", 200),
        ("street", 403),
        ("community", 403),
        ("member", 403),
        ("inspector", 403),
        ("nobody", 403),
    ],
)
def test_import_page_roles(cast, client, who, status):
    cast.login(client, who)
    assert client.get(reverse("jobs:import_members")).status_code == status
    assert client.get(reverse("jobs:roster_template")).status_code == status


def test_street_cannot_upload(cast, client):
    cast.login(client, "street")
    assert upload(client, xlsx_bytes([row(401)])).status_code == 403
    assert not Job.objects.exists()


def test_import_page_lists_recent_imports(cast, client, preview):
    cast.login(client, "unit")
    page = client.get(reverse("jobs:import_members"))
    assert reverse("jobs:job_detail", args=[preview.public_id]).encode() in page.content
    assert b'type="hidden" name="unit"' in page.content  # one unit: nothing to choose
    cast.login(client, "admin")
    assert b'<select name="unit"' in client.get(reverse("jobs:import_members")).content


def test_preview_page_offers_confirmation(cast, client, preview):
    cast.login(client, "unit")
    page = client.get(reverse("jobs:job_detail", args=[preview.public_id]))
    assert page.status_code == 200
    assert reverse("jobs:job_confirm", args=[preview.public_id]).encode() in page.content
    assert b"hx-get" not in page.content  # nothing to poll before confirmation


@pytest.mark.parametrize("name", ["job_detail", "job_progress", "job_download"])
def test_outsiders_get_404_on_job_pages(cast, client, preview, name):
    cast.login(client, "unit2")
    assert client.get(reverse(f"jobs:{name}", args=[preview.public_id])).status_code == 404


def test_outsider_cannot_confirm_or_retry(cast, client, preview, run_on_commit):
    cast.login(client, "unit2")
    assert (
        run_on_commit(client.post, reverse("jobs:job_confirm", args=[preview.public_id])).status_code == 404
    )
    assert client.post(reverse("jobs:job_retry", args=[preview.public_id])).status_code == 404
    cast.login(client, "street")
    assert client.post(reverse("jobs:job_confirm", args=[preview.public_id])).status_code == 403
    preview.refresh_from_db()
    assert preview.status == JobStatus.PREVIEW


def test_confirm_and_retry_are_post_only(cast, client, preview):
    cast.login(client, "unit")
    assert client.get(reverse("jobs:job_confirm", args=[preview.public_id])).status_code == 405
    assert client.get(reverse("jobs:job_retry", args=[preview.public_id])).status_code == 405


def test_confirm_twice_is_refused(cast, client, preview, run_on_commit):
    cast.login(client, "unit")
    run_on_commit(client.post, reverse("jobs:job_confirm", args=[preview.public_id]))
    preview.refresh_from_db()
    assert preview.status == JobStatus.SUCCEEDED
    response = client.post(reverse("jobs:job_confirm", args=[preview.public_id]), follow=True)
    assert response.status_code == 200 and Job.objects.get().attempts == 1
    # a succeeded job cannot be retried
    client.post(reverse("jobs:job_retry", args=[preview.public_id]))
    preview.refresh_from_db()
    assert preview.status == JobStatus.SUCCEEDED and preview.attempts == 1


def test_progress_partial_polls_while_running_and_refreshes_when_done(cast, client, preview):
    Job.objects.filter(pk=preview.pk).update(
        status=JobStatus.RUNNING, total=10, done=4, summary={"phase": "checking"}
    )
    cast.login(client, "unit")
    url = reverse("jobs:job_progress", args=[preview.public_id])
    partial = client.get(url, headers={"HX-Request": "true"})
    assert b'hx-trigger="every 2s"' in partial.content and b"40%" in partial.content
    assert "HX-Refresh" not in partial
    page = client.get(reverse("jobs:job_detail", args=[preview.public_id]))
    assert url.encode() in page.content
    Job.objects.filter(pk=preview.pk).update(status=JobStatus.SUCCEEDED)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true" and b"hx-trigger" not in done.content


def test_job_list_shows_own_jobs_only(cast, client, preview, django_assert_max_num_queries):
    for n in range(5):
        Job.objects.create(
            kind=JobKind.EXPORT, status=JobStatus.SUCCEEDED, created_by=cast.unit, title=f"e{n}"
        )
    Job.objects.create(kind=JobKind.EXPORT, created_by=cast.unit2, title="theirs")
    cast.login(client, "unit")
    with django_assert_max_num_queries(10):  # + the second factor's device (django-otp: a privileged session)
        page = client.get(reverse("jobs:job_list"))
    assert page.status_code == 200
    assert b"e4" in page.content and b"theirs" not in page.content
    cast.login(client, "admin")
    assert b"theirs" in client.get(reverse("jobs:job_list")).content


def test_job_list_needs_sign_in(client):
    response = client.get(reverse("jobs:job_list"))
    assert response.status_code == 302


def test_many_errors_are_paginated(cast, client):
    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(600 + n, 手机号="123") for n in range(60)]))
    job = Job.objects.get()
    assert len(job.errors) == 60
    url = reverse("jobs:job_detail", args=[job.public_id])
    first, second = client.get(url), client.get(url, {"page": 2})
    assert first.content.count(b'<td class="gj-num">') == 50
    assert second.content.count(b'<td class="gj-num">') == 10 and b"1 / 2" not in second.content


def test_import_job_has_nothing_to_download(cast, client, preview):
    cast.login(client, "unit")
    assert client.get(reverse("jobs:job_download", args=[preview.public_id])).status_code == 404


def test_export_button_keeps_the_list_filters(rf):
    from django.template.loader import render_to_string

    request = rf.get("/members/", {"q": "张", "status": "full"})
    html = render_to_string("parts/export_button.html", {"export": "members"}, request=request)
    assert 'href="/exports/members/?q=%E5%BC%A0&amp;status=full"' in html
    given = render_to_string("parts/export_button.html", {"export": "areas", "query": ""}, request=request)
    assert 'href="/exports/areas/"' in given
