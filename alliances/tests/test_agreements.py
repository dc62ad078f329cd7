from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliances import agreements as actions
from alliances.members import add_member_unit, remove_member_unit
from alliances.models import Agreement, AgreementState, AllianceEvent, AllianceMember
from alliances.tests.fixtures import street_alliance
from audit.models import AuditEvent
from checkin.models import UnitPairing
from notifications.models import Notification

pytestmark = pytest.mark.django_db

PEOPLE = {"kind": "people", "description": "每月派10名党员到社区服务", "quantity": 10, "measure": "人"}
HOURS = {"kind": "hours", "description": "志愿服务时长", "quantity": "120", "measure": "小时"}


def a_draft(cast, a, who="street", **fields):
    today = timezone.localdate()
    values = {
        "alliance": a.alliance,
        "unit": cast.places.unit_b,
        "title": "西城商贸共建协议",
        "starts_on": today,
        "ends_on": today + timedelta(days=364),
        "terms": "共驻共建",
        "commitments": [PEOPLE, HOURS],
    }
    values.update(fields)
    return actions.draft_agreement(acting_user=getattr(cast, who), **values)


@pytest.fixture
def a(cast):
    a = street_alliance(cast)
    a.member_b = add_member_unit(acting_user=cast.street, alliance=a.alliance, unit=cast.places.unit_b)
    return a


def test_lifecycle_draft_sign_expire_renew(cast, a):
    today = timezone.localdate()
    draft = a_draft(cast, a, who="unit2")
    assert draft.state == AgreementState.DRAFT
    assert [c.description for c in draft.commitments.all()] == [PEOPLE["description"], HOURS["description"]]
    assert not AllianceMember.objects.active_on(today).filter(unit=cast.places.unit_b).exists()
    actions.sign_agreement(acting_user=cast.unit2, agreement=draft)
    draft.refresh_from_db()
    assert draft.state == AgreementState.DRAFT and draft.unit_signed_by == cast.unit2
    with pytest.raises(ValidationError, match="already signed"):
        actions.sign_agreement(acting_user=cast.unit2, agreement=draft)
    actions.sign_agreement(acting_user=cast.street, agreement=draft)
    draft.refresh_from_db()
    assert draft.state == AgreementState.SIGNED and draft.lead_signed_by == cast.street
    assert AllianceMember.objects.active_on(today).filter(unit=cast.places.unit_b).exists()
    # expiry makes the unit inactive
    Agreement.objects.filter(pk=draft.pk).update(
        starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=1)
    )
    draft.refresh_from_db()
    assert draft.expired()
    assert not AllianceMember.objects.active_on(today).filter(unit=cast.places.unit_b).exists()
    renewal = actions.renew_agreement(
        acting_user=cast.street, agreement=draft, starts_on=today, ends_on=today + timedelta(days=365)
    )
    assert renewal.previous == draft and renewal.state == AgreementState.DRAFT
    assert renewal.commitments.count() == 2 and renewal.terms == draft.terms
    with pytest.raises(ValidationError, match="already has a renewal"):
        actions.renew_agreement(acting_user=cast.street, agreement=draft, ends_on=today + timedelta(days=30))
    actions.sign_agreement(acting_user=cast.street, agreement=renewal)
    actions.sign_agreement(acting_user=cast.unit2, agreement=renewal)
    draft.refresh_from_db()
    renewal.refresh_from_db()
    assert renewal.state == AgreementState.SIGNED and draft.state == AgreementState.RENEWED
    assert AllianceMember.objects.active_on(today).filter(unit=cast.places.unit_b).exists()
    history = list(AllianceEvent.objects.filter(subject_id=draft.public_id).values_list("action", flat=True))
    assert history == ["draft", "sign", "sign", "in_force", "renew", "renewed"]
    assert AuditEvent.objects.filter(action="alliances.agreement_signed").count() == 4


def test_bad_input_is_refused_in_words(cast, a):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="end before it starts"):
        a_draft(cast, a, ends_on=today - timedelta(days=1))
    with pytest.raises(ValidationError, match="not a member unit"):
        remove_member_unit(acting_user=cast.street, member=a.member_b, reason="迁出")
        a_draft(cast, a)
    with pytest.raises(ValidationError, match="cannot be empty"):
        a_draft(cast, a, unit=cast.places.unit_a, title="  ")
    with pytest.raises(ValidationError, match="kind of commitment"):
        a_draft(cast, a, unit=cast.places.unit_a, commitments=[{"kind": "x", "description": "y"}])
    with pytest.raises(ValidationError, match="number"):
        a_draft(cast, a, unit=cast.places.unit_a, commitments=[{**PEOPLE, "quantity": "lots"}])
    with pytest.raises(ValidationError, match="community of"):
        a_draft(cast, a, unit=cast.places.unit_a, community=cast.places.b1)
    with pytest.raises(ValidationError, match="empty"):
        actions.end_agreement(acting_user=cast.street, agreement=a.agreement_a, reason=" ")
    assert not Agreement.objects.filter(title="西城商贸共建协议").exists()


def test_only_the_lead_or_the_unit_drafts_and_signs(cast, a):
    with pytest.raises(PermissionDenied):
        a_draft(cast, a, who="unit")  # another member unit
    with pytest.raises(PermissionDenied):
        a_draft(cast, a, who="street2")
    draft = a_draft(cast, a)
    for who in ("unit", "street2", "inspector", "member"):
        with pytest.raises(PermissionDenied):
            actions.sign_agreement(acting_user=getattr(cast, who), agreement=draft)


