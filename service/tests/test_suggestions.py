"""Dispatch suggestions: who could take a need, in an order a community secretary would trust, with
the reasons in plain words, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from checkin.models import CheckIn, CheckInRule, CheckInState, Team, TeamMembership, UnitPairing
from people.actions import MemberData, save_member
from people.models import Member
from service.models import Resource, ResourceKind, ServiceCategory
from service.needs import actions
from service.needs.suggestions import LOAD_PENALTY, SUGGESTION_QUERIES, suggest
from service.records import actions as record_actions
from service.records import codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def repair():
    return ServiceCategory.objects.get(code="home_repair")


@pytest.fixture
def need(cast, repair):
    """孙大妈 (building 1 of 阳光小区, 龙津社区) asks for an electrician."""
    return actions.post_need(acting_user=cast.resident, title="楼道灯坏了", category=repair)


def _id_number(n: int) -> str:
    from gongjian.privacy import id_check_char

    first17 = f"3508021985{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n:03d}"
    return first17 + id_check_char(first17)


def _neighbour(cast, n: int, name: str, skills: str = "", building=True) -> Member:
    p = cast.places
    return save_member(
        acting_user=None,
        data=MemberData(
            name=name,
            id_number=_id_number(100 + n),
            phone=f"1370000{n:04d}",
            party_org=p.org_a1,
            residence_area=p.a1,
            residence_compound=p.compound_a1 if building else None,
            residence_building=p.building_a1 if building else None,
            skills=skills,
        ),
    )


def _skills(member, skills):
    Member.objects.filter(pk=member.pk).update(skills=skills)


def _checkin(member, community, state=CheckInState.CONFIRMED, **extra):
    now = timezone.now()
    return CheckIn.objects.create(
        member=member,
        unit=member.unit,
        community=community,
        community_path=community.path,
        rule=CheckInRule.OVERRIDE,
        state=state,
        submitted_at=now - timedelta(days=20),
        confirmed_at=now - timedelta(days=10) if state == CheckInState.CONFIRMED else None,
        closed_at=now - timedelta(days=5) if state == CheckInState.CHECKED_OUT else None,
        **extra,
    )


def _members(suggestions):
    return [s.target for s in suggestions if s.kind == "member"]


def _of(suggestions, target):
    return next(s for s in suggestions if s.target == target)


def _serve(cast, category, days_ago, score=None):
    """The member account serves (no beneficiary) and the code confirms it, with a rating."""
    record = record_actions.log_service_record(
        acting_user=cast.member,
        category=category,
        community=cast.places.a1,
        started_at=timezone.now() - timedelta(days=days_ago),
        minutes=60,
        description="服务",
    )
    record_actions.confirm_with_code(record=record, code=codes.confirmation_code(record), score=score)
    return record


def test_the_electrician_in_the_same_building_ranks_above_a_stranger(cast, need):
    _skills(cast.m_b_home_a, "电工、水电维修")  # lives in building 1 too
    suggestions = suggest(need)
    order = _members(suggestions)
    assert order.index(cast.m_b_home_a) < order.index(cast.m_member) < order.index(cast.m_retired)
    reasons = _of(suggestions, cast.m_b_home_a).reasons
    assert "Skills: 电工、水电维修" in reasons and "Same building" in reasons and "No open tasks" in reasons
    # the retired member who lives elsewhere in the community is still a candidate, said so
    assert "Lives in 龙津社区" in _of(suggestions, cast.m_retired).reasons


def test_the_skill_the_need_names_outweighs_a_nearer_broader_fit(cast):
    culture = ServiceCategory.objects.get(code="culture_events")  # 文艺 书法 舞蹈 体育 摄影
    need = actions.post_need(acting_user=cast.resident, title="想学书法", category=culture)
    _skills(cast.m_b_home_a, "舞蹈")  # lives in 孙大妈's building
    _skills(cast.m_retired, "书法")  # lives elsewhere in 龙津社区
    suggestions = suggest(need)
    order = _members(suggestions)
    assert order.index(cast.m_retired) < order.index(cast.m_b_home_a) < order.index(cast.m_member)
    assert "Skills: 书法" in _of(suggestions, cast.m_retired).reasons


def test_closer_is_better_building_compound_grid_community(cast, repair):
    p = cast.places
    from places.actions import create_building

    other_building = create_building(acting_user=None, compound=p.compound_a1, name="2号楼", grid=p.grid_a3)
    need = actions.post_need(
        acting_user=cast.community,
        community=p.a1,
        title="2号楼楼道灯坏了",
        category=repair,
        compound=p.compound_a1,
        building=other_building,
    )
    # 张三丰 lives in building 1 of the same compound; 钱七 somewhere else in the community
    suggestions = suggest(need)
    assert "Same compound" in _of(suggestions, cast.m_member).reasons
    assert _members(suggestions).index(cast.m_member) < _members(suggestions).index(cast.m_retired)
    # a need of a grid cell, not of a building: whoever lives in the cell is closer
    in_cell = actions.post_need(
        acting_user=cast.community, community=p.a1, title="小区路灯不亮", category=repair, grid=p.grid_a3
    )
    suggestions = suggest(in_cell)
    assert "Same grid" in _of(suggestions, cast.m_member).reasons
    assert "Lives in 龙津社区" in _of(suggestions, cast.m_retired).reasons
    assert _of(suggestions, cast.m_member).score > _of(suggestions, cast.m_retired).score


def test_a_member_with_three_open_tasks_ranks_below_an_idle_equal(cast, need, repair):
    # 张三丰 and 赵六 both live in building 1 and list no skills: equals, but for their load
    for title in ("修水管", "换灯泡", "修门锁"):
        other = actions.post_need(
            acting_user=cast.community, community=cast.places.a1, title=title, category=repair
        )
        actions.dispatch_need(acting_user=cast.community, need=other, member=cast.m_member)
    suggestions = suggest(need)
    busy, idle = _of(suggestions, cast.m_member), _of(suggestions, cast.m_b_home_a)
    assert _members(suggestions).index(cast.m_b_home_a) < _members(suggestions).index(cast.m_member)
    assert idle.score - busy.score == 3 * LOAD_PENALTY
    assert "3 tasks open" in busy.reasons and "No open tasks" in idle.reasons


def test_whoever_declined_the_need_or_holds_it_is_left_out(cast, need):
    assignment = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    assert cast.m_member not in _members(suggest(need))  # they hold it now
    actions.decline_assignment(acting_user=cast.member, assignment=assignment, reason="出差在外")
    members = _members(suggest(need))
    assert cast.m_member not in members
    assert cast.m_b_home_a in members and cast.m_retired in members


def test_outsiders_never_appear_and_a_check_in_brings_a_member_in(cast, need):
    members = _members(suggest(need))
    assert set(members) == {cast.m_member, cast.m_b_home_a, cast.m_retired}
    # 李四 lives in 中山社区, 王五 in 西城 (another street): neither serves 龙津社区 …
    _checkin(cast.m_b, cast.places.a1, state=CheckInState.CHECKED_OUT)  # … an ended check-in changes nothing
    assert cast.m_b not in _members(suggest(need))
    _checkin(cast.m_a2, cast.places.a1, skills="电工", vanguard_kinds=["volunteering"])
    suggestions = suggest(need)
    assert cast.m_a2 in _members(suggestions) and cast.m_b not in _members(suggestions)
    reasons = _of(suggestions, cast.m_a2).reasons
    assert "Reports to 龙津社区" in reasons and "Skills: 电工" in reasons
    assert "Signed up for Volunteering" in reasons


def test_reasons_are_present_and_readable(cast, need, repair):
    team = Team.objects.create(
        community=cast.places.a1, name="红色先锋志愿服务队", vanguard_kind="volunteering"
    )
    TeamMembership.objects.create(team=team, member=cast.m_retired)
    Resource.objects.create(
        unit=cast.places.unit_a,
        kind=ResourceKind.SKILLS,
        title="电工维修服务",
        category=repair,
        quantity=20,
        measure="小时",
        available_from=timezone.localdate() - timedelta(days=10),
    )
    suggestions = suggest(need)
    assert {s.kind for s in suggestions} == {"member", "team", "resource"}
    for s in suggestions:
        assert s.reasons and all(isinstance(r, str) and r.strip() for r in s.reasons)
        assert not any("%(" in r or "%d" in r or "%s" in r for r in s.reasons)
    assert suggestions == sorted(suggestions, key=lambda s: -s.score)


def test_a_team_and_a_resource_appear_for_a_matching_category(cast, need, repair):
    p, today = cast.places, timezone.localdate()
    volunteers = Team.objects.create(community=p.a1, name="红色先锋志愿服务队", vanguard_kind="volunteering")
    mediators = Team.objects.create(community=p.a1, name="和事佬调解队", vanguard_kind="dispute_mediation")
    empty = Team.objects.create(community=p.a1, name="平安巡逻队", vanguard_kind="volunteering")
    elsewhere = Team.objects.create(community=p.b1, name="西城志愿队", vanguard_kind="volunteering")
    for team in (volunteers, mediators, elsewhere):
        TeamMembership.objects.create(team=team, member=cast.m_retired)

    def resource(unit, title, category=None, kind=ResourceKind.SKILLS, **extra):
        return Resource.objects.create(
            unit=unit,
            kind=kind,
            title=title,
            category=category,
            quantity=extra.pop("quantity", 40),
            measure="小时",
            available_from=extra.pop("available_from", today - timedelta(days=30)),
            **extra,
        )

    electricians = resource(p.unit_a, "电工维修服务", repair)  # unit A sits in 龙津社区
    resource(p.unit_a, "爱心基金", kind=ResourceKind.FUNDS, quantity=5000)  # a fund does not fix lights
    tutoring = ServiceCategory.objects.get(code="tutoring")
    resource(p.unit_b, "课业辅导", tutoring)  # unit B (西城) is not tied to 龙津社区 …
    later = resource(p.unit_b, "水电维修", available_from=today + timedelta(days=3))
    suggestions = suggest(need)
    teams = [s.target for s in suggestions if s.kind == "team"]
    resources = [s.target for s in suggestions if s.kind == "resource"]
    assert teams[0] == volunteers and empty not in teams and elsewhere not in teams
    assert "Focus: Volunteering" in _of(suggestions, volunteers).reasons
    assert resources == [electricians]
    reasons = _of(suggestions, electricians).reasons
    assert "Filed under 家电水电维修" in reasons and "Located in 龙津社区" in reasons
    assert "40 小时 available" in reasons

    # … until it pairs with the community: then its matching resource shows, once it is available
    UnitPairing.objects.create(unit=p.unit_b, community=p.a1, started_on=today - timedelta(days=100))
    Resource.objects.filter(pk=later.pk).update(available_from=today)
    resources = [s.target for s in suggest(need) if s.kind == "resource"]
    assert later in resources and not any(r.title == "课业辅导" for r in resources)
    assert "Paired with 龙津社区" in _of(suggest(need), later).reasons


def test_the_best_team_and_resource_keep_a_place_in_a_short_list(cast, need, repair):
    team = Team.objects.create(community=cast.places.a1, name="银发关爱服务队", vanguard_kind="volunteering")
    TeamMembership.objects.create(team=team, member=cast.m_retired)
    Resource.objects.create(
        unit=cast.places.unit_a,
        kind=ResourceKind.SKILLS,
        title="电工维修服务",
        category=repair,
        quantity=8,
        measure="小时",
        available_from=timezone.localdate(),
    )
    for n in range(6):  # skilled neighbours who would fill the list on their own
        _neighbour(cast, n, f"电工{n}", "电工")
    short = suggest(need, limit=4)
    assert len(short) == 4
    assert [s.kind for s in short].count("member") == 2
    assert {"team", "resource"} <= {s.kind for s in short}


def test_ratings_count_with_a_prior_and_recent_service_helps(cast, need, repair):
    outreach = ServiceCategory.objects.get(code="policy_outreach")
    for days in range(1, 6):
        _serve(cast, outreach, days, score=5)
    suggestions = suggest(need)
    rated, unrated = _of(suggestions, cast.m_member), _of(suggestions, cast.m_b_home_a)
    assert "Rated 5.0 (5)" in rated.reasons and rated.score > unrated.score
    assert not any(r.startswith("Rated") for r in unrated.reasons)


def test_one_bad_rating_weighs_less_than_one_open_task(cast, need, repair):
    _serve(cast, repair, 2, score=1)
    suggestions = suggest(need)
    rated, unrated = _of(suggestions, cast.m_member), _of(suggestions, cast.m_b_home_a)
    assert "Rated 1.0 (1)" in rated.reasons
    assert "1 service of 家电水电维修 in the last 6 months" in rated.reasons
    assert abs(rated.score - unrated.score) < LOAD_PENALTY


def test_a_bounded_number_of_queries_whatever_the_candidates(cast, need, repair, django_assert_num_queries):
    with django_assert_num_queries(SUGGESTION_QUERIES):
        few = suggest(need)
    for n in range(25):
        member = _neighbour(cast, 10 + n, f"居民党员{n}", "维修" if n % 3 == 0 else "", building=n % 2 == 0)
        if n % 2:
            _checkin(member, cast.places.a1, vanguard_kinds=["volunteering"])
        team = Team.objects.create(community=cast.places.a1, name=f"志愿队{n}", vanguard_kind="volunteering")
        TeamMembership.objects.create(team=team, member=member)
        Resource.objects.create(
            unit=cast.places.unit_a,
            kind=ResourceKind.PEOPLE_HOURS,
            title=f"志愿服务{n}",
            quantity=5,
            measure="小时",
            available_from=timezone.localdate(),
        )
    other = actions.post_need(
        acting_user=cast.community, community=cast.places.a1, title="修水管", category=repair
    )
    actions.dispatch_need(acting_user=cast.community, need=other, member=cast.m_member)
    with django_assert_num_queries(SUGGESTION_QUERIES):
        many = suggest(need, limit=50)
        # what the board shows and posts comes with them: names, units, public ids
        shown = [
            (s.target.public_id, str(s.target), s.target.unit.name if s.target.unit else "")
            for s in many
            if s.kind != "team"
        ]
    assert len(many) > len(few) and len(many) == 50 and all(public_id for public_id, *_ in shown)
