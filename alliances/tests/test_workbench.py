"""The alliances' index and the workbench: what a street secretary sees at a glance, for each reader;
another street's alliance is missing; a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alliances.members import create_alliance
from alliances.models import (
    Activity,
    AllianceKind,
    BoardRead,
    ChairTurn,
    Commitment,
    CommitmentKind,
    MeetingKind,
)
from alliances.tests.desk_fixtures import desk_alliance, meeting, task
from service.models import ServiceCategory

pytestmark = pytest.mark.django_db


def page(client, cast, who, alliance):
    cast.login(client, who)
    return client.get(reverse("alliances:workbench", args=[alliance.public_id]))


def test_the_street_sees_the_alliance_at_a_glance(client, cast):
    a = desk_alliance(cast)
    today = timezone.localdate()
    a.agreement_dept.ends_on = today + timedelta(days=20)
    a.agreement_dept.save()
    turn = ChairTurn.objects.create(alliance=a.alliance, month=today.replace(day=1), unit=cast.places.unit_a)
    Activity.objects.create(
        alliance=a.alliance,
        chair_turn=turn,
        title="学雷锋志愿服务",
        community=cast.places.a1,
        community_path=cast.places.a1.path,
        place="社区广场",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=2),
        category=ServiceCategory.objects.order_by("id").first(),
    )
    response = page(client, cast, "street", a.alliance)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-count="active">2<' in body
    assert 'data-count="open">2<' in body
    assert 'data-count="overdue">1<' in body
    assert 'data-count="owed">75%<' in body
    assert (
        "下次联席会议" in body
        and reverse("alliances:meeting_detail", args=[a.next_meeting.public_id]) in body
    )
    assert "学雷锋志愿服务" in body  # this month's chair's activity
    assert reverse("alliances:agreement_detail", args=[a.agreement_dept.public_id]) in body  # near expiry
    # who is late: unit A's overdue task, both units' unread task from above, the street meeting missed
    assert body.count('data-late="overdue"') == 1
    assert body.count('data-late="unread"') == 2
    assert 'data-late="missed"' in body
    assert f"{reverse('alliances:owed')}?alliance={a.alliance.public_id}" in body
    assert f"{reverse('alliances:compliance')}?alliance={a.alliance.public_id}" in body
    assert reverse("alliances:meeting_create") in body  # the street leads it: it may call a meeting


def test_expired_agreements_make_a_unit_late_and_inactive(client, cast):
    a = desk_alliance(cast)
    a.agreement_dept.ends_on = timezone.localdate() - timedelta(days=3)
    a.agreement_dept.save()
    BoardRead.objects.create(post=a.board_task, unit=cast.places.unit_a)
    body = page(client, cast, "street", a.alliance).content.decode()
    assert 'data-count="active">1<' in body
    assert 'data-late="expired"' in body
    assert body.count('data-late="unread"') == 1
    assert "Agreement expired" in body or "协议已到期" in body


@pytest.mark.parametrize("who", ["community", "unit", "inspector", "dept", "orgdept"])
def test_the_alliances_readers_see_it(client, cast, who):
    a = desk_alliance(cast)
    response = page(client, cast, who, a.alliance)
    assert response.status_code == 200
    assert reverse("alliances:meeting_create") not in response.content.decode()  # none of them leads it


def test_a_unit_sees_only_its_own_agreements_figure(client, cast):
    a = desk_alliance(cast)
    Commitment.objects.create(
        agreement=a.agreement_dept, kind=CommitmentKind.PEOPLE, description="x", quantity=10
    )
    assert 'data-count="owed">75%<' in page(client, cast, "unit", a.alliance).content.decode()
    assert 'data-count="owed">' in page(client, cast, "street", a.alliance).content.decode()


@pytest.mark.parametrize("who", ["street2", "community2", "unit2"])
def test_another_street_gets_404(client, cast, who):
    a = desk_alliance(cast)
    assert page(client, cast, who, a.alliance).status_code == 404


def test_roles_without_alliances_are_refused(client, cast):
    a = desk_alliance(cast)
    for who in ("member", "resident", "grid"):
        assert page(client, cast, who, a.alliance).status_code == 403


def test_the_workbench_costs_the_same_with_more_records(client, cast, django_assert_max_num_queries):
    a = desk_alliance(cast)
    cast.login(client, "street")
    url = reverse("alliances:workbench", args=[a.alliance.public_id])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    today = timezone.localdate()
    for n in range(4):
        m = meeting(
            a, MeetingKind.STREET, period_start=today.replace(day=1), held_on=today - timedelta(days=n + 1)
        )
        task(m, 1, cast.places.unit_a, due_on=today - timedelta(days=1))
        Commitment.objects.create(
            agreement=a.agreement_a, kind=CommitmentKind.HOURS, description=f"{n}", quantity=1
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_an_empty_workbench_says_what_to_do(client, cast):
    alliance = create_alliance(
        acting_user=cast.street,
        name="新联盟",
        kind=AllianceKind.STREET,
        area=cast.places.street_a,
        founded_on=timezone.localdate(),
    )
    body = page(client, cast, "street", alliance).content.decode()
    assert "No member unit yet" in body or "还没有成员单位" in body


def test_the_index_goes_straight_to_the_only_alliance(client, cast):
    a = desk_alliance(cast)
    cast.login(client, "street")
    response = client.get(reverse("alliances:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("alliances:workbench", args=[a.alliance.public_id])


def test_the_index_lists_several_and_says_who_founds_one(client, cast):
    cast.login(client, "street")
    body = client.get(reverse("alliances:index")).content.decode()
    assert 'data-empty="alliances"' in body and reverse("alliances:create") in body
    a = desk_alliance(cast)
    other = create_alliance(
        acting_user=cast.community,
        name="龙津社区联合党委",
        kind=AllianceKind.COMMUNITY,
        area=cast.places.a1,
        founded_on=timezone.localdate(),
    )
    body = client.get(reverse("alliances:index")).content.decode()
    assert f'data-alliance="{a.alliance.public_id}"' in body and f'data-alliance="{other.public_id}"' in body
    cast.login(client, "street2")
    body = client.get(reverse("alliances:index")).content.decode()
    assert 'data-empty="alliances"' in body