def test_overlapping_signed_agreements_are_refused(cast, a):
    today = timezone.localdate()
    draft = a_draft(cast, a, unit=cast.places.unit_a, starts_on=today, ends_on=today + timedelta(days=30))
    actions.sign_agreement(acting_user=cast.unit, agreement=draft)
    with pytest.raises(ValidationError, match="already has a signed agreement"):
        actions.sign_agreement(acting_user=cast.street, agreement=draft)


def test_commitments_change_on_drafts_only(cast, a):
    draft = a_draft(cast, a)
    c = actions.add_commitment(
        acting_user=cast.unit2,
        agreement=draft,
        kind="funds",
        description="共建经费",
        quantity=5000,
        measure="元",
    )
    assert draft.commitments.count() == 3 and c.sort == 2
    actions.remove_commitment(acting_user=cast.street, commitment=c)
    assert draft.commitments.count() == 2
    actions.sign_agreement(acting_user=cast.unit2, agreement=draft)
    actions.sign_agreement(acting_user=cast.street, agreement=draft)
    with pytest.raises(ValidationError, match="Only a draft"):
        actions.add_commitment(acting_user=cast.street, agreement=draft, kind="venue", description="活动室")


def test_a_pairing_agreement_keeps_the_pairing_in_step(cast, a):
    today = timezone.localdate()
    draft = a_draft(cast, a, community=cast.places.a2)
    actions.sign_agreement(acting_user=cast.street, agreement=draft)
    actions.sign_agreement(acting_user=cast.unit2, agreement=draft)  # the street signed: it pairs
    draft.refresh_from_db()
    pairing = draft.pairing
    assert pairing is not None
    assert (pairing.unit, pairing.community, pairing.started_on, pairing.ended_on) == (
        cast.places.unit_b,
        cast.places.a2,
        draft.starts_on,
        draft.ends_on,
    )
    actions.end_agreement(acting_user=cast.unit2, agreement=draft, reason="业务调整")
    pairing.refresh_from_db()
    draft.refresh_from_db()
    assert draft.state == AgreementState.ENDED and draft.ended_on == today
    assert pairing.ended_on == today
    assert (
        UnitPairing.objects.active_on(today + timedelta(days=1)).filter(unit=cast.places.unit_b).count() == 0
    )


def test_files_are_checked(cast, a):
    pdf = SimpleUploadedFile("协议扫描件.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attached = actions.attach_file(acting_user=cast.unit, agreement=a.agreement_a, upload=pdf)
    assert attached.name == "协议扫描件.pdf" and attached.size == len(b"%PDF-1.4 test")
    with pytest.raises(ValidationError, match="PDF, JPEG"):
        actions.attach_file(
            acting_user=cast.unit, agreement=a.agreement_a, upload=SimpleUploadedFile("x.exe", b"MZ")
        )
    with pytest.raises(ValidationError, match="does not match"):
        actions.attach_file(
            acting_user=cast.unit, agreement=a.agreement_a, upload=SimpleUploadedFile("x.pdf", b"hello")
        )
    with pytest.raises(PermissionDenied):
        actions.attach_file(acting_user=cast.unit2, agreement=a.agreement_a, upload=pdf)


def test_renewal_reminders_once_to_the_unit_and_the_lead(cast, a, settings):
    settings.ALLIANCE_RENEWAL_NOTICE_DAYS = 30
    today = timezone.localdate()
    Agreement.objects.filter(pk=a.agreement_a.pk).update(ends_on=today + timedelta(days=20))
    assert actions.remind_renewals(today=today) == 1
    assert actions.remind_renewals(today=today) == 0
    notes = Notification.objects.filter(kind=actions.RENEWAL_NOTIFY_KIND)
    assert {n.recipient for n in notes} == {cast.unit, cast.street}
    a.agreement_a.refresh_from_db()
    assert a.agreement_a.reminded_on == today
    # an agreement with a renewal under way is not reminded
    Agreement.objects.filter(pk=a.agreement_dept.pk).update(ends_on=today + timedelta(days=10))
    actions.renew_agreement(
        acting_user=cast.street, agreement=a.agreement_dept, ends_on=today + timedelta(days=400)
    )
    assert actions.remind_renewals(today=today) == 0


def renewal_reminder(cast):
    """What makes the product send ``alliances.renewal_due`` (notifications/tests/test_links.py)."""
    a = street_alliance(cast)
    today = timezone.localdate()
    Agreement.objects.filter(pk=a.agreement_a.pk).update(ends_on=today + timedelta(days=5))
    actions.remind_renewals(today=today)


def test_a_renewed_pairing_agreement_carries_the_pairing_on(cast, a):
    today = timezone.localdate()
    first = a_draft(
        cast,
        a,
        community=cast.places.a2,
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=20),
    )
    actions.sign_agreement(acting_user=cast.unit2, agreement=first)
    actions.sign_agreement(acting_user=cast.street, agreement=first)
    first.refresh_from_db()
    renewal = actions.renew_agreement(
        acting_user=cast.unit2,
        agreement=first,
        starts_on=today + timedelta(days=10),
        ends_on=today + timedelta(days=400),
    )
    actions.sign_agreement(acting_user=cast.unit2, agreement=renewal)
    actions.sign_agreement(acting_user=cast.street, agreement=renewal)
    renewal.refresh_from_db()
    first.pairing.refresh_from_db()
    assert first.pairing.ended_on == today + timedelta(days=9)
    assert (renewal.pairing.started_on, renewal.pairing.ended_on) == (renewal.starts_on, renewal.ends_on)
    on = today + timedelta(days=15)
    assert list(UnitPairing.objects.active_on(on).filter(unit=cast.places.unit_b)) == [renewal.pairing]
