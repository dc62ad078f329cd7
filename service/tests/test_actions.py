"""Rules of the need, dispatch, post and pairing actions (service/actions.py).

Each action: the happy path writes the change, its NeedEvent (who, when) and its audit row; each refusal
raises with the message a person reads and changes nothing at all (row counts and the objects re-read).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from audit.models import AuditEvent
from checkin.models import Team, TeamMembership
from gongjian.testing import item, refusals
from notifications.models import Notification
from people.models import Member
from service.models import (
    Assignment,
    AssignmentState,
    AssignmentVia,
    HouseholdPairing,
    Need,
    NeedEvent,
    NeedState,
    PairingVisit,
    PostClaim,
    PostedAs,
    ServicePost,
)
from service.needs import actions
from service.pairings import actions as pairing_actions
from service.posts import actions as post_actions

pytestmark = pytest.mark.django_db

WATCHED = (
    Need,
    Assignment,
    NeedEvent,
    ServicePost,
    PostClaim,
    HouseholdPairing,
    PairingVisit,
    AuditEvent,
    Notification,
)
refused = refusals(WATCHED)


def audited(action: str, target, actor) -> AuditEvent:
    rows = AuditEvent.objects.filter(action=action, target_id=str(target.public_id))
    assert rows.count() == 1, list(rows.values_list("action", flat=True))
    row = rows.get()
    assert row.actor == actor
    return row


def last_event(need: Need) -> NeedEvent:
    event = NeedEvent.objects.filter(need=need).order_by("-id").first()
    assert event is not None and event.at is not None
    return event


def a_need(cast, **kwargs) -> Need:
    kwargs.setdefault("title", "楼道灯不亮")
    kwargs.setdefault("category", item("home_repair"))
    kwargs.setdefault("community", cast.places.a1)
    return actions.post_need(acting_user=cast.street, **kwargs)


def user_for(member: Member, username: str):
    user = create_user(acting_user=None, username=username, password=None)
    grant_role(acting_user=None, user=user, role=Role.MEMBER)
    member.user = user
    member.save(update_fields=["user"])
    return user


# --- post_need ------------------------------------------------------------------------------------


def test_resident_posts_for_themself(cast):
    need = actions.post_need(acting_user=cast.resident, title="想学用智能手机", category=item("tutoring"))
    assert need.community == cast.places.a1
    assert need.beneficiary_resident == cast.r_a and need.beneficiary_name == "孙大妈"
    assert need.posted_as == PostedAs.RESIDENT and need.state == NeedState.OPEN
    assert need.compound == cast.places.compound_a1 and need.building == cast.places.building_a1
    event = last_event(need)
    assert (event.from_state, event.to_state, event.action, event.actor) == (
        "",
        "open",
        "post",
        cast.resident,
    )
    audited("service.need_posted", need, cast.resident)
    assert Notification.objects.filter(recipient=cast.community, kind="service.need_posted").count() == 1


def test_a_residents_need_lies_in_the_grid_of_their_building(cast):
    """The grid worker of the resident's building serves the need (sees it, knows for whom)."""
    need = actions.post_need(acting_user=cast.resident, title="想学用智能手机", category=item("tutoring"))
    assert need.grid == cast.places.building_a1.grid
    assert Need.objects.visible_to(cast.grid).filter(pk=need.pk).exists()


@pytest.mark.parametrize(
    ("who", "posted_as"),
    [("community", PostedAs.COMMUNITY), ("street", PostedAs.STREET), ("admin", PostedAs.COMMUNITY)],
)
def test_area_staff_post_on_behalf(cast, who, posted_as):
    need = actions.post_need(
        acting_user=getattr(cast, who),
        title="独居老人需要助餐",
        category=item("elderly_care"),
        community=cast.places.a1,
        beneficiary_resident=cast.r_a,
        urgency="urgent",
        due_at=timezone.now() + timedelta(days=2),
    )
    assert need.posted_as == posted_as
    assert need.beneficiary_name == "孙大妈"
    audited("service.need_posted", need, getattr(cast, who))


