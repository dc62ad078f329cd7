"""Each set-up sheet: its happy path, row-numbered errors, nothing half-imported, re-import updating,
parents missing, and who may import it."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role, RoleGrant, User
from audit.models import AuditEvent
from conftest import _id
from golive.catalogue import SHEETS
from golive.tests.conftest import errors_of, headers
from gongjian.privacy import keyed_hash
from jobs.models import JobStatus
from jobs.roster import NOTES_MARKER
from orgs.models import PartyOrg, Unit
from people.models import Member, Resident
from places.models import Building, Compound, Grid

UNIT = {
    "单位名称": "龙岩新材料有限公司",
    "统一社会信用代码": "91350800MA2XXXXX1Y",
    "单位类型": "非公企业",
    "所在区划代码": "350802001002",
}


@pytest.mark.parametrize("key", sorted(SHEETS))
def test_templates_have_chinese_headers_and_a_notes_row(cast, client, key):
    cast.login(client, "admin")
    response = client.get(reverse("golive:template", args=[key]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == headers(key)
    assert sheet[2][0].value.startswith(NOTES_MARKER) and sheet.max_row == 2
    text = client.get(reverse("golive:template", args=[key]) + "?format=csv").content.decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == headers(key) and NOTES_MARKER in text.splitlines()[1]


def test_units_happy_path_then_reimport_updates(cast, client, send):
    cast.login(client, "admin")
    job = send(
        "units",
        [UNIT, {**UNIT, "单位名称": "龙岩文旅社", "统一社会信用代码": "", "单位类型": "社会组织"}],
        confirm=True,
    )
    assert job.status == JobStatus.SUCCEEDED and job.summary["new"] == 2
    unit = Unit.objects.get(credit_code="91350800MA2XXXXX1Y")
    assert unit.address_area == cast.places.a2 and unit.kind == "private_firm"
    assert AuditEvent.objects.filter(action="unit.create", target_id=str(unit.public_id)).exists()
    assert AuditEvent.objects.filter(action="import.units").exists()
    # same credit code, new name and place: the unit is updated, not duplicated
    job = send(
        "units", [{**UNIT, "单位名称": "龙岩新材料股份公司", "所在区划代码": "350802001001"}], confirm=True
    )
    assert job.summary["updates"] == 1 and job.summary["new"] == 0
    unit.refresh_from_db()
    assert unit.name == "龙岩新材料股份公司" and unit.address_area == cast.places.a1


def test_row_errors_are_all_listed_with_row_numbers_and_nothing_is_written(cast, client, send):
    cast.login(client, "admin")
    before = Unit.objects.count()
    rows = [
        UNIT,  # 2 clean
        {**UNIT, "单位名称": "甲", "统一社会信用代码": "bad", "单位类型": "外星企业"},  # 3: two errors
        {**UNIT, "单位名称": "乙", "统一社会信用代码": "", "所在区划代码": "350802009999"},  # 4: no such area
        {**UNIT, "单位名称": "=cmd()", "统一社会信用代码": ""},  # 5: formula
        {**UNIT, "统一社会信用代码": ""},  # 6: repeats row 2's name
        {"单位名称": "丙"},  # 7: required cells
    ]
    job = send("units", rows)
    assert job.status == JobStatus.PREVIEW
    assert errors_of(job) >= {
        (3, "统一社会信用代码"),
        (3, "单位类型"),
        (4, "所在区划代码"),
        (5, "单位名称"),
        (6, "单位名称"),
        (7, "单位类型"),
        (7, "所在区划代码"),
    }
    assert all(e["row"] != 2 for e in job.errors)
    missing = next(e for e in job.errors if e["row"] == 4)
    assert "350802009999" in missing["message"]
    response = client.post(reverse("golive:job_confirm", args=[job.public_id]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEW and Unit.objects.count() == before


def test_a_failure_while_writing_leaves_nothing(cast, client, send, monkeypatch):
    from golive import org_sheets

    real = org_sheets.record_events

    def broken(**kwargs):
        real(**kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(org_sheets, "record_events", broken)
    cast.login(client, "admin")
    before = Unit.objects.count()
    job = send("units", [UNIT, {**UNIT, "单位名称": "第二家", "统一社会信用代码": ""}], confirm=True)
    assert job.status == JobStatus.FAILED and "disk on fire" in job.summary["error"]
    assert Unit.objects.count() == before
    assert not AuditEvent.objects.filter(action="unit.create", target_label="第二家").exists()


def test_places_in_order_grids_compounds_buildings(cast, client, send):
    cast.login(client, "admin")
    grids = [
        {"网格编码": "G9", "网格名称": "南区一级", "所在街道代码": "350802001"},
        {"网格编码": "G9-1", "网格名称": "南区二级", "所在街道代码": "350802001", "上级网格编码": "G9"},
        {
            "网格编码": "G9-1-1",
            "网格名称": "南区三级",
            "所在街道代码": "350802001",
            "上级网格编码": "G9-1",
            "所属社区代码": "350802001002",
        },
    ]
    assert send("grids", grids, confirm=True).summary["new"] == 3
    leaf = Grid.objects.get(code="G9-1-1")
    assert leaf.level == 3 and leaf.path == cast.places.street_a.path + "G9.G9-1.G9-1-1."
    job = send(
        "compounds", [{"所在社区代码": "350802001002", "小区名称": "南苑", "地址": "南路1号"}], confirm=True
    )
    assert job.summary["new"] == 1
    job = send(
        "buildings",
        [{"所在社区代码": "350802001002", "小区名称": "南苑", "楼栋名称": "A栋", "所在网格编码": "G9-1-1"}],
        confirm=True,
    )
    assert job.status == JobStatus.SUCCEEDED
    assert Building.objects.get(name="A栋").grid == leaf
    # re-import: the compound's address changes, no second compound
    send("compounds", [{"所在社区代码": "350802001002", "小区名称": "南苑", "地址": "南路2号"}], confirm=True)
    assert Compound.objects.get(name="南苑").address == "南路2号"


def test_missing_parents_are_refused_naming_the_row_and_the_parent(cast, client, send):
    cast.login(client, "admin")
    job = send("buildings", [{"所在社区代码": "350802001002", "小区名称": "没有的小区", "楼栋名称": "1栋"}])
    assert errors_of(job) == {(2, "小区名称")} and "没有的小区" in job.errors[0]["message"]
    job = send(
        "grids",
        [
            {"网格编码": "X2", "网格名称": "子", "所在街道代码": "350802001", "上级网格编码": "X1"},
            {"网格编码": "X1", "网格名称": "父", "所在街道代码": "350802001"},
        ],
    )
    assert errors_of(job) == {(2, "上级网格编码")}  # the parent stands in a later row
    job = send(
        "members",
        [
            {
                "所在单位": "不存在的单位",
                "姓名": "甲",
                "身份证号": _id(400),
                "手机号": "13912340400",
                "党员状态": "正式党员",
                "所在党组织编码": "U1",
            }
        ],
    )
    assert (2, "所在单位") in errors_of(job) and "不存在的单位" in job.errors[0]["message"]
    assert not Building.objects.filter(name="1栋").exists() and not Grid.objects.filter(code="X1").exists()


def test_party_orgs_tree_in_one_file_and_reimport(cast, client, send):
    cast.login(client, "admin")
    rows = [
        {
            "组织编码": "O1-1-2",
            "组织名称": "中山社区党委",
            "组织类型": "党委",
            "上级组织编码": "O1-1",
            "所在区划代码": "350802001002",
        },
        {
            "组织编码": "O1-1-2-1",
            "组织名称": "阳光小区党支部",
            "组织类型": "兼合式党组织",
            "上级组织编码": "O1-1-2",
            "所在区划代码": "350802001001",
            "所在小区": "阳光小区",
        },
        {
            "组织编码": "U1-1",
            "组织名称": "烟草公司第一党小组",
            "组织类型": "党小组",
            "上级组织编码": "U1",
            "所属单位": "龙岩市烟草公司",
        },
    ]
    job = send("party_orgs", rows, confirm=True)
    assert job.status == JobStatus.SUCCEEDED and job.summary["new"] == 3
    child = PartyOrg.objects.get(code="O1-1-2-1")
    assert child.path == "O1.O1-1.O1-1-2.O1-1-2-1." and child.compound == cast.places.compound_a1
    assert PartyOrg.objects.get(code="U1-1").unit == cast.places.unit_a
    job = send("party_orgs", [{**rows[0], "组织名称": "中山社区党委（新）"}], confirm=True)
    assert job.summary["updates"] == 1
    assert PartyOrg.objects.get(code="O1-1-2").name == "中山社区党委（新）"
    job = send("party_orgs", [{**rows[0], "上级组织编码": "O1-2"}])
    assert errors_of(job) == {(2, "上级组织编码")}  # moving is done on the page, not by import


def test_unit_admins_get_one_account_per_phone_and_the_role(cast, client, send):
    cast.login(client, "admin")
    rows = [
        {"姓名": "林一", "手机号": "13711110001", "所属单位": "龙岩市烟草公司"},
        {"姓名": "林一", "手机号": "13711110001", "所属单位": "西城商贸有限公司"},
    ]
    job = send("unit_admins", rows, confirm=True)
    assert job.status == JobStatus.SUCCEEDED and job.summary["new"] == 2
    user = User.objects.get(phone_hash=keyed_hash("phone", "13711110001"))
    assert not user.has_usable_password() and user.full_name == "林一"
    assert set(
        RoleGrant.objects.filter(user=user, role=Role.UNIT_ADMIN).values_list("unit__name", flat=True)
    ) == {
        "龙岩市烟草公司",
        "西城商贸有限公司",
    }
    # the cast's member 张三丰 has an account with a phone: reused, not duplicated
    cast.member.phone_hash = keyed_hash("phone", "13711110002")
    cast.member.save(update_fields=["phone_hash"])
    users = User.objects.count()
    job = send(
        "unit_admins",
        [{"姓名": "张三丰", "手机号": "13711110002", "所属单位": "龙岩市烟草公司"}],
        confirm=True,
    )
    assert User.objects.count() == users
    assert RoleGrant.objects.filter(user=cast.member, role=Role.UNIT_ADMIN).exists()
    job = send("unit_admins", rows, confirm=True)  # again: nothing new
    assert job.summary["new"] == 0 and job.summary["updates"] == 2


def test_members_for_several_units_in_one_file(cast, client, send):
    cast.login(client, "admin")
    base = {
        "入党日期": "2010-07-01",
        "党员状态": "正式党员",
        "是否在职": "是",
        "居住社区代码": "350802001001",
    }
    rows = [
        {
            **base,
            "所在单位": "龙岩市烟草公司",
            "姓名": "甲",
            "身份证号": _id(300),
            "手机号": "13912340300",
            "所在党组织编码": "U1",
        },
        {
            **base,
            "所在单位": "西城商贸有限公司",
            "姓名": "乙",
            "身份证号": _id(301),
            "手机号": "13912340301",
            "所在党组织编码": "U2",
        },
        {
            **base,
            "所在单位": "龙岩市烟草公司",
            "姓名": "张三丰改",
            "身份证号": _id(1),
            "手机号": "13800000001",
            "所在党组织编码": "U1",
        },
    ]
    job = send("members", rows, confirm=True)
    assert job.status == JobStatus.SUCCEEDED and (job.summary["new"], job.summary["updates"]) == (2, 1)
    cast.m_member.refresh_from_db()
    assert cast.m_member.name == "张三丰改" and cast.m_member.user == cast.member  # updated, account kept
    second = Member.objects.get(name="乙")
    assert second.unit == cast.places.unit_b and second.residence_path == cast.places.a1.path
    assert AuditEvent.objects.filter(action="member.create", target_id=str(second.public_id)).exists()
    # wrong org for the unit, and the same ID number under two units
    rows = [
        {
            **base,
            "所在单位": "龙岩市烟草公司",
            "姓名": "丙",
            "身份证号": _id(302),
            "手机号": "13912340302",
            "所在党组织编码": "U2",
        },
        {
            **base,
            "所在单位": "西城商贸有限公司",
            "姓名": "丁",
            "身份证号": _id(302),
            "手机号": "13912340302",
            "所在党组织编码": "U2",
        },
    ]
    job = send("members", rows)
    assert errors_of(job) == {(2, "所在党组织编码"), (3, "身份证号")}


def test_residents_imported_by_a_community_are_scoped(cast, client, send):
    rows = [
        {
            "姓名": "居民甲",
            "身份证号": _id(500),
            "手机号": "13612340500",
            "居住社区代码": "350802001001",
            "居住小区": "阳光小区",
            "居住楼栋": "1号楼",
        },
        {
            "姓名": "居民乙",
            "身份证号": _id(501),
            "居住社区代码": "350802002001",
        },  # another street's community
    ]
    cast.login(client, "community")
    job = send("residents", rows)
    assert errors_of(job) == {(3, "居住社区代码")}
    job = send("residents", rows[:1], confirm=True)
    assert job.status == JobStatus.SUCCEEDED
    resident = Resident.objects.get(name="居民甲")
    assert resident.residence_building == cast.places.building_a1 and resident.masked_phone == "136****0500"
    job = send("residents", [{**rows[0], "姓名": "居民甲甲"}], confirm=True)  # re-import by ID number
    assert (
        job.summary["updates"] == 1
        and Resident.objects.filter(id_number_hash=resident.id_number_hash).count() == 1
    )
    cast.login(client, "community2")  # the other community cannot take that person over
    job = send("residents", [{**rows[0], "居住社区代码": "350802002001", "居住小区": "", "居住楼栋": ""}])
    assert (2, "身份证号") in errors_of(job)


def test_csv_files_work_too(cast, client, send):
    cast.login(client, "admin")
    job = send(
        "compounds", [{"所在社区代码": "350802001002", "小区名称": "东苑"}], confirm=True, csv_file=True
    )
    assert job.status == JobStatus.SUCCEEDED and Compound.objects.filter(name="东苑").exists()


@pytest.mark.parametrize("who", ["orgdept", "street", "unit", "member"])
def test_only_the_platform_admin_imports_the_city_sheets(cast, client, send, who):
    cast.login(client, who)
    assert client.get(reverse("golive:sheet", args=["units"])).status_code == 403
    assert client.get(reverse("golive:template", args=["units"])).status_code == 403
    assert client.get(reverse("golive:index")).status_code == 403


def test_a_community_may_not_open_the_other_sheets(cast, client):
    cast.login(client, "community")
    assert client.get(reverse("golive:sheet", args=["residents"])).status_code == 200
    assert f'href="{reverse("golive:residents")}"' in client.get(reverse("portal:home")).content.decode()
    assert client.get(reverse("golive:sheet", args=["units"])).status_code == 403


def test_someone_elses_job_is_missing(cast, client, send):
    cast.login(client, "admin")
    job = send("compounds", [{"所在社区代码": "350802001002", "小区名称": "北苑"}])
    page = reverse("golive:job", args=[job.public_id])
    assert (
        client.get(reverse("jobs:job_detail", args=[job.public_id])).url == page
    )  # the jobs list leads here
    cast.login(client, "community")
    assert client.get(reverse("golive:job", args=[job.public_id])).status_code == 404
    assert client.post(reverse("golive:job_confirm", args=[job.public_id])).status_code == 404
    assert not Compound.objects.filter(name="北苑").exists()


def test_a_file_of_another_template_fails_naming_the_missing_headers(
    cast, client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from golive.tests.conftest import latest_job, xlsx_of

    cast.login(client, "admin")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("golive:sheet", args=["units"]),
            {"file": SimpleUploadedFile("x.xlsx", xlsx_of("compounds", [{}]))},
        )
    job = latest_job()
    assert job.status == JobStatus.FAILED and "单位名称" in job.summary["error"] and not job.input_file
    assert AuditEvent.objects.filter(action="import.units", outcome="failure").exists()
