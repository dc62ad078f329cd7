"""The alliances' to-do items on the homes (alliances/work.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.scope import scope_for
from alliances import work
from alliances.models import AgreementState, ChairTurn, InspectionNote, Invitation, MeetingKind, MeetingState
from alliances.tests.desk_fixtures import at, desk_alliance, meeting

pytestmark = pytest.mark.django_db


def items(user, provider):
    return {item.key: item for item in provider(user, scope_for(user)) if item.count}


def test_the_lead_is_told_what_to_renew_chase_publish_and_plan(cast):
    a = desk_alliance(cast)
    today = timezone.localdate()
    a.agreement_dept.ends_on = today + timedelta(days=10)
    a.agreement_dept.save()
    ChairTurn.objects.create(alliance=a.alliance, month=today.replace(day=1), unit=cast.places.unit_a)
    found = items(cast.street, work.lead_work)
    assert found["alliances.agreements_expiring"].count == 1
    assert not found["alliances.agreements_expiring"].overdue
    assert found["alliances.overdue_tasks"].count == 1 and found["alliances.overdue_tasks"].overdue
    assert found["alliances.minutes_to_publish"].count == 1  # the held meeting has no minutes
    assert found["alliances.chair_to_plan"].count == 1
    a.agreement_a.ends_on = today - timedelta(days=1)
    a.agreement_a.save()
    assert items(cast.street, work.lead_work)["alliances.agreements_expiring"].overdue


def test_others_lead_nothing(cast):
    desk_alliance(cast)
    for who in ("street2", "unit", "inspector", "member"):
        assert items(getattr(cast, who), work.lead_work) == {}


def test_the_unit_is_told_what_to_sign_answer_read_and_plan(cast, django_assert_max_num_queries):
    a = desk_alliance(cast)
    p = cast.places
    today = timezone.localdate()
    a.make_agreement(
        p.unit_a, state=AgreementState.DRAFT, starts_on=today, ends_on=today + timedelta(days=300)
    )
    InspectionNote.objects.create(alliance=a.alliance, unit=p.unit_a, note="请补充台账")
    ChairTurn.objects.create(alliance=a.alliance, month=today.replace(day=1), unit=p.unit_a)
    with django_assert_max_num_queries(8):
        found = items(cast.unit, work.unit_work)
    assert found["alliances.agreements_to_sign"].count == 1
    assert found["alliances.unit_tasks"].count == 1 and found["alliances.unit_tasks"].overdue
    assert found["alliances.unread_posts"].count == 1
    assert found["alliances.notes_to_answer"].count == 1
    assert found["alliances.unit_chair_to_plan"].count == 1
    assert items(cast.unit2, work.unit_work) == {}


def test_an_invitee_is_told_to_sign_in_today(cast):
    a = desk_alliance(cast)
    today = timezone.localdate()
    m = meeting(
        a, MeetingKind.STREET, period_start=today.replace(day=1), held_on=today, state=MeetingState.PLANNED
    )
    Invitation.objects.create(meeting=m, user=cast.member, name="member")
    found = items(cast.member, work.invitee_work)
    assert found["alliances.sign_in_today"].count == 1
    assert str(m.public_id) in found["alliances.sign_in_today"].url
    Invitation.objects.filter(meeting=m).update(signed_in_at=at(today))
    assert items(cast.member, work.invitee_work) == {}