def test_grid_worker_posts_for_a_building_of_the_grid(cast):
    need = actions.post_need(
        acting_user=cast.grid,
        title="楼道堆物",
        category=item("environment"),
        community=cast.places.a1,
        compound=cast.places.compound_a1,
        building=cast.places.building_a1,
    )
    assert need.posted_as == PostedAs.GRID_WORKER
    assert need.grid == cast.places.grid_a3
    assert need.grid_path == cast.places.grid_a3.path


def test_a_wish_has_a_budget(cast):
    need = a_need(cast, kind="wish", title="想要一个书包", category=item("tutoring"), budget=80)
    assert need.kind == "wish" and need.budget == 80


@pytest.mark.parametrize("who", ["member", "nobody", "unit", "community2", "street2", "grid2", "dept"])
def test_who_may_not_post_in_a1(cast, who):
    with refused(
        PermissionDenied, "Only residents (for themselves), grid workers, the community and the street"
    ):
        actions.post_need(
            acting_user=getattr(cast, who), title="x", category=item("parking"), community=cast.places.a1
        )


def test_a_grid_worker_posts_only_in_the_communities_of_their_grid(cast):
    """grid2 (street B) names its own grid but a community of street A."""
    with refused(PermissionDenied, "Only residents"):
        actions.post_need(
            acting_user=cast.grid2,
            title="x",
            category=item("parking"),
            community=cast.places.a1,
            grid=cast.places.grid_b,
        )
    with refused(PermissionDenied, "Only residents"):
        actions.post_need(
            acting_user=cast.grid,
            title="x",
            category=item("parking"),
            community=cast.places.b1,
            grid=cast.places.grid_a,
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "  "}, "Say in a few words what is needed."),
        ({"category": "livelihood"}, "Choose an item of the service menu."),
        ({"budget": -1}, "A budget cannot be negative."),
        ({"due_at": "past"}, "The date needed by must be in the future."),
        ({"urgency": "panic"}, "Unknown urgency."),
        ({"kind": "gift"}, "Unknown kind of need."),
        ({"community": "street_a"}, "Choose a community."),
        ({"compound": "compound_b1"}, "The compound is not in 龙津社区."),
        ({"building": "building_a1"}, "The building is not in the chosen compound."),
        ({"beneficiary_resident": "r_b"}, "The beneficiary does not live in 龙津社区."),
    ],
)
def test_post_need_refusals(cast, kwargs, message):
    given = {"title": "楼道灯不亮", "category": item("home_repair"), "community": cast.places.a1}
    for key, value in kwargs.items():
        if key == "category":
            value = item(value)
        elif key == "due_at":
            value = timezone.now() - timedelta(minutes=1)
        elif key in ("community", "compound", "building"):
            value = getattr(cast.places, value)
        elif key == "beneficiary_resident":
            value = getattr(cast, value)
        given[key] = value
    with refused(ValidationError, message):
        actions.post_need(acting_user=cast.community, **given)


def test_an_inactive_item_is_refused(cast):
    parking = item("parking")
    parking.active = False
    parking.save(update_fields=["active"])
    with refused(ValidationError, "Choose an item of the service menu."):
        a_need(cast, category=parking)


# --- dispatch, take, accept, decline, withdraw --------------------------------------------------


def test_dispatch_to_a_member(cast):
    need = a_need(cast)
    before = timezone.now()
    assignment = actions.dispatch_need(
        acting_user=cast.community, need=need, member=cast.m_member, note="请尽快", suggestion_reason="同楼"
    )
    need.refresh_from_db()
    assert need.state == NeedState.OFFERED
    assert assignment.state == AssignmentState.OFFERED and assignment.via == AssignmentVia.DISPATCH
    assert assignment.assigned_by == cast.community and assignment.suggestion_reason == "同楼"
    assert assignment.respond_by >= before + timedelta(hours=24)
    event = last_event(need)
    assert (event.from_state, event.to_state, event.action, event.actor) == (
        "open",
        "offered",
        "dispatch",
        cast.community,
    )
    audited("service.need_dispatched", need, cast.community)
    assert Notification.objects.filter(recipient=cast.member, kind="service.need_dispatched").exists()


