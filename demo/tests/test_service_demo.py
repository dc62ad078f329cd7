"""The demo city's service loop: every state is there, every row was written by its action at its
moment, the numbers add up, and each demo account finds its part of the loop ready."""

from collections import Counter, defaultdict
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F, Sum
from django.utils import timezone

import access
from access import unit_reaches
from accounts.models import RoleGrant
from audit.models import AuditEvent
from demo.accounts import CAST_PREFIX
from demo.layout import CityLayout
from demo.service.loop import LOOP_COMMUNITIES, loop_communities
from notifications import tasks as notification_tasks
from notifications.models import Notification
from points.actions import balance_of, quote, redeem_reward, time_bank_minutes
from points.models import EntryKind, PointEntry, Redemption, RedemptionState, Reward
from service.models import (
    Assignment,
    AssignmentState,
    ConfirmedVia,
    HouseholdPairing,
    Need,
    NeedKind,
    NeedState,
    PairingVisit,
    Project,
    ProjectState,
    Rating,
    RecordState,
    Resource,
    ResourceKind,
    ServicePost,
    ServiceRecord,
)
from service.needs.suggestions import suggest
from service.records import actions as record_actions

SMALL = {
    "members": 400,
    "units": 20,
    "residents": 80,
    "applicants": 10,
    "districts": 2,
    "streets_per_district": 2,
    "communities_per_street": 2,
}
DEMO_OPTIONS = SMALL  # the city the conftest commits once for the tests that use it


def build(**options) -> str:
    out = StringIO()
    call_command("demo_city", stdout=out, **{**SMALL, **options})
    return out.getvalue()


@pytest.fixture
def city(demo_city):
    return demo_city


def grant(username):
    return RoleGrant.objects.select_related("user", "area", "unit", "grid").get(user__username=username)


def test_every_part_of_the_loop_is_there_in_every_state(city):
    assert "needs and wishes" in city and "points entries" in city
    communities = set(Need.objects.values_list("community_id", flat=True))
    assert len(communities) == 8
    for community in communities:
        needs = Need.objects.filter(community_id=community)
        assert set(needs.values_list("state", flat=True)) == set(NeedState.values)
        assert needs.wishes().exists() and needs.needs().exists()
        assert Assignment.objects.filter(need__community_id=community).awaiting_reply_too_long().exists()
        assert Assignment.objects.filter(
            need__community_id=community, state=AssignmentState.DECLINED
        ).exclude(decline_reason="")
        posts = list(ServicePost.objects.filter(community_id=community).with_taken())
        assert len(posts) == 3 and any(p.taken == p.capacity for p in posts)
        assert all(p.taken <= p.capacity for p in posts)
        assert Reward.objects.filter(area_id=community).count() >= 5
        records = ServiceRecord.objects.filter(community_id=community)
        assert set(records.values_list("state", flat=True)) == set(RecordState.values)
    assert set(Need.objects.values_list("posted_as", flat=True)) >= {"resident", "grid_worker", "community"}
    assert (
        Need.objects.filter(title="楼道灯坏了").exists() and Need.objects.filter(title="小区停车难").exists()
    )
    assert Need.objects.filter(kind=NeedKind.WISH, budget__gt=0).exists()
    assert set(Assignment.objects.values_list("state", flat=True)) == set(AssignmentState.values)
    assert Assignment.objects.filter(team__isnull=False).exists()
    assert Assignment.objects.filter(unit__isnull=False).exists()
    assert PairingVisit.objects.filter(record__isnull=False).exists()
    assert HouseholdPairing.objects.filter(unit__isnull=False).exists()
    assert set(Resource.objects.values_list("kind", flat=True)) == set(ResourceKind.values)
    assert set(Project.objects.values_list("state", flat=True)) == set(ProjectState.values)
    centre = Project.objects.get(title__endswith="居家养老服务中心", community=grant("community").area)
    assert "4200平方米" in centre.description and centre.milestones.exists() and centre.commitments.exists()
    assert Rating.objects.filter(record__isnull=False).exists()
    assert Rating.objects.filter(project__isnull=False).exists()
    assert set(Redemption.objects.values_list("state", flat=True)) == set(RedemptionState.values)


