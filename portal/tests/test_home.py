"""Each role's home starts with its work: every item is there when its work waits, opens a page the
user may open, and goes when the work is done. Figures that mean nothing to a role are not shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checkin import actions
from checkin.models import CheckIn
from checkin.reconciliation import Period, area_members, rates_by_area
from gongjian.testing import item
from service.models import ServiceCategory
from service.needs import actions as need_actions
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db


def home(client, cast, who):
    response = cast.login(client, who).get(reverse("portal:home"))
    assert response.status_code == 200
    return response


def work(response) -> dict:
    return {i.key: i for i in response.context["work"]}


def opens(client, url) -> int:
    return client.get(url).status_code


def test_member_is_asked_to_report_until_they_do(client, cast):
    todo = work(home(client, cast, "member"))
    assert todo["checkin.report"].count == 1 and todo["checkin.report"].overdue
    assert opens(client, todo["checkin.report"].url) == 200
    actions.submit_checkin(acting_user=cast.member, member=cast.m_member)
    assert "checkin.report" not in work(home(client, cast, "member"))


def test_unit_certifies_then_community_confirms_and_each_item_goes(client, cast):
    checkin = actions.submit_checkin(acting_user=cast.member, member=cast.m_member)
    todo = work(home(client, cast, "unit"))
    assert todo["checkin.certify"].count == 1
    # 张三丰 has reported (submitted); 李四 of the same unit has not
    assert todo["checkin.unreported"].count == 1
    assert opens(client, todo["checkin.certify"].url) == 200
    unreported = client.get(todo["checkin.unreported"].url)
    assert [row.member for row in unreported.context["page"]] == [cast.m_a2]
    assert "checkin.confirm" not in work(home(client, cast, "community"))

    actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    assert "checkin.certify" not in work(home(client, cast, "unit"))
    todo = work(home(client, cast, "community"))
    assert todo["checkin.confirm"].count == 1 and not todo["checkin.confirm"].overdue
    assert opens(client, todo["checkin.confirm"].url) == 200
    assert "checkin.confirm" not in work(home(client, cast, "community2"))

    CheckIn.objects.filter(pk=checkin.pk).update(certified_at=timezone.now() - timedelta(days=63))
    todo = work(home(client, cast, "community"))
    assert todo["checkin.confirm"].overdue and todo["checkin.confirm"].days_waiting == 63
    # the overdue item comes first
    assert home(client, cast, "community").context["work"][0].key == "checkin.confirm"

    actions.confirm_checkin(acting_user=cast.community, checkin=CheckIn.objects.get(pk=checkin.pk))
    assert "checkin.confirm" not in work(home(client, cast, "community"))


def test_resident_confirms_service_from_home_and_member_sees_it_waiting(client, cast):
    record = record_actions.log_service_record(
        acting_user=cast.member,
        category=ServiceCategory.objects.get(code="home_repair"),
        started_at=timezone.now() - timedelta(hours=3),
        minutes=60,
        description="修水管",
        community=cast.places.a1,
        beneficiary_resident=cast.r_a,
    )
    todo = work(home(client, cast, "resident"))
    assert todo["service.confirm_mine"].count == 1
    assert opens(client, todo["service.confirm_mine"].url) == 200
    assert work(home(client, cast, "member"))["service.show_code"].count == 1

    record_actions.confirm_as_beneficiary(acting_user=cast.resident, record=record, score=5)
    assert "service.confirm_mine" not in work(home(client, cast, "resident"))
    assert "service.show_code" not in work(home(client, cast, "member"))


def test_community_sees_new_needs_and_the_member_an_offer(client, cast):
    need = need_actions.post_need(
        acting_user=cast.resident, title="厨房水管漏水", category=item("home_repair")
    )
    todo = work(home(client, cast, "community"))
    assert todo["service.new_needs"].count == 1
    assert opens(client, todo["service.new_needs"].url) == 200
    assert work(home(client, cast, "resident"))["service.my_requests"].count == 1

    need_actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    assert "service.new_needs" not in work(home(client, cast, "community"))
    todo = work(home(client, cast, "member"))
    assert todo["service.offers"].count == 1
    assert opens(client, todo["service.offers"].url) == 200


def test_officials_see_their_areas_figures_and_the_lowest_rates(client, cast):
    response = home(client, cast, "street")
    (area,) = response.context["areas"]
    assert area["area"] == cast.places.street_a
    shown = {f.key: f for f in area["figures"]}
    members = area_members(cast.places.street_a, on=timezone.localdate()).count()
    assert (
        shown["in_service"].value == members == 3
    )  # 张三丰, 李四 and 赵六 live in street A; 钱七 is retired
    assert shown["reported"].value == 0 and shown["rate"].value == 0.0
    assert opens(client, shown["in_service"].url) == 200
    assert [row["area"] for row in area["children"]] == [cast.places.a1, cast.places.a2]
    todo = work(response)
    lagging = next(i for key, i in todo.items() if key.startswith("checkin.lagging."))
    assert lagging.count == 2 and opens(client, lagging.url) == 200


def test_unit_admin_and_inspector_see_their_units_rate(client, cast):
    for who in ("unit", "inspector"):
        (unit,) = home(client, cast, who).context["units"]
        assert unit["unit"] == cast.places.unit_a and unit["summary"]["members"] == 2
        assert opens(client, unit["url"]) == 200
    assert home(client, cast, "dept").context["units"] == []


def test_members_and_residents_see_no_registry_counts(client, cast):
    for who in ("member", "resident"):
        page = home(client, cast, who).content.decode()
        assert 'data-figure="members"' not in page and 'data-figure="units"' not in page
        assert "Waiting for you" in page


def test_home_figures_agree_with_reconciliation(client, cast):
    """One definition: the home's in-service and reported figures are the reconciliation's."""
    actions.confirm_checkin(
        acting_user=cast.community,
        checkin=actions.issue_certificate(
            acting_user=cast.unit,
            checkin=actions.submit_checkin(acting_user=cast.member, member=cast.m_member),
        ).checkin,
    )
    a1 = cast.places.a1
    (area,) = home(client, cast, "community").context["areas"]
    shown = {f.key: f.value for f in area["figures"]}
    rate = rates_by_area([a1], Period.of("month"))[a1.pk]
    assert (shown["in_service"], shown["reported"], shown["not_reported"]) == (rate.members, rate.reported, 1)
    recon = cast.login(client, "community").get(reverse("checkin:area_reconciliation", args=[a1.public_id]))
    assert recon.context["summary"].rate == rate


@pytest.mark.parametrize(
    "who,most",
    [
        ("member", 15),
        ("resident", 13),
        # the area figures come from the roll-ups (docs/ROLLUPS.md): two queries a read (the stale
        # marks, the sums) as before; street and orgdept: + 2 for the lagging children's rates (checkin/work.py)
        # every role: + the alliances the user runs and + meetings today to sign in to (alliances/work.py);
        # the areas' roles: + the two alliance figures the home shows, one grouped query each
        # (alliances/figures.py: member units active; tasks open and overdue)
        ("community", 21),  # + transfers to answer (people/work.py), + residents to verify (accounts/work.py)
        # street, unit and orgdept: + the second factor's device (django-otp: privileged sessions)
        ("street", 28),  # + units without a party admin (orgs/work.py), + transfers, + residents to verify
        ("unit", 17),  # + transfers to answer, + members without an account (accounts/work.py)
        (
            "orgdept",
            24,
        ),  # + go-live readiness (one UNION ALL query, golive/work.py), + units without an admin
        ("grid", 10),
        ("dept", 9),
        ("inspector", 11),
    ],
)
def test_home_query_counts_are_pinned(client, cast, who, most, django_assert_max_num_queries):
    cast.login(client, who)
    client.get(reverse("portal:home"))  # the roll-ups recount what the cast's set-up changed, once
    with django_assert_max_num_queries(most):
        client.get(reverse("portal:home"))


def test_grid_worker_sees_open_needs_in_the_grid(client, cast):
    assert "service.grid_needs" not in work(home(client, cast, "grid"))
    need_actions.post_need(acting_user=cast.resident, title="楼道灯坏了", category=item("home_repair"))
    todo = work(home(client, cast, "grid"))
    assert todo["service.grid_needs"].count == 1
    assert opens(client, todo["service.grid_needs"].url) == 200
    assert "service.grid_needs" not in work(home(client, cast, "grid2"))


def test_community_hands_over_a_redeemed_reward(client, cast):
    from points import actions as point_actions

    record = record_actions.log_service_record(
        acting_user=cast.member,
        category=item("environment"),
        started_at=timezone.now() - timedelta(hours=5),
        minutes=180,
        description="清理楼道",
        community=cast.places.a1,
    )
    record_actions.confirm_as_organiser(acting_user=cast.community, record=record)
    towel = point_actions.add_reward(
        acting_user=cast.community, area=cast.places.a1, name="毛巾", cost=20, stock=5
    )
    redemption = point_actions.redeem_reward(acting_user=cast.member, reward=towel)
    todo = work(home(client, cast, "community"))
    assert todo["points.hand_over"].count == 1
    assert opens(client, todo["points.hand_over"].url) == 200
    point_actions.hand_over_redemption(acting_user=cast.community, redemption=redemption)
    assert "points.hand_over" not in work(home(client, cast, "community"))


def test_unit_admin_is_asked_to_confirm_or_correct_a_checked_roster(client, cast):
    from jobs.models import Job, JobKind, JobStatus

    faulty = Job.objects.create(
        kind=JobKind.IMPORT_MEMBERS, status=JobStatus.PREVIEW, created_by=cast.unit, errors=[{"row": 3}]
    )
    todo = work(home(client, cast, "unit"))
    assert todo["jobs.correct"].count == 1 and "jobs.confirm" not in todo
    assert opens(client, todo["jobs.correct"].url) == 200
    faulty.errors = []
    faulty.save(update_fields=["errors"])
    todo = work(home(client, cast, "unit"))
    assert todo["jobs.confirm"].count == 1 and "jobs.correct" not in todo
    Job.objects.filter(pk=faulty.pk).update(status=JobStatus.SUCCEEDED)
    assert not {"jobs.confirm", "jobs.correct"} & set(work(home(client, cast, "unit")))