def test_dispatch_to_a_team_and_a_unit(cast):
    team = Team.objects.create(community=cast.places.a1, name="龙津志愿队")
    TeamMembership.objects.create(team=team, member=cast.m_member)
    need = a_need(cast)
    offer = actions.dispatch_need(acting_user=cast.street, need=need, team=team)
    assert offer.team == team
    actions.accept_assignment(acting_user=cast.member, assignment=offer)
    need.refresh_from_db()
    assert need.state == NeedState.TAKEN

    other = a_need(cast, title="帮忙搬家")
    offer = actions.dispatch_need(acting_user=cast.community, need=other, unit=cast.places.unit_a)
    actions.accept_assignment(acting_user=cast.unit, assignment=offer)
    other.refresh_from_db()
    assert other.state == NeedState.TAKEN
    audited("service.assignment_accepted", other, cast.unit)


@pytest.mark.parametrize("who", ["community2", "street2", "unit", "member", "grid", "resident"])
def test_only_the_community_or_street_dispatch(cast, who):
    need = a_need(cast)
    with refused(PermissionDenied, "Only the community or its street can dispatch this need.", need):
        actions.dispatch_need(acting_user=getattr(cast, who), need=need, member=cast.m_member)


def test_dispatch_refusals(cast):
    need = a_need(cast)
    with refused(ValidationError, "neither lives in nor reports to 龙津社区", need):
        actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_b)
    with refused(ValidationError, "Choose one member, one team or one unit.", need):
        actions.dispatch_need(
            acting_user=cast.community, need=need, member=cast.m_member, unit=cast.places.unit_a
        )
    with refused(ValidationError, "Choose one member, one team or one unit.", need):
        actions.dispatch_need(acting_user=cast.community, need=need)
    team_b = Team.objects.create(community=cast.places.a2, name="中山志愿队")
    with refused(ValidationError, "The team belongs to another community.", need):
        actions.dispatch_need(acting_user=cast.community, need=need, team=team_b)
    with refused(ValidationError, "The reply deadline must be in the future.", need):
        actions.dispatch_need(
            acting_user=cast.community,
            need=need,
            member=cast.m_member,
            respond_by=timezone.now() - timedelta(hours=1),
        )
    actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    with refused(ValidationError, "This need is Dispatched, awaiting reply; it cannot be dispatched.", need):
        actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_b_home_a)


def test_a_member_takes_an_open_need(cast):
    need = a_need(cast)
    assignment = actions.take_need(acting_user=cast.member, need=need)
    need.refresh_from_db()
    assert need.state == NeedState.TAKEN
    assert assignment.via == AssignmentVia.TAKEN and assignment.state == AssignmentState.ACCEPTED
    assert assignment.member == cast.m_member and assignment.responded_by == cast.member
    event = last_event(need)
    assert (event.from_state, event.to_state, event.action, event.actor) == (
        "open",
        "taken",
        "take",
        cast.member,
    )
    audited("service.need_taken", need, cast.member)
    assert Notification.objects.filter(recipient=cast.community, kind="service.need_taken").exists()


def test_a_unit_admin_takes_for_the_unit(cast):
    need = a_need(cast)
    assignment = actions.take_need(acting_user=cast.unit, need=need, unit=cast.places.unit_a)
    assert assignment.unit == cast.places.unit_a and assignment.member is None


def test_take_refusals(cast):
    need = a_need(cast)
    with refused(PermissionDenied, "Only members and unit party admins can take needs.", need):
        actions.take_need(acting_user=cast.resident, need=need)
    with refused(PermissionDenied, "Only the unit's party admin can take a need for the unit.", need):
        actions.take_need(acting_user=cast.unit, need=need, unit=cast.places.unit_b)
    in_a2 = a_need(cast, community=cast.places.a2)
    with refused(PermissionDenied, "not of 中山社区", in_a2):
        actions.take_need(acting_user=cast.member, need=in_a2)
    actions.take_need(acting_user=cast.member, need=need)
    other = user_for(cast.m_b_home_a, "zhaoliu")
    with refused(ValidationError, "This need is Taken; it cannot be taken.", need):
        actions.take_need(acting_user=other, need=need)