def test_every_need_and_record_went_through_the_steps_the_actions_take(city):
    now = timezone.now()
    for need in Need.objects.prefetch_related("events", "assignments"):
        events = list(need.events.all())
        assert events[0].from_state == "" and events[0].to_state == NeedState.OPEN
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_state == before.to_state and after.at >= before.at
        assert events[-1].to_state == need.state and events[-1].at <= now
        current = [a for a in need.assignments.all() if a.state in ("offered", "accepted")]
        assert len(current) == (1 if need.state in ("offered", "taken") else 0)
        if need.state in ("done", "closed"):
            assert [a.state for a in need.assignments.all()].count("done") == 1
        for a in need.assignments.all():
            if a.member_id:  # whoever was asked serves the community
                assert access.serves_in(a.member, need.community)
        if need.state == NeedState.CLOSED:
            assert need.records.get().state == RecordState.CONFIRMED and need.closed_at
        if need.state == NeedState.DONE:
            assert need.records.get().state == RecordState.SUBMITTED
    for record in ServiceRecord.objects.select_related("member", "community").prefetch_related("events"):
        events = list(record.events.all())
        assert events[0].action == "log" and events[-1].to_state == record.state
        assert record.started_at + timezone.timedelta(minutes=record.minutes) <= record.created_at <= now
        assert (record.created_at - record.started_at).days < 30
        assert access.serves_in(record.member, record.community)
        if record.state == RecordState.SUBMITTED:  # nothing odd about it: a code can confirm it
            assert (
                record_actions.plausibility_flags(
                    member=record.member,
                    started_at=record.started_at,
                    minutes=record.minutes,
                    beneficiary_resident=record.beneficiary_resident,
                    beneficiary_name=record.beneficiary_name,
                    exclude=record,
                )
                == []
            )
        if record.state in (RecordState.FLAGGED, RecordState.REJECTED):
            found = record_actions.plausibility_flags(
                member=record.member, started_at=record.started_at, minutes=record.minutes, exclude=record
            )
            assert record.flags and set(record.flags) <= set(found)
        if record.state == RecordState.REJECTED:
            assert record.reject_reason


def test_projects_and_resources_keep_the_rules_of_the_unit_actions(city):
    moves = {"propose", "agree", "start", "complete", "evaluate", "drop"}
    for project in Project.objects.prefetch_related("events", "participants", "commitments", "milestones"):
        events = list(project.events.order_by("at", "id"))
        assert events[0].action == "propose" and events[0].from_state == ""
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_state == before.to_state
            if after.action not in moves:  # joining, committing, milestones: the state stays
                assert after.to_state == after.from_state
        assert events[-1].to_state == project.state
        units = {p.unit_id for p in project.participants.all()}
        assert units  # agreed with a unit
        for commitment in project.commitments.all():
            assert commitment.unit_id in units
            if commitment.resource_id:
                assert commitment.resource.unit_id == commitment.unit_id
                assert commitment.resource.community_id in (None, project.community_id)
        if project.state in (ProjectState.COMPLETED, ProjectState.EVALUATED):
            assert project.beneficiaries_served >= 1 and project.ends_on
        if project.state == ProjectState.EVALUATED:
            assert project.evaluation
        for milestone in project.milestones.all():
            assert milestone.done_on is None or project.starts_on <= milestone.done_on <= timezone.localdate()
    for resource in Resource.objects.select_related("unit").prefetch_related("commitments"):
        assert sum(c.quantity for c in resource.commitments.all()) <= resource.quantity
        if resource.community_id:  # offered to a community of its street, or one it is paired with
            assert unit_reaches(resource.unit, resource.community)


