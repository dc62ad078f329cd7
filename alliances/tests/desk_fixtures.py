"""Test data of the alliance desk, written directly with the ORM on top of ``street_alliance(cast)``:
commitments of every kind with the service that delivers them, meetings, tasks, board posts, a chair
turn and an inspection note."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from alliances.models import (
    BoardPost,
    BoardPostKind,
    Commitment,
    CommitmentKind,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    Resolution,
)
from alliances.tests.fixtures import street_alliance
from service.models import (
    Project,
    ProjectCommitment,
    ProjectState,
    RecordState,
    Resource,
    ResourceKind,
    ServiceCategory,
    ServiceRecord,
)


def at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def service(cast, member, *, unit, community, day, minutes, state=RecordState.CONFIRMED):
    return ServiceRecord.objects.create(
        member=member,
        unit=unit,
        community=community,
        community_path=community.path,
        category=ServiceCategory.objects.order_by("id").first(),
        started_at=at(day),
        minutes=minutes,
        description="志愿服务",
        state=state,
    )


def meeting(a, kind, *, period_start, held_on, state=MeetingState.HELD, title="联席会议"):
    return Meeting.objects.create(
        kind=kind,
        alliance=a.alliance,
        area=a.alliance.area,
        area_path=a.alliance.area_path,
        title=title,
        place="街道会议室",
        starts_at=at(held_on),
        ends_at=at(held_on, 11),
        period_start=period_start,
        state=state,
    )


def task(m, number, unit, *, due_on, text="落实停车位共享"):
    return Resolution.objects.create(meeting=m, number=number, text=text, owner_unit=unit, due_on=due_on)


def desk_alliance(cast):
    """The street alliance with: unit A's agreement promising 10 hours, 2 people, a completed project and
    a venue (resource committed 3 to a project) and funds without a link; service by unit A's members in
    A1 and A2 (one not confirmed, one outside the period, one in street B — none of those count)."""
    p = cast.places
    a = street_alliance(cast)
    today = timezone.localdate()
    ag = a.agreement_a

    def commit(kind, quantity, measure, **links):
        return Commitment.objects.create(
            agreement=ag, kind=kind, description=f"{kind}承诺", quantity=quantity, measure=measure, **links
        )

    a.project = Project.objects.create(
        community=p.a1,
        community_path=p.a1.path,
        title="养老中心",
        state=ProjectState.COMPLETED,
        beneficiaries_served=40,
    )
    a.venue = Resource.objects.create(
        unit=p.unit_a,
        kind=ResourceKind.VENUE,
        title="会议室",
        quantity=5,
        measure="次",
        available_from=today - timedelta(days=30),
        community=p.a1,
        community_path=p.a1.path,
    )
    ProjectCommitment.objects.create(
        project=a.project, unit=p.unit_a, resource=a.venue, description="借用会议室", quantity=3, measure="次"
    )
    a.c_hours = commit(CommitmentKind.HOURS, Decimal(10), "小时")
    a.c_people = commit(CommitmentKind.PEOPLE, Decimal(2), "人")
    a.c_project = commit(CommitmentKind.PROJECT, Decimal(1), "个", project=a.project)
    a.c_venue = commit(CommitmentKind.VENUE, Decimal(6), "次", resource=a.venue)
    a.c_funds = commit(CommitmentKind.FUNDS, Decimal(5000), "元")
    recent = today - timedelta(days=10)
    service(cast, cast.m_member, unit=p.unit_a, community=p.a1, day=recent, minutes=180)
    service(cast, cast.m_a2, unit=p.unit_a, community=p.a2, day=recent, minutes=120)
    service(
        cast, cast.m_a2, unit=p.unit_a, community=p.a2, day=recent, minutes=600, state=RecordState.SUBMITTED
    )
    service(
        cast, cast.m_member, unit=p.unit_a, community=p.a1, day=ag.starts_on - timedelta(days=5), minutes=600
    )
    service(cast, cast.m_member, unit=p.unit_a, community=p.b1, day=recent, minutes=600)
    service(cast, cast.m_b_home_a, unit=p.unit_b, community=p.a1, day=recent, minutes=600)

    a.next_meeting = meeting(
        a,
        MeetingKind.REGULAR,
        period_start=today.replace(day=1),
        held_on=today + timedelta(days=3),
        state=MeetingState.PLANNED,
        title="下次联席会议",
    )
    a.held = meeting(
        a, MeetingKind.REGULAR, period_start=today.replace(day=1), held_on=today - timedelta(days=2)
    )
    a.task_overdue = task(a.held, 1, p.unit_a, due_on=today - timedelta(days=1), text="逾期任务")
    a.task_open = task(a.held, 2, p.dept_a, due_on=today + timedelta(days=10), text="进行中任务")
    Invitation.objects.create(
        meeting=a.held, user=cast.unit, unit=p.unit_a, name="unit", signed_in_at=at(today - timedelta(days=2))
    )
    Invitation.objects.create(meeting=a.held, user=cast.dept, unit=p.dept_a, name="dept", excused="出差")
    a.board_task = BoardPost.objects.create(
        alliance=a.alliance,
        kind=BoardPostKind.TASK,
        title="上级任务：创城",
        body="请各成员单位落实",
        author=cast.street,
    )
    return a