def test_a_unit_takes_only_needs_of_communities_it_serves(cast):
    """unit_b sits in street B and is paired with no community of street A: the need is not even
    visible to its admin, so it cannot take it either."""
    need = a_need(cast)
    assert not Need.objects.visible_to(cast.unit2).filter(pk=need.pk).exists()
    with refused(PermissionDenied, "", need):
        actions.take_need(acting_user=cast.unit2, need=need, unit=cast.places.unit_b)


def test_accept_refusals(cast):
    need = a_need(cast)
    offer = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    other = user_for(cast.m_b_home_a, "zhaoliu")
    with refused(PermissionDenied, "This need was offered to somebody else.", need, offer):
        actions.accept_assignment(acting_user=other, assignment=offer)
    with refused(PermissionDenied, "This need was offered to somebody else.", need, offer):
        actions.accept_assignment(acting_user=cast.community, assignment=offer)
    actions.accept_assignment(acting_user=cast.member, assignment=offer)
    event = last_event(need)
    assert (event.from_state, event.to_state, event.action, event.actor) == (
        "offered",
        "taken",
        "accept",
        cast.member,
    )
    with refused(ValidationError, "This offer is Accepted; it cannot be accepted.", need, offer):
        actions.accept_assignment(acting_user=cast.member, assignment=offer)
    with refused(ValidationError, "This offer is Accepted; it cannot be declined.", need, offer):
        actions.decline_assignment(acting_user=cast.member, assignment=offer, reason="忙")


def test_decline_sends_the_need_back_with_the_reason(cast):
    need = a_need(cast)
    offer = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    with refused(ValidationError, "Say why you decline", need, offer):
        actions.decline_assignment(acting_user=cast.member, assignment=offer, reason="  ")
    with refused(PermissionDenied, "This need was offered to somebody else.", need, offer):
        actions.decline_assignment(acting_user=cast.resident, assignment=offer, reason="忙")
    actions.decline_assignment(acting_user=cast.member, assignment=offer, reason="这周出差")
    need.refresh_from_db()
    offer.refresh_from_db()
    assert need.state == NeedState.OPEN
    assert offer.state == AssignmentState.DECLINED and offer.decline_reason == "这周出差"
    event = last_event(need)
    assert (event.action, event.actor, event.reason, event.to_state) == (
        "decline",
        cast.member,
        "这周出差",
        "open",
    )
    row = audited("service.assignment_declined", need, cast.member)
    assert row.detail == {"reason": "这周出差"}
    assert Notification.objects.filter(recipient=cast.community, kind="service.assignment_declined").exists()
    # and it can be dispatched again
    actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_b_home_a)


def test_withdraw(cast):
    need = a_need(cast)
    offer = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    with refused(ValidationError, "Say why you take the need back.", need, offer):
        actions.withdraw_assignment(acting_user=cast.community, assignment=offer, reason="")
    with refused(PermissionDenied, "Only the community or its street can take a need back.", need, offer):
        actions.withdraw_assignment(acting_user=cast.member, assignment=offer, reason="x")
    with refused(PermissionDenied, "Only the community or its street can take a need back.", need, offer):
        actions.withdraw_assignment(acting_user=cast.community2, assignment=offer, reason="x")
    actions.accept_assignment(acting_user=cast.member, assignment=offer)
    actions.withdraw_assignment(acting_user=cast.street, assignment=offer, reason="一直没去")
    need.refresh_from_db()
    offer.refresh_from_db()
    assert need.state == NeedState.OPEN and offer.state == AssignmentState.WITHDRAWN
    event = last_event(need)
    assert (event.from_state, event.to_state, event.action, event.actor) == (
        "taken",
        "open",
        "withdraw",
        cast.street,
    )
    audited("service.assignment_withdrawn", need, cast.street)
    with refused(ValidationError, "This offer is Withdrawn; it cannot be withdrawn.", need, offer):
        actions.withdraw_assignment(acting_user=cast.street, assignment=offer, reason="again")