def test_the_numbers_add_up(city):
    entries = defaultdict(list)
    for e in PointEntry.objects.order_by("created_at", "id"):
        entries[e.member_id].append(e)
    assert entries
    for member_id, own in entries.items():
        running = 0
        for e in own:  # nobody ever spent what they did not have
            running += e.amount
            assert running >= 0
        assert PointEntry.objects.filter(member_id=member_id).balance() == running
    for record in ServiceRecord.objects.select_related("category", "need").prefetch_related("point_entries"):
        booked = {e.kind: e.amount for e in record.point_entries.all()}
        if record.state != RecordState.CONFIRMED:
            assert booked == {}
            continue
        q = quote(record)  # the daily cap never bites in the demo: one service a day, three hours at most
        assert booked == {k: v for k, v in {"service": q.base, "bonus": q.bonus}.items() if v}
        assert all(e.created_at == record.confirmed_at for e in record.point_entries.all())
    by_day = PointEntry.objects.filter(kind__in=("service", "bonus")).values("member_id", "served_on")
    assert max(row["total"] for row in by_day.annotate(total=Sum("amount"))) <= 80
    for redemption in Redemption.objects.prefetch_related("entries"):
        kinds = sorted((e.kind, e.amount) for e in redemption.entries.all())
        expected = [(EntryKind.REDEMPTION, -redemption.cost)]
        if redemption.state == RedemptionState.CANCELLED:
            expected = [(EntryKind.REDEMPTION, -redemption.cost), (EntryKind.REVERSAL, redemption.cost)]
        assert kinds == sorted(expected)
    for reward in Reward.objects.with_stock():
        assert 0 <= reward.redeemed <= reward.stock
    for member_id in list(entries)[:50]:
        confirmed = ServiceRecord.objects.confirmed().filter(member_id=member_id).aggregate(m=Sum("minutes"))
        assert time_bank_minutes(entries[member_id][0].member) == (confirmed["m"] or 0)


def test_each_demo_account_finds_its_part_of_the_loop(city):
    member_user, resident_user = grant("member").user, grant("resident").user
    member, resident = member_user.member, resident_user.resident
    community = grant("community")

    # the member: an offer to answer, a taken need to serve, points to spend
    offer = Assignment.objects.for_user(member_user).get(state=AssignmentState.OFFERED)
    assert "Same building" in offer.suggestion_reason or "同一楼栋" in offer.suggestion_reason
    taken = Assignment.objects.for_user(member_user).get(state=AssignmentState.ACCEPTED).need
    assert taken.state == NeedState.TAKEN and taken.beneficiary_resident == resident
    balance = balance_of(member)
    shelf = Reward.objects.visible_to(member_user).offered().order_by("cost")
    assert shelf.exists() and balance >= shelf.first().cost
    redeem_reward(acting_user=member_user, reward=shelf.first())
    assert balance_of(member) == balance - shelf.first().cost

    # the resident: a record to confirm, a need in progress
    waiting = ServiceRecord.objects.visible_to(resident_user).get(
        beneficiary_resident=resident, state=RecordState.SUBMITTED
    )
    assert Need.objects.visible_to(resident_user).filter(state__in=("offered", "taken")).exists()
    before = balance_of(member)
    record_actions.confirm_as_beneficiary(acting_user=resident_user, record=waiting, score=5)
    assert balance_of(member) == before + quote(waiting).base + quote(waiting).bonus

    # the community: new needs with suggestions worth following, records to review
    fresh = Need.objects.visible_to(community.user).filter(community=community.area).open()
    assert fresh.count() >= 3
    for need in fresh:  # the first suggestion fits the need, not just the community
        top = suggest(need)[0]
        fits = ("Skills", "Signed up for", "Same", "Focus", "Filed under")
        # a unit's resource is on the list because it fits (its item, or its kind) by construction
        assert top.kind == "resource" or any(r.startswith(fits) for r in top.reasons), top
    records = ServiceRecord.objects.visible_to(community.user).filter(community=community.area)
    assert records.pending().filter(state=RecordState.SUBMITTED).exists() and records.flagged().exists()

    # the unit: resources, one offered to the community, and a running project
    unit = grant("unit")
    resources = Resource.objects.visible_to(unit.user).filter(unit=unit.unit).available()
    assert resources.count() >= 3 and resources.filter(community=community.area).exists()
    assert Project.objects.visible_to(unit.user).filter(units=unit.unit).running().exists()

    # the grid worker posted needs in their grid; the street sees its communities' board
    assert Need.objects.visible_to(grant("grid").user).filter(posted_by=grant("grid").user).exists()
    assert Need.objects.visible_to(grant("street").user).filter(community=community.area).count() > 10


