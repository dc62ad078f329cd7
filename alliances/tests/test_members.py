from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alliances.members import add_member_unit, create_alliance, remove_member_unit
from alliances.models import Agreement, AgreementState, Alliance, AllianceEvent, AllianceKind, AllianceMember
from alliances.tests.fixtures import street_alliance
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_street_founds_its_alliance_and_units_join_once(cast):
    a = street_alliance(cast)
    assert a.alliance.area_path == cast.places.street_a.path
    with pytest.raises(ValidationError, match="already a member"):
        add_member_unit(acting_user=cast.street, alliance=a.alliance, unit=cast.places.unit_a)
    assert AllianceMember.objects.filter(alliance=a.alliance).count() == 2
    actions = list(AllianceEvent.objects.filter(alliance=a.alliance).values_list("action", flat=True))
    assert actions == ["found", "join", "join"]
    assert AuditEvent.objects.filter(action="alliances.member_joined").count() == 2


def test_only_the_areas_staff_found_or_run_an_alliance(cast):
    with pytest.raises(PermissionDenied):
        create_alliance(
            acting_user=cast.street2, name="x", kind=AllianceKind.STREET, area=cast.places.street_a
        )
    with pytest.raises(ValidationError, match="level"):
        create_alliance(
            acting_user=cast.street, name="x", kind=AllianceKind.COMMUNITY, area=cast.places.street_a
        )
    a = street_alliance(cast)
    with pytest.raises(PermissionDenied):
        add_member_unit(acting_user=cast.unit, alliance=a.alliance, unit=cast.places.unit_b)


def test_a_unit_is_active_while_an_agreement_is_in_force(cast):
    a = street_alliance(cast)
    today = timezone.localdate()
    assert set(AllianceMember.objects.active_on(today).values_list("unit_id", flat=True)) == {
        cast.places.unit_a.pk,
        cast.places.dept_a.pk,
    }
    Agreement.objects.filter(pk=a.agreement_a.pk).update(ends_on=today - timedelta(days=1))
    assert list(AllianceMember.objects.active_on(today).values_list("unit_id", flat=True)) == [
        cast.places.dept_a.pk
    ]


def test_leaving_ends_the_agreements_and_rejoining_reuses_the_row(cast):
    a = street_alliance(cast)
    with pytest.raises(ValidationError):
        remove_member_unit(acting_user=cast.street, member=a.member_a, reason="  ")
    remove_member_unit(acting_user=cast.street, member=a.member_a, reason="搬离辖区")
    a.agreement_a.refresh_from_db()
    assert a.agreement_a.state == AgreementState.ENDED
    again = add_member_unit(acting_user=cast.street, alliance=a.alliance, unit=cast.places.unit_a)
    assert again.pk == a.member_a.pk and again.left_on is None


def test_who_sees_an_alliance(cast):
    a = street_alliance(cast)
    for who in ("street", "community", "orgdept", "unit", "dept", "inspector", "admin"):
        assert Alliance.objects.visible_to(getattr(cast, who)).filter(pk=a.alliance.pk).exists(), who
    for who in ("street2", "community2", "unit2", "member", "resident", "nobody"):
        assert not Alliance.objects.visible_to(getattr(cast, who)).exists(), who
    # a member unit sees its own agreement, not the other unit's
    assert list(Agreement.objects.visible_to(cast.unit)) == [a.agreement_a]
    assert set(Agreement.objects.visible_to(cast.community)) == {a.agreement_a, a.agreement_dept}
    assert not Agreement.objects.visible_to(cast.street2).exists()