# --- complete, close, cancel ----------------------------------------------------------------------


def test_complete_and_close(cast):
    need = a_need(cast)
    with refused(ValidationError, "This need is Open; it cannot be marked served.", need):
        actions.complete_need(acting_user=cast.member, need=need)
    actions.take_need(acting_user=cast.member, need=need)
    other = user_for(cast.m_b_home_a, "zhaoliu")
    with refused(PermissionDenied, "Only whoever took the need can report it served.", need):
        actions.complete_need(acting_user=other, need=need)
    with refused(ValidationError, "This need is Taken; it cannot be closed.", need):
        actions.close_need(acting_user=cast.community, need=need)
    actions.complete_need(acting_user=cast.member, need=need, note="已修好")
    need.refresh_from_db()
    assert need.state == NeedState.DONE
    assert need.assignments.get().state == AssignmentState.DONE
    event = last_event(need)
    assert (event.from_state, event.to_state, event.action, event.actor) == (
        "taken",
        "done",
        "serve",
        cast.member,
    )
    audited("service.need_served", need, cast.member)
    with refused(PermissionDenied, "Only the community or its street can close this need.", need):
        actions.close_need(acting_user=cast.member, need=need)
    actions.close_need(acting_user=cast.community, need=need)
    need.refresh_from_db()
    assert need.state == NeedState.CLOSED and need.closed_at is not None
    event = last_event(need)
    assert (event.from_state, event.to_state, event.action, event.actor) == (
        "done",
        "closed",
        "close",
        cast.community,
    )
    audited("service.need_closed", need, cast.community)


def test_the_poster_cancels_an_open_need(cast):
    need = actions.post_need(acting_user=cast.resident, title="想学用智能手机", category=item("tutoring"))
    with refused(ValidationError, "Say why the need is cancelled.", need):
        actions.cancel_need(acting_user=cast.resident, need=need, reason=" ")
    with refused(PermissionDenied, "Only whoever posted the need, or the community, can cancel it.", need):
        actions.cancel_need(acting_user=cast.member, need=need, reason="x")
    with refused(PermissionDenied, "Only whoever posted the need, or the community, can cancel it.", need):
        actions.cancel_need(acting_user=cast.community2, need=need, reason="x")
    actions.cancel_need(acting_user=cast.resident, need=need, reason="孙子教会了")
    need.refresh_from_db()
    assert need.state == NeedState.CANCELLED and need.closed_at is not None
    event = last_event(need)
    assert (event.action, event.actor, event.reason) == ("cancel", cast.resident, "孙子教会了")
    audited("service.need_cancelled", need, cast.resident)
    with refused(ValidationError, "This need is Cancelled; it cannot be cancelled.", need):
        actions.cancel_need(acting_user=cast.community, need=need, reason="again")


def test_cancelling_a_taken_need_withdraws_the_taker(cast):
    need = a_need(cast)
    assignment = actions.take_need(acting_user=cast.member, need=need)
    actions.cancel_need(acting_user=cast.community, need=need, reason="重复发布")
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.WITHDRAWN and assignment.decline_reason == "重复发布"
    assert Notification.objects.filter(recipient=cast.member, kind="service.need_cancelled").exists()


# --- service posts --------------------------------------------------------------------------------


def a_post(cast, capacity=2, **kwargs) -> ServicePost:
    kwargs.setdefault("community", cast.places.a1)
    return post_actions.publish_post(
        acting_user=cast.street,
        title="政策宣讲岗",
        category=item("policy_outreach"),
        schedule="每周六 9:00–11:00",
        capacity=capacity,
        starts_on=timezone.localdate(),
        **kwargs,
    )


def test_publish_post(cast):
    post = a_post(cast, place="社区活动室")
    assert post.community_path == cast.places.a1.path and post.published_by == cast.street
    audited("service.post_published", post, cast.street)