def snapshot():
    return (
        sorted(Need.objects.values_list("community__code", "title", "state", "kind")),
        sorted(ServiceRecord.objects.values_list("member__id_number_hash", "state", "minutes")),
        PointEntry.objects.balance(),
        Counter(Redemption.objects.values_list("state", flat=True)),
    )


def test_the_same_seed_gives_the_same_loop_and_reset_clears_the_ledger(city):
    """Also: everyone who acts in the loop has an account; a rebuild makes them again, none left over."""
    from django.contrib.auth import get_user_model

    first = snapshot()
    assert first[2] > 0
    cast = get_user_model().objects.filter(username__startswith=CAST_PREFIX)
    before = cast.count()
    assert before > 50 and not cast.filter(role_grants__isnull=True).exists()
    build(reset=True)  # the append-only ledger goes with the city (PostgreSQL: past its trigger)
    assert snapshot() == first
    assert cast.count() == before


# --- the demo books by the one rule of points.actions ---------------------------------------------


def _logged(cast, minutes, hours_ago=30):
    from service.models import ServiceCategory

    return record_actions.log_service_record(
        acting_user=cast.member,
        category=ServiceCategory.objects.get(code="elderly_care"),
        started_at=timezone.now() - timedelta(hours=hours_ago),
        minutes=minutes,
        description="陪同就医",
        community=cast.places.a1,
    )


def _loop(cast):
    """What demo.service.records.confirm asks of the loop: its clock and the community's staff."""
    return SimpleNamespace(
        at=lambda moment: time_machine.travel(moment, tick=False),
        staff=lambda place: cast.community,
        counts=defaultdict(int),
    )


@pytest.mark.parametrize(("minutes", "points"), [(15, 3), (45, 8), (60, 10), (100, 17)])
def test_the_demo_books_what_the_action_books(cast, minutes, points):
    """The demo has no booking of its own: it confirms through the action, which books by the rule.
    15 minutes at 10 points an hour is 2.5 points, rounded half up to 3 (Python's round() made it
    2), booked at the moment the demo confirms."""
    from demo.service.records import confirm

    record = _logged(cast, minutes)
    moment = timezone.now() + timedelta(minutes=1)
    confirm(_loop(cast), None, record, ConfirmedVia.COMMUNITY, moment, rate=False)
    booked = PointEntry.objects.filter(record=record).values_list("kind", "amount", "minutes", "created_at")
    assert list(booked) == [(EntryKind.SERVICE, points, minutes, moment)]


# --- one write path ---------------------------------------------------------------------------------


