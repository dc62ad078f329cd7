"""The whole service loop in one test: a resident posts a need → the community dispatches it to the
member the suggestions put first → the member accepts, serves and logs it → the beneficiary confirms
with the code → points are booked → the member's balance changes and he rises in his community's
ranking for the period."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from people.models import Member
from points.actions import balance_of, time_bank_minutes
from points.models import EntryKind, PointEntry
from points.queries import ranking
from service.models import ConfirmedVia, NeedState, RecordState, ServiceCategory
from service.needs import actions
from service.needs.suggestions import suggest
from service.records import actions as record_actions
from service.records import codes

pytestmark = pytest.mark.django_db


def this_month():
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def a1_ranking(cast) -> list:
    return ranking(PointEntry.objects.filter(community=cast.places.a1), *this_month())


def test_resident_need_to_points(cast):
    repair = ServiceCategory.objects.get(code="home_repair")
    # 张三丰 (lives in 孙大妈's building) is the electrician of 龙津社区: the one the board should put first.
    Member.objects.filter(pk=cast.m_member.pk).update(skills="电工 水电维修")
    # 赵六 lives in the same building, has no such skills, and has already earned points this month.
    zhao = create_user(acting_user=None, username="zhaoliu", password=None)
    grant_role(acting_user=None, user=zhao, role=Role.MEMBER)
    cast.m_b_home_a.user = zhao
    cast.m_b_home_a.save(update_fields=["user"])
    earlier = record_actions.log_service_record(
        acting_user=zhao,
        category=ServiceCategory.objects.get(code="elderly_care"),
        started_at=timezone.now() - timedelta(hours=6),
        minutes=60,
        description="陪老人散步",
        community=cast.places.a1,
    )
    record_actions.confirm_as_organiser(acting_user=cast.community, record=earlier)
    before_ranking = a1_ranking(cast)
    assert [row.member_id for row in before_ranking] == [cast.m_b_home_a.pk]

    need = actions.post_need(
        acting_user=cast.resident, title="厨房水管漏水", category=repair, urgency="urgent"
    )
    assert need.community == cast.places.a1
    assert need.beneficiary_resident == cast.r_a
    assert need.posted_as == "resident"

    suggestions = suggest(need)
    members = [s for s in suggestions if s.kind == "member"]
    assert members, "the suggestions name no member for the need"
    top = members[0]
    assert top.target == cast.m_member, [(s.target, s.score, s.reasons) for s in suggestions]
    assert top.reasons
    assert suggestions[0].target == cast.m_member, "the obviously best member heads the whole list"

    assignment = actions.dispatch_need(
        acting_user=cast.community, need=need, member=top.target, suggestion_reason="；".join(top.reasons)
    )
    assert assignment.suggestion_reason
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

    # he rises in 龙津社区's ranking for the month: from nowhere to first, ahead of 赵六's 10 points
    after_ranking = a1_ranking(cast)
    assert [(row.member_id, row.points, row.rank) for row in after_ranking] == [
        (cast.m_member.pk, 20, 1),
        (cast.m_b_home_a.pk, 10, 2),
    ]
    assert after_ranking[0].minutes == 90