@pytest.mark.parametrize(
    ("kwargs", "kind", "message"),
    [
        ({"capacity": 0}, ValidationError, "A post needs room for at least one member."),
        ({"title": " "}, ValidationError, "A post needs a title and a schedule."),
        ({"category": "culture"}, ValidationError, "Choose an item of the service menu."),
        ({"ends_on": -1}, ValidationError, "A post cannot end before it starts."),
        ({"community": "street_a"}, ValidationError, "Choose a community."),
        ({"community": "b1"}, PermissionDenied, "Only the community or its street can publish posts here."),
    ],
)
def test_publish_post_refusals(cast, kwargs, kind, message):
    given = {
        "community": cast.places.a1,
        "title": "政策宣讲岗",
        "category": item("policy_outreach"),
        "schedule": "每周六",
        "capacity": 3,
        "starts_on": timezone.localdate(),
    }
    for key, value in kwargs.items():
        if key == "community":
            value = getattr(cast.places, value)
        elif key == "category":
            value = item(value)
        elif key == "ends_on":
            value = timezone.localdate() + timedelta(days=value)
        given[key] = value
    with refused(kind, message):
        post_actions.publish_post(acting_user=cast.community, **given)


def test_claims_never_exceed_capacity(cast):
    post = a_post(cast, capacity=2)
    first = post_actions.claim_post(acting_user=cast.member, post=post)
    assert first.member == cast.m_member and first.claimed_by == cast.member
    audited("service.post_claimed", post, cast.member)
    with refused(ValidationError, "You already hold this post.", post):
        post_actions.claim_post(acting_user=cast.member, post=post)
    post_actions.claim_post(acting_user=user_for(cast.m_b_home_a, "zhaoliu"), post=post)
    third = user_for(cast.m_retired, "qianqi")
    with refused(ValidationError, "This post is full (2 of 2 places taken).", post):
        post_actions.claim_post(acting_user=third, post=post)
    # a place opens when someone leaves
    post_actions.leave_post(acting_user=cast.member, claim=first)
    post_actions.claim_post(acting_user=third, post=post)
    assert post.claims.filter(left_at__isnull=True).count() == 2


def test_claim_refusals(cast):
    post = a_post(cast)
    with refused(PermissionDenied, "Only members can claim posts, for themselves.", post):
        post_actions.claim_post(acting_user=cast.resident, post=post)
    with refused(PermissionDenied, "Only members can claim posts, for themselves.", post):
        post_actions.claim_post(acting_user=cast.community, post=post, member=cast.m_member)
    in_a2 = a_post(cast, community=cast.places.a2)
    with refused(PermissionDenied, "not of 中山社区", in_a2):
        post_actions.claim_post(acting_user=cast.member, post=in_a2)
    ended = a_post(cast)
    ServicePost.objects.filter(pk=ended.pk).update(ends_on=timezone.localdate() - timedelta(days=1))
    with refused(ValidationError, "This post is closed.", ended):
        post_actions.claim_post(acting_user=cast.member, post=ended)


def test_close_post_releases_holders(cast):
    post = a_post(cast)
    claim = post_actions.claim_post(acting_user=cast.member, post=post)
    with refused(PermissionDenied, "Only the community or its street can close this post.", post):
        post_actions.close_post(acting_user=cast.member, post=post)
    post_actions.close_post(acting_user=cast.community, post=post)
    claim.refresh_from_db()
    post.refresh_from_db()
    assert post.closed_at is not None and claim.left_at == post.closed_at
    audited("service.post_closed", post, cast.community)
    with refused(ValidationError, "This post is already closed.", post):
        post_actions.close_post(acting_user=cast.community, post=post)
    with refused(ValidationError, "This post is closed.", post):
        post_actions.claim_post(acting_user=cast.member, post=post)


def test_leave_post(cast):
    post = a_post(cast)
    claim = post_actions.claim_post(acting_user=cast.member, post=post)
    other = user_for(cast.m_b_home_a, "zhaoliu")
    with refused(PermissionDenied, "Only the member or the community can release this post.", claim):
        post_actions.leave_post(acting_user=other, claim=claim)
    with refused(PermissionDenied, "Only the member or the community can release this post.", claim):
        post_actions.leave_post(acting_user=cast.community2, claim=claim)
    post_actions.leave_post(acting_user=cast.community, claim=claim)
    claim.refresh_from_db()
    assert claim.left_at is not None
    audited("service.post_left", post, cast.community)
    with refused(ValidationError, "This post was already given up.", claim):
        post_actions.leave_post(acting_user=cast.member, claim=claim)


