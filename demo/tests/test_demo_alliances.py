"""The demo city's alliances: every street has one, with agreements in every state, posts held by the demo
accounts, a rotation with a swap, a year of meetings with minutes and resolutions in every state, all four
compliance states, activities whose attendance became exactly one confirmed record per member, the board
with units that have not read, and leaders' visits — all written by the actions, none refused."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleGrant
from accounts.second_factor_actions import sign_in_verified
from alliances import compliance
from alliances.models import (
    Activity,
    ActivitySignup,
    ActivityState,
    Agreement,
    AgreementState,
    Alliance,
    AllianceKind,
    AllianceMember,
    AlliancePost,
    BoardPost,
    ChairTurn,
    Invitation,
    LeaderLink,
    LeaderVisit,
    Meeting,
    MeetingKind,
    MeetingState,
    MinutesState,
    PostRole,
    Resolution,
    ResolutionState,
)
from demo import vocab
from demo.tests.test_service_demo import DEMO_OPTIONS  # noqa: F401 (the same city, built once)
from places.models import Area, AreaLevel
from service.models import RecordState

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(demo_city):
    return demo_city


def user(username):
    return get_user_model().objects.get(username=username)


def demo_streets():
    return Area.objects.filter(level=AreaLevel.STREET, code__startswith=vocab.CITY_CODE[:4])


def home_alliance():
    grant = RoleGrant.objects.get(user__username="street", role=Role.STREET)
    return Alliance.objects.get(area=grant.area)


def test_every_street_has_an_alliance_and_no_step_was_refused(city):
    streets = demo_streets()
    areas = set(Alliance.objects.values_list("area_id", flat=True))
    assert streets and set(streets.values_list("pk", flat=True)) <= areas
    line = next(line for line in city.splitlines() if "alliances," in line)
    assert "refused" not in line and "skipped" not in line, line
    for alliance in Alliance.objects.filter(area__in=streets):
        members = AllianceMember.objects.filter(alliance=alliance)
        assert members.count() >= 5
        assert members.filter(unit__kind="department").exists()


def test_agreements_in_every_state_and_an_expired_one_makes_its_unit_inactive(city):
    today = timezone.localdate()
    agreements = Agreement.objects.all()
    assert {AgreementState.DRAFT, AgreementState.SIGNED, AgreementState.RENEWED} <= set(
        agreements.values_list("state", flat=True)
    )
    assert agreements.expiring_within(today, 30).exists()
    expired = agreements.expired_on(today)
    assert expired.exists()
    for agreement in expired:
        active = AllianceMember.objects.active_on(today).filter(alliance=agreement.alliance)
        assert not active.filter(unit=agreement.unit).exists()
        assert (
            AllianceMember.objects.current().filter(alliance=agreement.alliance, unit=agreement.unit).exists()
        )
    for renewed in agreements.filter(state=AgreementState.RENEWED):
        assert renewed.renewal.state == AgreementState.SIGNED and renewed.renewal.in_force(today)
    signed = agreements.filter(state=AgreementState.SIGNED)
    assert not signed.filter(unit_signed_at__isnull=True).exists()
    assert not signed.filter(lead_signed_at__isnull=True).exists()
    waiting = agreements.filter(state=AgreementState.DRAFT)
    assert waiting.filter(lead_signed_at__isnull=False, unit_signed_at__isnull=True).exists()
    pairing = signed.filter(community__isnull=False)
    assert pairing.exists() and not pairing.filter(pairing__isnull=True).exists()
    assert signed.filter(commitments__resource__isnull=False).exists()  # linked to the service loop
    assert all(a.commitments.exists() for a in agreements)


def test_posts_are_held_by_the_demo_accounts(city):
    alliance = home_alliance()
    posts = AlliancePost.objects.current().filter(alliance=alliance)
    roles = {(p.role, p.user.username) for p in posts.select_related("user")}
    assert (PostRole.SECRETARY, "street") in roles
    assert (PostRole.DEPUTY, "community") in roles
    assert (PostRole.PART_TIME, "unit") in roles
    assert (PostRole.INSPECTOR, "inspector") in roles
    assert (PostRole.ENVOY, "member") in roles
    assert (PostRole.INFORMANT, "grid") in roles
    assert posts.filter(role=PostRole.LIAISON).count() >= 2
    inspector = posts.get(role=PostRole.INSPECTOR)
    assert inspector.followed_units.count() == 3
    envoys = Counter(posts.filter(role=PostRole.ENVOY).values_list("unit_id", flat=True))
    assert envoys and max(envoys.values()) == 1


def test_the_chair_rotates_over_this_year_with_a_swap_and_past_months_reported(city):
    today = timezone.localdate()
    for alliance in Alliance.objects.filter(kind=AllianceKind.STREET):
        turns = ChairTurn.objects.filter(alliance=alliance, month__year=today.year)
        assert turns.count() == 12
        assert turns.exclude(scheduled_unit=None).exclude(scheduled_unit=F("unit")).count() == 2
        past = turns.filter(month__lt=today.replace(day=1))
        assert not past.filter(reported_at__isnull=True).exists()
        assert not past.filter(activities__isnull=True).exists()


def test_a_year_of_meetings_with_sign_ins_leave_and_minutes(city):
    held = Meeting.objects.filter(state=MeetingState.HELD)
    kinds = set(held.values_list("kind", flat=True))
    assert {MeetingKind.PLENARY, MeetingKind.REGULAR, MeetingKind.STREET, MeetingKind.EMERGENCY} <= kinds
    assert held.filter(kind=MeetingKind.CASE, cases__isnull=False).exists()
    assert Meeting.objects.filter(state=MeetingState.PLANNED, starts_at__gt=timezone.now()).exists()
    invitations = Invitation.objects.filter(meeting__in=held)
    assert invitations.filter(signed_in_at__isnull=False).count() > invitations.count() / 2
    assert invitations.exclude(excused="").exists()
    assert invitations.filter(signed_in_at__isnull=True, excused="").exists()  # absent
    for inv in invitations.filter(signed_in_at__isnull=False).select_related("meeting")[:200]:
        assert inv.meeting.starts_at.timestamp() - 1800 <= inv.signed_in_at.timestamp()
        assert inv.signed_in_at <= inv.meeting.ends_at
    assert held.filter(minutes_state=MinutesState.DRAFT).exists()
    published = held.filter(minutes_state=MinutesState.PUBLISHED)
    assert published.exists()
    amended = [m for m in published if m.minutes_revisions.exclude(note="").exists()]
    assert amended


def test_the_home_community_joint_committee_meets_monthly_but_missed_a_month(city):
    grant = RoleGrant.objects.get(user__username="community", role=Role.COMMUNITY)
    alliance = Alliance.objects.get(area=grant.area, kind=AllianceKind.COMMUNITY)
    assert AlliancePost.objects.filter(
        alliance=alliance, role=PostRole.SECRETARY, user__username="community"
    ).exists()
    assert AlliancePost.objects.filter(alliance=alliance, role=PostRole.PART_TIME).exists()
    monthly = Meeting.objects.filter(alliance=alliance, kind=MeetingKind.COMMUNITY, state=MeetingState.HELD)
    months = sorted(monthly.values_list("period_start", flat=True))
    assert len(months) >= 4 and len(set(months)) == len(months)
    gaps = [
        (b.year * 12 + b.month) - (a.year * 12 + a.month) for a, b in zip(months, months[1:], strict=False)
    ]
    assert gaps.count(2) == 1 and set(gaps) <= {1, 2}  # one month missed
    assert Resolution.objects.filter(meeting__in=monthly).exists()


def test_resolutions_in_every_state(city):
    today = timezone.localdate()
    resolutions = Resolution.objects.all()
    assert set(resolutions.values_list("state", flat=True)) == set(ResolutionState.values)
    assert resolutions.overdue(today).exists()
    assert resolutions.open().filter(due_on__gte=today).exists()
    for closed in resolutions.filter(state=ResolutionState.CLOSED):
        assert closed.updates.filter(is_evidence=True).exists() and closed.closed_at is not None
    assert not resolutions.filter(state=ResolutionState.CASE, case__isnull=True).exists()
    unit = user("unit").role_grants.get(role="unit_admin").unit
    assert resolutions.open().filter(owner_unit=unit).exists()  # the unit account has tasks waiting


def test_compliance_shows_on_time_late_missed_and_due(city):
    for alliance in Alliance.objects.filter(area__in=demo_streets()):
        report = compliance.for_alliance(alliance, today=timezone.localdate())
        counts = report.counts
        assert counts[compliance.ON_TIME] >= 5 and counts[compliance.LATE] == 1, counts
        assert counts[compliance.MISSED] == 1 and counts[compliance.DUE] >= 2, counts
        [missed] = report.missed
        assert missed.kind == MeetingKind.STREET
        assert report.attendance.excused and report.attendance.signed_in < report.attendance.invited


def test_attendance_became_exactly_one_confirmed_record_per_member(city):
    signups = ActivitySignup.objects.filter(service_record__isnull=False).select_related(
        "service_record", "activity"
    )
    assert signups.count() >= 10
    records = [s.service_record for s in signups]
    assert len({r.pk for r in records}) == len(records)
    for signup in signups:
        record = signup.service_record
        assert record.member_id == signup.member_id
        assert record.state == RecordState.CONFIRMED
        assert record.community_id == signup.activity.community_id
        assert signup.checked_in_at is not None
    confirmed = Activity.objects.filter(state=ActivityState.CONFIRMED)
    assert confirmed.exists()
    no_show = ActivitySignup.objects.filter(activity__in=confirmed, checked_in_at__isnull=True)
    assert no_show.exists() and not no_show.filter(service_record__isnull=False).exists()
    upcoming = Activity.objects.filter(state=ActivityState.OPEN, starts_at__gt=timezone.now())
    full = [a for a in upcoming if a.capacity and a.signups.filter(cancelled_at=None).count() >= a.capacity]
    assert full and len(full) < upcoming.count()


def test_the_board_has_units_that_have_not_read_and_leaders_visited(city):
    alliance = home_alliance()
    posts = BoardPost.objects.filter(alliance=alliance)
    assert set(posts.values_list("kind", flat=True)) == {"update", "task", "plan"}
    members = AllianceMember.objects.current().filter(alliance=alliance).count()
    assert any(p.reads.count() < members for p in posts)
    assert any(p.reads.exists() for p in posts)
    unit = user("unit").role_grants.get(role="unit_admin").unit
    assert posts.exclude(reads__unit=unit).exists()
    for street in demo_streets():
        links = LeaderLink.objects.filter(community__parent=street)
        assert 1 <= links.count() <= 3
    visits = LeaderVisit.objects.all()
    assert visits.exists() and visits.filter(cases__isnull=False).exists()


@pytest.mark.parametrize("username", ["street", "community", "unit", "inspector"])
def test_demo_accounts_see_their_alliance_workbench(city, client, username):
    alliance = home_alliance()
    sign_in_verified(client, user(username))
    response = client.get(reverse("alliances:workbench", kwargs={"public_id": alliance.public_id}))
    assert response.status_code == 200
    assert alliance.name in response.content.decode()


def test_another_street_does_not_see_the_home_alliance(city, client):
    alliance = home_alliance()
    sign_in_verified(client, user("street2"))
    response = client.get(reverse("alliances:workbench", kwargs={"public_id": alliance.public_id}))
    assert response.status_code == 404


def test_the_unit_finds_its_tasks_and_the_inspector_the_units_it_follows(city, client):
    unit = user("unit").role_grants.get(role=Role.UNIT_ADMIN).unit
    sign_in_verified(client, user("unit"))
    page = client.get(reverse("alliances:my_unit")).content.decode()
    task = Resolution.objects.open().filter(owner_unit=unit).first()
    assert task is not None and task.text in page
    sign_in_verified(client, user("inspector"))
    page = client.get(reverse("alliances:inspector")).content.decode()
    followed = AlliancePost.objects.current().get(role=PostRole.INSPECTOR, user__username="inspector")
    assert all(u.name in page for u in followed.followed_units.all())
