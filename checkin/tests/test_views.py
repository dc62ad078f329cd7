"""The check-in work pages: the member's flow, the unit's page, the community's page and teams.
Roles (403), scope (404), refusals shown with what was typed, and pinned query counts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkin import actions
from checkin.models import CheckIn, CheckInRule, CheckInState, Team, TeamKind, TeamMembership
from checkin.team_actions import add_team_member, create_team
from gongjian.privacy import id_check_char
from orgs.actions import create_party_org
from orgs.models import PartyOrgKind
from people.actions import MemberData, save_member
from places.actions import create_area

pytestmark = pytest.mark.django_db

MY = reverse("checkin:my_checkin")
UNIT = reverse("checkin:unit_page")
COMMUNITY = reverse("checkin:community_page")


def url(name, obj=None):
    return reverse(f"checkin:{name}", args=[obj.public_id] if obj is not None else [])


def as_(client, cast, who):
    cast.login(client, who)
    return client


def text(response) -> str:
    return response.content.decode()


def submit(cast, member=None, **kwargs) -> CheckIn:
    member = member or cast.m_member
    return actions.submit_checkin(acting_user=cast.unit, member=member, **kwargs)


def certify(cast, checkin) -> CheckIn:
    actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    checkin.refresh_from_db()
    return checkin


def new_member(cast, n: int, *, unit=None, area=None, building=None, in_service=True, skills=""):
    first17 = f"3508021985{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n:03d}"
    p = cast.places
    return save_member(
        acting_user=None,
        data=MemberData(
            name=f"成员{n}",
            id_number=first17 + id_check_char(first17),
            phone=f"1390000{n:04d}",
            party_org=p.org_unit_a,
            unit=unit if unit is not None else p.unit_a,
            residence_area=area or p.a1,
            residence_compound=building.compound if building else None,
            residence_building=building,
            in_service=in_service,
            skills=skills,
        ),
    )


# --- roles -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "allowed", "refused"),
    [
        (MY, ["member", "admin"], ["community", "unit", "street", "resident", "grid", "nobody"]),
        (UNIT, ["unit", "unit2", "admin"], ["member", "community", "street", "inspector", "nobody"]),
        (COMMUNITY, ["community", "community2", "admin"], ["member", "unit", "street", "grid", "nobody"]),
    ],
)
def test_pages_admit_their_role_only(client, cast, page, allowed, refused):
    for who in allowed:
        assert as_(client, cast, who).get(page).status_code == 200, who
    for who in refused:
        assert as_(client, cast, who).get(page).status_code == 403, who


def test_pages_send_strangers_to_sign_in(client, cast):
    for page in (MY, UNIT, COMMUNITY):
        response = client.get(page)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_changes_are_post_only(client, cast):
    checkin = submit(cast)
    assert as_(client, cast, "unit").get(url("unit_issue", checkin)).status_code == 405
    assert as_(client, cast, "community").get(url("community_confirm", checkin)).status_code == 405
    assert as_(client, cast, "member").get(url("member_submit")).status_code == 405


# --- the member ------------------------------------------------------------------------------------


def test_member_sees_the_proposal_with_residence_preselected(client, cast):
    response = as_(client, cast, "member").get(MY)
    page = text(response)
    assert "You live in 龙津社区, so you report there." in page
    assert f'<option value="{cast.places.compound_a1.public_id}" selected>' in page
    assert f'<option value="{cast.places.building_a1.public_id}" selected>' in page
    assert 'value="model_resident"' in page  # the five vanguard kinds


def test_member_submits_from_the_page(client, cast):
    p = cast.places
    response = as_(client, cast, "member").post(
        url("member_submit"),
        {
            "compound": p.compound_a1.public_id,
            "building": p.building_a1.public_id,
            "vanguard_kinds": ["volunteering", "policy_outreach"],
            "skills": "法律咨询",
        },
    )
    assert response.status_code == 302 and response.url == MY
    checkin = CheckIn.objects.get(member=cast.m_member)
    assert checkin.state == CheckInState.SUBMITTED
    assert checkin.community == p.a1 and checkin.building == p.building_a1
    assert checkin.vanguard_kinds == ["policy_outreach", "volunteering"]
    assert checkin.rule == CheckInRule.RESIDENCE and checkin.skills == "法律咨询"
    page = text(client.get(MY))
    assert "You checked in to 龙津社区" in page
    assert "Wait for your unit" in page
    assert "You live in 龙津社区, so you report there." in page  # the event's rule note, kept on the card


def test_override_without_reason_keeps_what_was_typed(client, cast):
    p = cast.places
    response = as_(client, cast, "member").post(
        url("member_submit"),
        {"community": p.a2.public_id, "vanguard_kinds": ["dispute_mediation"], "skills": "调解经验"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "中山社区 is not the community the rule gives you" in page
    assert f'<option value="{p.a2.public_id}" selected>' in page
    assert 'value="调解经验"' in page
    assert 'value="dispute_mediation" class="form-check-input" id="id_vanguard_kinds_3" checked' in page
    assert not CheckIn.objects.exists()


def test_a_community_found_by_search_stays_chosen_after_an_error(client, cast):
    district = create_area(
        acting_user=None, code="350803", name="永定区", level="district", parent=cast.places.city
    )
    street = create_area(acting_user=None, code="350803001", name="凤城街道", level="street", parent=district)
    far = create_area(
        acting_user=None, code="350803001001", name="城关社区", level="community", parent=street
    )
    client = as_(client, cast, "member")
    assert "城关社区" not in text(client.get(MY))  # another district: found by searching
    assert "城关社区" in text(client.get(url("community_options"), {"q": "城关"}))
    response = client.post(url("member_submit"), {"community": far.public_id})
    assert response.status_code == 400
    assert f'<optgroup label="凤城街道"><option value="{far.public_id}" selected>城关社区</option>' in text(
        response
    )


def test_override_with_reason_is_submitted(client, cast):
    response = as_(client, cast, "member").post(
        url("member_submit"), {"community": cast.places.a2.public_id, "override_reason": "照顾父母"}
    )
    assert response.status_code == 302
    checkin = CheckIn.objects.get(member=cast.m_member)
    assert (checkin.community, checkin.rule, checkin.override_reason) == (
        cast.places.a2,
        "override",
        "照顾父母",
    )


def test_second_submission_is_refused_with_a_message(client, cast):
    submit(cast)
    client = as_(client, cast, "member")
    assert "Wait for your unit" in text(client.get(MY))
    response = client.post(url("member_submit"), {"skills": "again"})
    assert response.status_code == 400
    assert "already has an active check-in to 龙津社区" in text(response)
    assert CheckIn.objects.filter(member=cast.m_member).count() == 1


def test_member_sees_certificate_link_and_history(client, cast):
    checkin = certify(cast, submit(cast))
    page = text(as_(client, cast, "member").get(MY))
    assert url("certificate_pdf", checkin) in page
    assert "Show the certificate" in page
    assert page.count('class="done"') == 2 and 'class="current" aria-current="step"' in page


def test_member_resubmits_a_returned_check_in(client, cast):
    checkin = submit(cast)
    actions.return_checkin(acting_user=cast.community, checkin=checkin, reason="楼栋填错了")
    client = as_(client, cast, "member")
    page = text(client.get(MY))
    assert "楼栋填错了" in page and url("member_resubmit", checkin) in page
    response = client.post(
        url("member_resubmit", checkin),
        {"compound": cast.places.compound_a1.public_id, "building": cast.places.building_a1.public_id},
    )
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.SUBMITTED and checkin.building == cast.places.building_a1


def test_member_checks_out_with_a_reason_only(client, cast):
    checkin = submit(cast)
    client = as_(client, cast, "member")
    response = client.post(url("member_check_out", checkin), {"out-reason": ""})
    assert response.status_code == 400 and "Say why the member checks out." in text(response)
    response = client.post(url("member_check_out", checkin), {"out-reason": "调离本市"})
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CHECKED_OUT
    page = text(client.get(MY))
    assert "Earlier check-ins" in page and "You live in 龙津社区" in page  # history, and a new proposal


def test_member_transfers_after_moving_house(client, cast):
    checkin = submit(cast)
    client = as_(client, cast, "member")
    data = {"move-community": cast.places.a2.public_id, "move-reason": "搬家"}
    response = client.post(url("member_transfer", checkin), data)
    assert response.status_code == 400
    assert "say why you report there instead" in text(response)
    assert f'<option value="{cast.places.a2.public_id}" selected>' in text(response)
    response = client.post(
        url("member_transfer", checkin), {**data, "move-override_reason": "新房在中山社区"}
    )
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CHECKED_OUT
    assert CheckIn.objects.active().get(member=cast.m_member).community == cast.places.a2


def test_member_cannot_act_on_someone_elses_check_in(client, cast):
    other = submit(cast, cast.m_a2)
    client = as_(client, cast, "member")
    assert client.post(url("member_check_out", other), {"out-reason": "x"}).status_code == 404
    assert client.post(url("member_transfer", other), {"move-reason": "x"}).status_code == 404


def test_place_and_community_fragments(client, cast):
    client = as_(client, cast, "member")
    response = client.get(url("place_options"), {"community": cast.places.b1.public_id})
    assert response.status_code == 200 and "西湖小区" in text(response) and "阳光小区" not in text(response)
    response = client.get(url("place_options"))
    assert "阳光小区" in text(response)
    response = client.get(url("community_options"), {"q": "西安"})
    assert "西安社区" in text(response) and "龙津社区" not in text(response)


def test_member_joins_a_team_once_confirmed(client, cast):
    team = create_team(acting_user=cast.community, community=cast.places.a1, name="助老服务队")
    checkin = certify(cast, submit(cast))
    client = as_(client, cast, "member")
    assert client.post(url("member_join_team", team)).status_code == 404  # not confirmed yet
    actions.confirm_checkin(acting_user=cast.community, checkin=checkin)
    page = text(client.get(MY))
    assert "助老服务队" in page and url("member_join_team", team) in page
    response = client.post(url("member_join_team", team), follow=True)
    assert "You joined 助老服务队" in text(response)
    assert TeamMembership.objects.filter(team=team, member=cast.m_member).exists()


# --- the unit --------------------------------------------------------------------------------------


def test_unit_page_counts_and_lists(client, cast):
    certify(cast, submit(cast))
    submit(cast, cast.m_a2)
    response = as_(client, cast, "unit").get(UNIT)
    counts = response.context["counts"]
    assert counts["in_service"] == 2 and counts["not_submitted"] == 0
    assert counts["submitted"] == 1 and counts["certified"] == 1
    page = text(response)
    assert url("unit_issue", CheckIn.objects.get(member=cast.m_a2)) in page
    assert url("certificate_pdf", CheckIn.objects.get(member=cast.m_member)) in page
    assert reverse("checkin:unit_reconciliation", args=[cast.places.unit_a.public_id]) in page


def test_unit_issues_a_certificate(client, cast):
    checkin = submit(cast)
    response = as_(client, cast, "unit").post(url("unit_issue", checkin), follow=True)
    assert response.status_code == 200
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CERTIFIED and checkin.certificates.count() == 1
    assert "issued to 张三丰" in text(response)
    response = client.post(url("unit_issue", checkin), follow=True)  # twice: refused, said why
    assert "it cannot be certified" in text(response)


def test_other_unit_gets_404(client, cast):
    checkin = submit(cast)
    client = as_(client, cast, "unit2")
    assert client.post(url("unit_issue", checkin)).status_code == 404
    assert client.post(url("unit_return", checkin), {"reason": "x"}).status_code == 404
    assert client.get(UNIT, {"unit": cast.places.unit_a.public_id}).status_code == 404
    assert client.get(UNIT, {"unit": "not-a-uuid"}).status_code == 404
    response = client.post(
        url("unit_issue_bulk"), {"unit": cast.places.unit_a.public_id, "checkins": [checkin.public_id]}
    )
    assert response.status_code == 404
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.SUBMITTED


def test_unit_issues_in_bulk(client, cast):
    one, two = submit(cast), submit(cast, cast.m_a2)
    response = as_(client, cast, "unit").post(
        url("unit_issue_bulk"),
        {"unit": cast.places.unit_a.public_id, "checkins": [one.public_id, two.public_id, "junk"]},
        follow=True,
    )
    assert "2 certificates issued." in text(response)
    assert set(CheckIn.objects.values_list("state", flat=True)) == {CheckInState.CERTIFIED}


def test_unit_returns_with_a_reason(client, cast):
    checkin = submit(cast)
    client = as_(client, cast, "unit")
    response = client.post(url("unit_return", checkin), {"reason": "  "})
    assert response.status_code == 400 and "Say what the member should change." in text(response)
    response = client.post(url("unit_return", checkin), {"reason": "请补充楼栋"})
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.RETURNED


def test_whole_unit_check_in_with_mixed_results(client, cast):
    submit(cast)  # 张三丰 is already checked in
    idle = new_member(cast, 101, in_service=False)
    response = as_(client, cast, "unit").post(
        url("unit_batch"),
        {
            "unit": cast.places.unit_a.public_id,
            "members": [cast.m_member.public_id, cast.m_a2.public_id, idle.public_id, cast.m_b.public_id],
        },
    )
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.context["kept"]["batch_results"]}
    assert rows["李四"]["ok"] and "Checked in to 中山社区" in rows["李四"]["message"]
    assert not rows["张三丰"]["ok"] and "already has an active check-in" in rows["张三丰"]["message"]
    assert not rows["成员101"]["ok"] and "Only in-service members" in rows["成员101"]["message"]
    assert not rows["—"]["ok"] and "Not found" in rows["—"]["message"]  # 王五 is another unit's
    page = text(response)
    assert "1 of 4 members checked in." in page and "Only in-service members" in page
    assert CheckIn.objects.active().get(member=cast.m_a2).state == CheckInState.SUBMITTED


def test_whole_unit_check_in_refuses_another_units_member(client, cast):
    response = as_(client, cast, "admin").post(
        url("unit_batch"), {"unit": cast.places.unit_a.public_id, "members": [cast.m_b.public_id]}
    )
    rows = response.context["kept"]["batch_results"]
    assert rows == [{"name": "王五", "ok": False, "message": "Not a member of 龙岩市烟草公司."}]


def test_whole_unit_candidates_filter_by_street(client, cast):
    new_member(cast, 102, area=cast.places.b1)
    client = as_(client, cast, "unit")
    names = lambda r: [m.name for m in r.context["candidates"]["page"]]  # noqa: E731
    assert sorted(names(client.get(UNIT))) == ["张三丰", "成员102", "李四"]
    street_b = cast.places.street_b.public_id
    assert names(client.get(UNIT, {"street": street_b})) == ["成员102"]
    assert sorted(names(client.get(UNIT, {"street": cast.places.street_a.public_id}))) == ["张三丰", "李四"]
    assert names(client.get(UNIT, {"street": "outside"})) == []


def test_admin_chooses_a_unit(client, cast):
    client = as_(client, cast, "admin")
    response = client.get(UNIT)
    assert response.context["unit"] is None and "龙岩市烟草公司" in text(response)
    assert client.get(UNIT, {"unit": cast.places.unit_a.public_id}).context["unit"] == cast.places.unit_a


# --- the community ---------------------------------------------------------------------------------


def test_community_confirms_after_seeing_the_certificate(client, cast):
    checkin = certify(cast, submit(cast))
    client = as_(client, cast, "community")
    page = text(client.get(COMMUNITY))
    assert reverse("checkin:verify") in page and 'name="code"' in page
    assert url("community_confirm", checkin) in page and "waiting 0 days" in page
    response = client.post(url("community_confirm", checkin), follow=True)
    assert "张三丰 is confirmed" in text(response)
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CONFIRMED
    assert checkin.events.last().via == "manual"
    assert url("receipt_pdf", checkin) in text(response)  # now among "our members"


def test_community_cannot_confirm_before_the_certificate(client, cast):
    checkin = submit(cast)
    client = as_(client, cast, "community")
    assert "张三丰" in text(client.get(COMMUNITY))  # listed as recently submitted
    response = client.post(url("community_confirm", checkin), follow=True)
    assert "has no certificate yet" in text(response)


def test_community_rejects_only_with_a_reason(client, cast):
    checkin = certify(cast, submit(cast))
    client = as_(client, cast, "community")
    response = client.post(url("community_reject", checkin), {"reason": ""})
    assert response.status_code == 400
    assert "Give a reason for the rejection." in text(response)
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CERTIFIED
    response = client.post(url("community_reject", checkin), {"reason": "不住本社区"})
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.REJECTED and checkin.events.last().reason == "不住本社区"


def test_community_returns_with_a_reason(client, cast):
    checkin = certify(cast, submit(cast))
    client = as_(client, cast, "community")
    response = client.post(url("community_return", checkin), {"reason": ""})
    assert response.status_code == 400 and "Say what the member should change." in text(response)
    response = client.post(url("community_return", checkin), {"reason": "请更正楼栋"})
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert (
        checkin.state == CheckInState.RETURNED and not checkin.certificates.filter(revoked_at=None).exists()
    )


def test_other_community_gets_404(client, cast):
    checkin = certify(cast, submit(cast))
    client = as_(client, cast, "community2")
    for name in ("community_confirm", "community_reject", "community_return"):
        assert client.post(url(name, checkin), {"reason": "x"}).status_code == 404, name
    assert client.get(COMMUNITY, {"community": cast.places.a1.public_id}).status_code == 404
    assert "张三丰" not in text(client.get(COMMUNITY))
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CERTIFIED


def test_community_sees_members_by_grid_branch_building_and_skill(client, cast):
    p = cast.places
    create_party_org(
        acting_user=None,
        name="阳光网格党支部",
        kind=PartyOrgKind.GRID_BRANCH,
        code="G1",
        area=p.a1,
        grid=p.grid_a3,
    )
    first = certify(cast, submit(cast, vanguard_kinds=["volunteering"], skills="法律"))
    actions.confirm_checkin(acting_user=cast.community, checkin=first)
    other = new_member(cast, 103, skills="电工")
    second = certify(cast, submit(cast, other, vanguard_kinds=["policy_outreach"]))
    actions.confirm_checkin(acting_user=cast.community, checkin=second)
    client = as_(client, cast, "community")
    names = lambda r: [row.member.name for row in r.context["members"]["page"]]  # noqa: E731
    response = client.get(COMMUNITY)
    assert sorted(names(response)) == ["张三丰", "成员103"]
    assert {row.grid_branch.name for row in response.context["members"]["page"]} == {"阳光网格党支部"}
    assert '<th scope="rowgroup" colspan="6" class="small">阳光网格党支部</th>' in text(response)
    assert names(client.get(COMMUNITY, {"building": p.building_a1.public_id})) == ["张三丰"]
    assert names(client.get(COMMUNITY, {"kind": "policy_outreach"})) == ["成员103"]
    assert names(client.get(COMMUNITY, {"skill": "法"})) == ["张三丰"]
    assert names(client.get(COMMUNITY, {"building": "junk"})) == []


# --- teams -----------------------------------------------------------------------------------------


def test_team_creation_and_duplicates(client, cast):
    client = as_(client, cast, "community")
    data = {"community": cast.places.a1.public_id, "name": "先锋突击队", "kind": TeamKind.COMMANDO}
    response = client.post(url("team_create"), {**data, "vanguard_kind": "volunteering"})
    assert response.status_code == 302
    team = Team.objects.get()
    assert (team.community, team.kind, team.vanguard_kind) == (cast.places.a1, "commando", "volunteering")
    response = client.post(url("team_create"), data)
    assert response.status_code == 400
    assert "龙津社区 already has a team named 先锋突击队." in text(response)
    assert 'value="先锋突击队"' in text(response)
    assert client.post(url("team_create"), {**data, "name": ""}).status_code == 400
    assert Team.objects.count() == 1
    outsider = as_(client, cast, "community2").post(url("team_create"), data)
    assert outsider.status_code == 404


def test_adding_team_members(client, cast):
    team = create_team(acting_user=cast.community, community=cast.places.a1, name="助老服务队")
    checkin = certify(cast, submit(cast))
    actions.confirm_checkin(acting_user=cast.community, checkin=checkin)
    client = as_(client, cast, "community")
    data = {"community": cast.places.a1.public_id, "team": team.public_id}
    response = client.post(url("team_add_member"), {**data, "member": cast.m_b_home_a.public_id})
    assert response.status_code == 400
    assert "赵六 has no confirmed check-in to 龙津社区" in text(response)
    response = client.post(url("team_add_member"), {**data, "member": cast.m_member.public_id})
    assert response.status_code == 302
    response = client.post(url("team_add_member"), {**data, "member": cast.m_member.public_id})
    assert "张三丰 is already in 助老服务队." in text(response)
    assert team.memberships.count() == 1
    outsider = as_(client, cast, "community2")
    assert (
        outsider.post(url("team_add_member"), {**data, "member": cast.m_member.public_id}).status_code == 404
    )
    with pytest.raises(PermissionDenied, match="Only 龙津社区 can change its teams."):
        add_team_member(acting_user=cast.community2, team=team, member=cast.m_member)


# --- query counts ----------------------------------------------------------------------------------


def _populate(cast, start: int, count: int) -> None:
    """``count`` members of unit A living in A1, spread over every state."""
    for n in range(start, start + count):
        member = new_member(cast, n, building=cast.places.building_a1, skills="电脑")
        if n % 4 == 0:
            continue  # not submitted
        checkin = submit(cast, member, vanguard_kinds=["volunteering"])
        if n % 4 == 1:
            continue
        certify(cast, checkin)
        if n % 4 == 3:
            actions.confirm_checkin(acting_user=cast.community, checkin=checkin)


def _queries(client, page) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("who", "page", "limit"), [("unit", UNIT, 18), ("community", COMMUNITY, 20)])
def test_queries_do_not_grow_with_members(client, cast, django_assert_max_num_queries, who, page, limit):
    team = create_team(acting_user=cast.community, community=cast.places.a1, name="助老服务队")
    _populate(cast, 200, 4)
    client = as_(client, cast, who)
    client.get(page)  # the session's first page notes when it was saved (accounts/sessions.py)
    before = _queries(client, page)
    _populate(cast, 300, 20)
    for checkin in CheckIn.objects.filter(state=CheckInState.CONFIRMED):
        add_team_member(acting_user=cast.community, team=team, member=checkin.member)
    with django_assert_max_num_queries(limit):
        client.get(page)
    assert _queries(client, page) == before


def test_member_page_queries_are_bounded(client, cast, django_assert_max_num_queries):
    team = create_team(acting_user=cast.community, community=cast.places.a1, name="助老服务队")
    checkin = certify(cast, submit(cast))
    actions.confirm_checkin(acting_user=cast.community, checkin=checkin)
    add_team_member(acting_user=cast.community, team=team, member=cast.m_member)
    client = as_(client, cast, "member")
    with django_assert_max_num_queries(16):
        assert client.get(MY).status_code == 200