# --- household pairings ---------------------------------------------------------------------------


def test_pairing_and_visits(cast):
    pairing = pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason="独居老人"
    )
    assert pairing.community == cast.places.a1 and pairing.started_on == timezone.localdate()
    audited("service.household_paired", pairing, cast.community)
    assert Notification.objects.filter(recipient=cast.member, kind="service.household_paired").exists()
    with refused(ValidationError, "They are already paired with this household."):
        pairing_actions.pair_household(
            acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason="x"
        )

    visit = pairing_actions.log_pairing_visit(
        acting_user=cast.member, pairing=pairing, visited_on=timezone.localdate(), note="送米送油"
    )
    assert visit.logged_by == cast.member
    assert AuditEvent.objects.filter(action="service.pairing_visit_logged", actor=cast.member).count() == 1
    with refused(ValidationError, "A visit cannot be in the future.", pairing):
        pairing_actions.log_pairing_visit(
            acting_user=cast.member,
            pairing=pairing,
            visited_on=timezone.localdate() + timedelta(days=1),
            note="x",
        )
    with refused(ValidationError, "The visit is before the pairing started.", pairing):
        pairing_actions.log_pairing_visit(
            acting_user=cast.member,
            pairing=pairing,
            visited_on=timezone.localdate() - timedelta(days=1),
            note="x",
        )
    with refused(ValidationError, "Say what was done on the visit.", pairing):
        pairing_actions.log_pairing_visit(
            acting_user=cast.member, pairing=pairing, visited_on=timezone.localdate(), note=" "
        )
    with refused(
        PermissionDenied, "Only the paired member or unit, or the community, can log visits.", pairing
    ):
        pairing_actions.log_pairing_visit(
            acting_user=cast.unit, pairing=pairing, visited_on=timezone.localdate(), note="x"
        )

    with refused(PermissionDenied, "Only the community or its street can end a pairing.", pairing):
        pairing_actions.end_household_pairing(acting_user=cast.member, pairing=pairing)
    pairing_actions.end_household_pairing(acting_user=cast.street, pairing=pairing, reason="搬走了")
    pairing.refresh_from_db()
    assert pairing.ended_on == timezone.localdate()
    assert audited("service.household_pairing_ended", pairing, cast.street).detail == {"reason": "搬走了"}
    with refused(ValidationError, "This pairing has already ended.", pairing):
        pairing_actions.end_household_pairing(acting_user=cast.street, pairing=pairing)
    with refused(ValidationError, "This pairing has ended.", pairing):
        pairing_actions.log_pairing_visit(
            acting_user=cast.member, pairing=pairing, visited_on=timezone.localdate(), note="x"
        )


def test_pair_with_a_unit(cast):
    pairing = pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, unit=cast.places.unit_a, reason="困难家庭"
    )
    pairing_actions.log_pairing_visit(
        acting_user=cast.unit, pairing=pairing, visited_on=timezone.localdate(), note="慰问"
    )
    assert pairing.visits.count() == 1


def test_pairing_refusals(cast):
    with refused(PermissionDenied, "Only the household's community or street can pair it."):
        pairing_actions.pair_household(
            acting_user=cast.community2, household=cast.r_a, member=cast.m_member, reason="x"
        )
    with refused(ValidationError, "Pair the household with one member or one unit."):
        pairing_actions.pair_household(
            acting_user=cast.community,
            household=cast.r_a,
            member=cast.m_member,
            unit=cast.places.unit_a,
            reason="x",
        )
    with refused(ValidationError, "Say why the household needs a pairing."):
        pairing_actions.pair_household(
            acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason=" "
        )
    with refused(ValidationError, "neither lives in nor reports to 龙津社区"):
        pairing_actions.pair_household(
            acting_user=cast.community, household=cast.r_a, member=cast.m_a2, reason="x"
        )
