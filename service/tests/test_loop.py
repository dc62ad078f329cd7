"""The whole service loop in one test: a resident posts a need → the community dispatches it → the
member accepts, serves and logs it → the beneficiary confirms with the code → points are booked → the
member's balance and ranking change."""

from datetime import timedelta

import pytest
from django.utils import timezone

from points.actions import balance_of, time_bank_minutes
from points.models import EntryKind, PointEntry
from service import actions, codes, record_actions
from service.models import ConfirmedVia, NeedState, RecordState, ServiceCategory

pytestmark = pytest.mark.django_db


def test_resident_need_to_points(cast):
    repair = ServiceCategory.objects.get(code="home_repair")
    need = actions.post_need(
        acting_user=cast.resident, title="厨房水管漏水", category=repair, urgency="urgent"
    )
    assert need.community == cast.places.a1
    assert need.beneficiary_resident == cast.r_a
    assert need.posted_as == "resident"

    assignment = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    need.refresh_from_db()
    assert need.state == NeedState.OFFERED
    actions.accept_assignment(acting_user=cast.member, assignment=assignment)
    need.refresh_from_db()
    assert need.state == NeedState.TAKEN

    before = balance_of(cast.m_member)
    record = record_actions.log_service_record(
        acting_user=cast.member,
        category=repair,
        started_at=timezone.now() - timedelta(hours=3),
        minutes=90,
        description="更换了水管接头",
        need=need,
    )
    need.refresh_from_db()
    assert need.state == NeedState.DONE
    assert record.state == RecordState.SUBMITTED
    assert record.beneficiary_resident == cast.r_a

    record_actions.confirm_with_code(record=record, code=codes.confirmation_code(record), score=5)
    record.refresh_from_db()
    need.refresh_from_db()
    assert record.state == RecordState.CONFIRMED
    assert record.confirmed_via == ConfirmedVia.CODE
    assert need.state == NeedState.CLOSED
    assert record.rating.score == 5
    # 1.5 h × 10 points + 5 for an urgent need (the default rule)
    assert balance_of(cast.m_member) == before + 20
    assert time_bank_minutes(cast.m_member) == 90
    assert set(PointEntry.objects.filter(record=record).values_list("kind", flat=True)) == {
        EntryKind.SERVICE,
        EntryKind.BONUS,
    }
