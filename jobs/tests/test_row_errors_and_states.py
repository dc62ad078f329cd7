"""A roster row's problems are reported all at once, and a checked file with errors says so (issue 9)."""

from django.urls import reverse

from jobs.models import Job, JobStatus
from jobs.tests.conftest import row, upload, xlsx_bytes


def _job():
    return Job.objects.latest("created_at")


def _by_row(job):
    found: dict[int, list[tuple[str, str]]] = {}
    for error in job.errors:
        found.setdefault(error["row"], []).append((error["column"], error["message"]))
    return found


def test_a_row_with_three_errors_reports_all_three(cast, client):
    rows = [
        row(130),  # 2: clean
        # 3: a malformed phone and status (read from the cell) and an unknown organisation (looked up)
        row(131, 手机号="12345", 党员状态="群众", 所在党组织编码="NOPE"),
    ]
    cast.login(client, "unit")
    upload(client, xlsx_bytes(rows))
    job = _job()
    errors = _by_row(job)
    assert sorted(column for column, _ in errors[3]) == ["党员状态", "所在党组织编码", "手机号"]
    assert 2 not in errors
    assert job.summary == {"rows": 2, "new": 1, "updates": 0, "errors": 3}
    page = client.get(reverse("jobs:job_detail", args=[job.public_id])).content.decode()
    for _column, message in errors[3]:
        assert message in page
    assert "Unknown party organisation code." in page


def test_every_lookup_of_a_wrong_row_is_still_made(cast, client):
    rows = [
        # a formula in the name, another unit's organisation, an unknown community
        row(132, 姓名="=1+1", 所在党组织编码="U2", 居住社区代码="350802009999"),
        # a wrong date, and a compound that is not in the (known) community
        row(133, 入党日期="2020-13-45", 居住小区="不存在小区"),
        # a member of unit B (the ID is looked up) with a bad phone; and a malformed community code alone
        row(3, "王五", 手机号="123"),
        row(134, 居住社区代码="3508"),
    ]
    cast.login(client, "unit")
    upload(client, xlsx_bytes(rows))
    errors = {n: sorted(c for c, _ in found) for n, found in _by_row(_job()).items()}
    assert errors == {
        2: ["姓名", "居住社区代码", "所在党组织编码"],
        3: ["入党日期", "居住小区"],
        4: ["手机号", "身份证号"],
        5: ["居住社区代码"],  # once: a malformed code is not also reported as unknown
    }


def test_a_file_with_errors_is_not_labelled_awaiting_confirmation(cast, client):
    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(140, 手机号="123")]))
    bad = _job()
    upload(client, xlsx_bytes([row(141)]))
    clean = _job()
    assert bad.status == clean.status == JobStatus.PREVIEW
    assert bad.has_errors and not clean.has_errors
    assert bad.status_label == "Has errors: correct and upload again"
    assert clean.status_label == "Awaiting confirmation"
    for url in (reverse("jobs:job_detail", args=[bad.public_id]), reverse("jobs:job_list")):
        page = client.get(url).content.decode()
        assert "Has errors: correct and upload again" in page
    page = client.get(reverse("jobs:job_detail", args=[bad.public_id])).content.decode()
    assert "Awaiting confirmation" not in page
    recent = client.get(reverse("jobs:import_members")).content.decode()
    assert recent.count("Has errors: correct and upload again") == 1
    assert recent.count("Awaiting confirmation") == 1
    # a job that ran is labelled by its status alone, whatever its errors
    bad.status = JobStatus.FAILED
    assert not bad.has_errors and bad.status_label == "Failed"


def test_the_import_page_and_the_template_point_to_the_community_codes(cast, client):
    from jobs.roster import COLUMNS

    cast.login(client, "unit")
    page = client.get(reverse("jobs:import_members")).content.decode()
    assert page.count(f'href="{reverse("places:community_lookup")}"') == 2
    note = next(str(c.note) for c in COLUMNS if c.key == "community_code")
    assert "Community codes" in note