def test_every_row_of_the_loop_comes_from_its_action_at_its_moment(city):
    """No second write path: each need, post, record, confirmation, pairing, project, resource, reward
    and redemption has the audit row its action writes, stamped when the row says it happened."""

    def audited(action, rows, when=None):
        at = dict(AuditEvent.objects.filter(action=action).values_list("target_id", "at"))
        assert rows
        for row in rows:
            assert str(row.public_id) in at, (action, row)
            # the same instant in the past; today's business runs on the clock, a few µs apart
            assert when is None or abs(at[str(row.public_id)] - when(row)) < timedelta(seconds=1), (
                action,
                row,
            )

    audited("service.need_posted", Need.objects.all(), lambda need: need.created_at)
    audited("service.post_published", ServicePost.objects.all(), lambda post: post.created_at)
    # a member's attendance at an alliance activity is recorded by its organiser (demo/alliances)
    attended = ServiceRecord.objects.filter(activity_signup__isnull=False)
    logged = ServiceRecord.objects.filter(activity_signup__isnull=True)
    audited("service.record_logged", logged, lambda record: record.created_at)
    audited("service.record_attended", attended, lambda record: record.created_at)
    confirmed = ServiceRecord.objects.confirmed()
    audited("service.record_confirmed", confirmed, lambda record: record.confirmed_at)
    audited("service.record_rejected", ServiceRecord.objects.filter(state=RecordState.REJECTED))
    audited("service.household_paired", HouseholdPairing.objects.all())
    audited("service.project_proposed", Project.objects.all(), lambda project: project.created_at)
    audited("service.resource_added", Resource.objects.all(), lambda resource: resource.created_at)
    audited("points.reward_added", Reward.objects.all(), lambda reward: reward.created_at)
    audited("points.reward_redeemed", Redemption.objects.all(), lambda redemption: redemption.placed_at)
    # as the right actor: the member logs their own service, the poster is who the need says
    assert not logged.exclude(logged_by=F("member__user")).exists()
    assert not Need.objects.filter(posted_by=None).exists()
    for record in confirmed.prefetch_related("point_entries"):  # booked by the confirmation
        assert {e.created_at for e in record.point_entries.all()} == {record.confirmed_at}


def test_the_history_fills_inboxes_without_queueing_a_delivery_each(db, django_capture_on_commit_callbacks):
    """The actions notify as they always do, but the months of history queue no delivery run per
    message: they count as delivered when they were written. Today's business is delivered as usual."""
    task = notification_tasks.deliver_pending
    with django_capture_on_commit_callbacks() as callbacks:
        build()
    assert notification_tasks.deliver_pending is task  # the task is back
    history = Notification.objects.exclude(delivered_at=None)
    assert history.count() > 200 and history.filter(recipient__username="community").exists()
    assert all(n.delivered_at == n.created_at for n in history)
    today = Notification.objects.filter(delivered_at=None)  # the check-ins and the demo accounts' business
    deliveries = [callback for callback in callbacks if callback is task]
    assert 0 < today.count() < 40 and 0 < len(deliveries) <= today.count()


def test_the_loop_runs_in_the_home_street_then_one_community_of_each_street_in_turn():
    """A benchmark city has hundreds of communities: the loop takes LOOP_COMMUNITIES of them."""
    streets = [SimpleNamespace(pk=n) for n in range(4)]
    communities = [SimpleNamespace(street=street, n=(street.pk, k)) for street in streets for k in range(3)]
    layout = CityLayout(city=None, city_org=None, today=None, streets=streets, communities=communities)
    chosen = [c.n for c in loop_communities(layout)]
    assert chosen == [(0, 0), (0, 1), (0, 2), (1, 0), (2, 0), (3, 0), (1, 1), (2, 1)]
    assert len(chosen) == LOOP_COMMUNITIES
    layout.communities = communities[:5]
    assert [c.n for c in loop_communities(layout)] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]


def test_units_are_asked_and_paired_only_where_they_serve(city):
    """The demo offers needs to and pairs households with units of the community's street or paired
    with it, as dispatch_need and pair_household require."""
    offered = Assignment.objects.filter(unit__isnull=False).select_related(
        "unit__address_area", "need__community"
    )
    paired = HouseholdPairing.objects.filter(unit__isnull=False).select_related(
        "unit__address_area", "community"
    )
    assert offered.exists() and paired.exists()
    for assignment in offered:
        assert unit_reaches(assignment.unit, assignment.need.community)
    for pairing in paired:
        assert unit_reaches(pairing.unit, pairing.community)
