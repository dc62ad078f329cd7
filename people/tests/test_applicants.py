"""Applicants move through the steps (issue 10): no step skipped, the minimum intervals, admission
makes a probationary member, full membership updates it; pages and API; scope and roles."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from gongjian.testing import id_number, refusals
from people import applicants
from people.models import Applicant, ApplicantStage, Member, MemberStatus

pytestmark = pytest.mark.django_db
refused = refusals([Applicant, Member, AuditEvent])


@pytest.fixture
def applicant(cast):
    return applicants.register_applicant(
        acting_user=cast.community,
        name="陈小红",
        gender="female",
        area=cast.places.a1,
        party_org=cast.places.org_a1,
        applied_on=date(2023, 1, 10),
        phone="13700001234",
        id_number=id_number(77),
    )


def advance(cast, applicant, stage, on, who="community"):
    return applicants.advance_applicant(
        acting_user=getattr(cast, who), applicant=applicant, stage=stage, on=on
    )


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert applicants.add_months(date(2024, 1, 10), 6) == date(2024, 7, 10)
    assert applicants.add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert applicants.add_months(date(2024, 11, 30), 12) == date(2025, 11, 30)


def test_the_road_to_full_membership(cast, applicant):
    advance(cast, applicant, ApplicantStage.ACTIVIST, date(2023, 7, 10))
    advance(cast, applicant, ApplicantStage.DEVELOPMENT, date(2024, 7, 10))
    admitted = advance(cast, applicant, ApplicantStage.PROBATIONARY, date(2024, 8, 1))
    member = admitted.member
    assert member is not None and member.status == MemberStatus.PROBATIONARY
    assert (
        member.name == "陈小红"
        and member.party_org == cast.places.org_a1
        and member.joined_on == date(2024, 8, 1)
    )
    assert member.residence_area == cast.places.a1 and member.masked_phone.endswith("1234")
    full = advance(cast, applicant, ApplicantStage.FULL, date(2025, 8, 1))
    assert full.stage == ApplicantStage.FULL and full.full_on == date(2025, 8, 1)
    assert Member.objects.get(pk=member.pk).status == MemberStatus.FULL
    assert AuditEvent.objects.filter(action="applicant.advance").count() == 4
    assert AuditEvent.objects.filter(action="member.create", target_id=str(member.public_id)).exists()


def test_refusals_change_nothing(cast, applicant):
    with refused(ValidationError, "the next step is", applicant):
        advance(cast, applicant, ApplicantStage.DEVELOPMENT, date(2024, 7, 10))  # skips the activist step
    with refused(ValidationError, "at the earliest", applicant):
        advance(cast, applicant, ApplicantStage.ACTIVIST, date(2023, 7, 9))  # a day short of six months
    with refused(ValidationError, "in the future", applicant):
        advance(cast, applicant, ApplicantStage.ACTIVIST, timezone.localdate() + timedelta(days=1))
    with refused(PermissionDenied, "keeps this record", applicant):
        advance(cast, applicant, ApplicantStage.ACTIVIST, date(2023, 7, 10), who="community2")
    advance(cast, applicant, ApplicantStage.ACTIVIST, date(2023, 7, 10))
    with refused(ValidationError, "the next step is", applicant):
        advance(cast, applicant, ApplicantStage.APPLIED, date(2023, 8, 1))  # backwards
    with refused(ValidationError, "at the earliest", applicant):
        advance(cast, applicant, ApplicantStage.DEVELOPMENT, date(2024, 7, 9))  # a year of training


def test_admission_needs_the_id_number_and_refuses_a_second_member(cast):
    p = cast.places
    nameless = Applicant.objects.create(
        name="无证",
        name_initials="wz",
        gender="male",
        area=p.a1,
        party_org=p.org_a1,
        stage=ApplicantStage.DEVELOPMENT,
        applied_on=date(2022, 1, 1),
        activist_on=date(2022, 7, 1),
        development_on=date(2023, 7, 1),
    )
    with refused(ValidationError, "ID number before admission", nameless):
        advance(cast, nameless, ApplicantStage.PROBATIONARY, date(2023, 8, 1))
    applicants.update_applicant(
        acting_user=cast.community,
        applicant=nameless,
        name="无证",
        gender="male",
        party_org=p.org_a1,
        id_number=id_number(1),
    )
    with refused(ValidationError, "on the roster already", nameless):  # 张三丰's number
        advance(cast, nameless, ApplicantStage.PROBATIONARY, date(2023, 8, 1))


def test_a_unit_admin_keeps_its_units_applicants(client, cast):
    p = cast.places
    mine = applicants.register_applicant(
        acting_user=cast.unit,
        name="周工",
        gender="male",
        area=p.a1,
        unit=p.unit_a,
        party_org=p.org_unit_a,
        applied_on=date(2024, 1, 1),
    )
    cast.login(client, "unit")
    assert client.get(reverse("people:applicant_list")).status_code == 200
    assert client.get(reverse("people:applicant_detail", args=[mine.public_id])).status_code == 200
    with refused(PermissionDenied, "keeps this record"):
        applicants.register_applicant(
            acting_user=cast.unit2,
            name="x",
            gender="male",
            area=p.a1,
            unit=p.unit_a,
            party_org=p.org_unit_a,
            applied_on=date(2024, 1, 1),
        )


def test_the_advance_page(client, cast, applicant):
    url = reverse("people:applicant_advance", args=[applicant.public_id])
    cast.login(client, "community")
    page = client.get(url)
    assert page.status_code == 200 and "2023-07-10" in page.content.decode()  # the earliest date allowed
    short = client.post(url, {"stage": "activist", "on": "2023-07-01"})
    assert short.status_code == 400 and "at the earliest" in short.content.decode()
    assert Applicant.objects.get(pk=applicant.pk).stage == ApplicantStage.APPLIED
    done = client.post(url, {"stage": "activist", "on": "2023-07-10"})
    assert done.status_code == 302
    assert Applicant.objects.get(pk=applicant.pk).activist_on == date(2023, 7, 10)
    cast.login(client, "community2")
    assert client.get(url).status_code == 404
    for who in ("orgdept", "grid", "member"):
        cast.login(client, who)
        assert client.get(url).status_code == 403


def test_register_and_edit_pages(client, cast, applicant):
    p = cast.places
    cast.login(client, "community")
    response = client.post(
        reverse("people:applicant_new"),
        {
            "name": "林小明",
            "gender": "male",
            "area": p.a1.public_id,
            "party_org": p.org_a1.public_id,
            "applied_on": "2025-01-02",
            "id_number": "123",
        },
    )
    assert response.status_code == 400 and "林小明" in response.content.decode()  # a bad ID number
    assert not Applicant.objects.filter(name="林小明").exists()
    edit = client.post(
        reverse("people:applicant_edit", args=[applicant.public_id]),
        {"name": "陈晓红", "gender": "female", "party_org": p.org_a1.public_id},
    )
    assert edit.status_code == 302 and Applicant.objects.get(pk=applicant.pk).name == "陈晓红"
    assert Applicant.objects.get(pk=applicant.pk).masked_phone.endswith("1234")


def test_api_registers_and_advances(api_post, cast):
    p = cast.places
    created = api_post(
        "street",
        "applicants",
        {
            "name": "王小丫",
            "gender": "female",
            "area": str(p.a2.public_id),
            "party_org": str(p.org_street_a.public_id),
            "applied_on": "2023-01-01",
        },
    )
    assert created.status_code == 201, created.content
    aid = created.json()["id"]
    skipped = api_post("street", f"applicants/{aid}/advance", {"stage": "probationary", "on": "2024-06-01"})
    assert skipped.status_code == 422 and "next step" in skipped.json()["detail"]
    moved = api_post("street", f"applicants/{aid}/advance", {"stage": "activist", "on": "2023-07-01"})
    assert moved.status_code == 200 and moved.json()["stage"] == "activist"
    assert (
        api_post(
            "street2", f"applicants/{aid}/advance", {"stage": "development", "on": "2024-07-01"}
        ).status_code
        == 404
    )
    assert (
        api_post(
            "orgdept", f"applicants/{aid}/advance", {"stage": "development", "on": "2024-07-01"}
        ).status_code
        == 403
    )
