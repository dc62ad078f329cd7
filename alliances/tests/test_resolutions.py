from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliances import resolutions
from alliances.models import Resolution, ResolutionFile, ResolutionState
from alliances.tests.meeting_fixtures import held_meeting
from audit.models import AuditEvent
from cases.models import Case
from cases.tests.fixtures import category
from notifications.models import Notification

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def a_resolution(cast, a=None, **kwargs):
    a = a or held_meeting(cast)
    values = {
        "acting_user": cast.street,
        "meeting": a.meeting,
        "text": "烟草公司负责龙津社区老旧小区楼道照明改造",
        "owner_unit": cast.places.unit_a,
        "due_on": timezone.localdate() + timedelta(days=30),
    }
    values.update(kwargs)
    return resolutions.add_resolution(**values)


def test_resolutions_are_numbered_and_owned_by_a_member_unit_or_department(cast):
    a = held_meeting(cast)
    first = a_resolution(cast, a)
    second = a_resolution(cast, a, owner_unit=cast.places.dept_a, text="城管局清理占道")
    assert (first.number, second.number) == (1, 2)
    assert Notification.objects.filter(kind="alliances.resolution_assigned", recipient=cast.unit).count() == 1
    assert Notification.objects.filter(kind="alliances.resolution_assigned", recipient=cast.dept).count() == 1
    with pytest.raises(ValidationError, match="not a member unit"):
        a_resolution(cast, a, owner_unit=cast.places.unit_b)
    with pytest.raises(ValidationError, match="due"):
        a_resolution(cast, a, due_on=timezone.localdate() - timedelta(days=3))
    with pytest.raises(PermissionDenied):
        a_resolution(cast, a, acting_user=cast.unit)


def test_follow_up_to_closure_needs_evidence(cast):
    r = a_resolution(cast)
    with pytest.raises(PermissionDenied):
        resolutions.report_progress(acting_user=cast.unit2, resolution=r, note="x")
    resolutions.report_progress(acting_user=cast.unit, resolution=r, note="已完成勘察")
    r.refresh_from_db()
    assert r.state == ResolutionState.IN_PROGRESS
    with pytest.raises(ValidationError, match="needs evidence"):
        resolutions.close_resolution(acting_user=cast.street, resolution=r)
    photo = SimpleUploadedFile("after.png", PNG, content_type="image/png")
    resolutions.report_progress(
        acting_user=cast.unit, resolution=r, note="灯已装好", files=[photo], evidence=True
    )
    assert ResolutionFile.objects.filter(update__resolution=r).count() == 1
    with pytest.raises(PermissionDenied):
        resolutions.close_resolution(acting_user=cast.unit, resolution=r)
    resolutions.close_resolution(acting_user=cast.street, resolution=r, note="验收合格")
    r.refresh_from_db()
    assert r.state == ResolutionState.CLOSED and r.closed_by == cast.street
    with pytest.raises(ValidationError):
        resolutions.report_progress(acting_user=cast.unit, resolution=r, note="again")
    assert AuditEvent.objects.filter(action="alliances.resolution_closed").count() == 1


def test_evidence_is_a_photo_or_a_pdf(cast):
    r = a_resolution(cast)
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    with pytest.raises(ValidationError, match="photo"):
        resolutions.report_progress(acting_user=cast.unit, resolution=r, note="x", files=[bad])


def test_a_resolution_handed_to_the_whistle_becomes_a_case(cast):
    r = a_resolution(cast)
    resolutions.hand_to_case(acting_user=cast.street, resolution=r, category=category())
    r.refresh_from_db()
    assert r.state == ResolutionState.CASE
    case = Case.objects.get(pk=r.case_id)
    assert case.street == cast.places.street_a and case.title == r.text[:80]
    with pytest.raises(ValidationError):
        resolutions.hand_to_case(acting_user=cast.street, resolution=r, category=category())


def test_dropping_needs_a_reason(cast):
    r = a_resolution(cast)
    with pytest.raises(ValidationError):
        resolutions.drop_resolution(acting_user=cast.street, resolution=r, reason="")
    resolutions.drop_resolution(acting_user=cast.street, resolution=r, reason="已由区里统一实施")
    r.refresh_from_db()
    assert r.state == ResolutionState.DROPPED


def test_overdue_owners_are_reminded_once(cast):
    r = a_resolution(cast)
    Resolution.objects.filter(pk=r.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    assert resolutions.remind_overdue() == 1
    assert resolutions.remind_overdue() == 0
    assert Notification.objects.filter(kind="alliances.resolution_overdue", recipient=cast.unit).count() == 1


def test_scope_the_owner_unit_sees_its_task_another_street_nothing(cast):
    r = a_resolution(cast)
    d = a_resolution(cast, owner_unit=cast.places.dept_a, text="城管局清理占道")
    assert set(Resolution.objects.visible_to(cast.street)) == {r, d}
    assert r in Resolution.objects.visible_to(cast.unit)
    assert d in Resolution.objects.visible_to(cast.dept)
    for who in ("street2", "unit2", "community2", "resident"):
        assert not Resolution.objects.visible_to(getattr(cast, who)).exists(), who
