"""The check-in rules, through the actions: where a member reports, every transition and every
refused one, who may do what, certificate codes (forgery, replay, withdrawal), whole-unit check-in,
transfers, notifications.

A refused action changes nothing: the tests compare a snapshot of the check-in, its events and its
certificates before and after.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from checkin import actions, codes
from checkin.models import Certificate, CheckIn, CheckInRule, CheckInState, UnitPairing
from checkin.transitions import TRANSITIONS
from conftest import _id
from notifications.models import Notification
from orgs.actions import create_party_org
from orgs.models import PartyOrgKind
from people.actions import MemberData, save_member
from people.models import Member

REASON = "请补充居住楼栋"


# --- helpers --------------------------------------------------------------------------------------


def submit(cast, member=None, actor=None, **options) -> CheckIn:
    return actions.submit_checkin(acting_user=actor or cast.member, member=member or cast.m_member, **options)


def fresh(checkin: CheckIn) -> CheckIn:
    return CheckIn.objects.get(pk=checkin.pk)


def snapshot(checkin: CheckIn) -> tuple:
    """Everything an action could change about a check-in."""
    c = fresh(checkin)
    return (
        c.state,
        c.community_id,
        c.rule,
        c.submitted_at,
        c.certified_at,
        c.confirmed_at,
        c.closed_at,
        c.grid_branch_id,
        list(c.events.values_list("from_state", "to_state", "reason")),
        list(c.certificates.order_by("id").values_list("serial", "revoked_at")),
    )


def valid_code(checkin: CheckIn) -> str:
    return codes.certificate_code(Certificate.objects.get(checkin=checkin, revoked_at__isnull=True))


def move_home(member: Member, area, compound=None, building=None) -> Member:
    """The member moved house (or away, with ``area=None``); no action edits a residence alone yet."""
    Member.objects.filter(pk=member.pk).update(
        residence_area=area,
        residence_compound=compound,
        residence_building=building,
        residence_path=area.path if area else "",
    )
    member.refresh_from_db()
    return member


def pair(unit, community, *, days_ago=30, ended_days_ago=None) -> UnitPairing:
    today = timezone.localdate()
    return UnitPairing.objects.create(
        unit=unit,
        community=community,
        started_on=today - timedelta(days=days_ago),
        ended_on=today - timedelta(days=ended_days_ago) if ended_days_ago is not None else None,
    )


# How cast.m_member's check-in reaches each state, and each action done by someone allowed to do it,
# so that only the state decides.
PERFORM = {
    "certify": lambda cast, c: actions.issue_certificate(acting_user=cast.unit, checkin=c),
    "confirm": lambda cast, c: actions.confirm_checkin(acting_user=cast.community, checkin=c),
    "reject": lambda cast, c: actions.reject_checkin(acting_user=cast.community, checkin=c, reason=REASON),
    "return": lambda cast, c: actions.return_checkin(acting_user=cast.community, checkin=c, reason=REASON),
    "resubmit": lambda cast, c: actions.resubmit_checkin(acting_user=cast.member, checkin=c),
    "check_out": lambda cast, c: actions.check_out(acting_user=cast.member, checkin=c, reason="搬家"),
}
ACTORS = {"certify": "unit", "confirm": "community", "reject": "community", "return": "community"}
REACH = {
    CheckInState.SUBMITTED: [],
    CheckInState.CERTIFIED: ["certify"],
    CheckInState.CONFIRMED: ["certify", "confirm"],
    CheckInState.RETURNED: ["certify", "return"],
    CheckInState.REJECTED: ["reject"],
    CheckInState.CHECKED_OUT: ["certify", "confirm", "check_out"],
}


def not_in_service(cast) -> Member:
    """A member on the unit's roll who is not in service (on long leave)."""
    p = cast.places
    data = MemberData(
        name="孙八",
        id_number=_id(88),
        phone="13800000099",
        party_org=p.org_unit_a,
        unit=p.unit_a,
        residence_area=p.a1,
        in_service=False,
    )
    return save_member(acting_user=None, data=data)


def in_state(cast, state: str) -> CheckIn:
    checkin = submit(cast)
    for action in REACH[state]:
        PERFORM[action](cast, fresh(checkin))
    checkin = fresh(checkin)
    assert checkin.state == state
    return checkin


# --- the rule -------------------------------------------------------------------------------------


def test_a_member_living_in_the_city_reports_where_they_live(cast):
    proposal = actions.propose_community(cast.m_member)
    assert (proposal.community, proposal.rule) == (cast.places.a1, CheckInRule.RESIDENCE)
    assert "龙津社区" in proposal.note

    checkin = submit(cast, vanguard_kinds=["volunteering", "policy_outreach"], skills="电脑维修")
    assert checkin.community == cast.places.a1 and checkin.rule == CheckInRule.RESIDENCE
    assert (checkin.compound, checkin.building) == (cast.places.compound_a1, cast.places.building_a1)
    assert checkin.vanguard_kinds == ["policy_outreach", "volunteering"]  # in the five vanguards' order
    assert checkin.unit == cast.places.unit_a and checkin.state == CheckInState.SUBMITTED
    event = checkin.events.get()
    assert (event.from_state, event.to_state, event.actor, event.via) == (
        "",
        "submitted",
        cast.member,
        "online",
    )
    assert AuditEvent.objects.filter(action="checkin.submit", target_id=str(checkin.public_id)).exists()


def test_a_member_living_outside_the_city_reports_where_their_unit_is_paired(cast):
    member = move_home(cast.m_a2, None)
    pair(cast.places.unit_a, cast.places.b1, days_ago=900, ended_days_ago=400)  # over: ignored
    pair(cast.places.unit_a, cast.places.a2)
    proposal = actions.propose_community(member)
    assert (proposal.community, proposal.rule) == (cast.places.a2, CheckInRule.PAIRING)

    checkin = submit(cast, member=member, actor=cast.unit)  # the unit admin checks them in
    assert checkin.community == cast.places.a2 and checkin.rule == CheckInRule.PAIRING
    assert checkin.compound is None and "龙岩市烟草公司" in checkin.rule_note


def test_without_home_or_pairing_the_member_must_choose_and_say_why(cast):
    member = move_home(cast.m_a2, None)
    pair(cast.places.unit_a, cast.places.a2, days_ago=900, ended_days_ago=1)  # ended yesterday
    proposal = actions.propose_community(member)
    assert proposal.community is None and proposal.rule == CheckInRule.OVERRIDE

    with pytest.raises(ValidationError, match="Choose a community"):
        submit(cast, member=member, actor=cast.unit)
    with pytest.raises(ValidationError, match="say why"):
        submit(cast, member=member, actor=cast.unit, community=cast.places.a1)
    assert not CheckIn.objects.exists()

    checkin = submit(
        cast, member=member, actor=cast.unit, community=cast.places.a1, override_reason="父母住在这里"
    )
    assert checkin.rule == CheckInRule.OVERRIDE and checkin.override_reason == "父母住在这里"


def test_an_override_needs_a_reason_and_is_accepted_on_confirmation(cast):
    with pytest.raises(ValidationError, match="say why"):
        submit(cast, community=cast.places.a2)
    assert not CheckIn.objects.exists()

    checkin = submit(cast, community=cast.places.a2, override_reason="  离单位近，方便参加活动  ")
    assert checkin.rule == CheckInRule.OVERRIDE and checkin.rule_note == "离单位近，方便参加活动"
    assert checkin.events.get().reason == "离单位近，方便参加活动"
    assert checkin.compound is None  # the home compound is not in the chosen community

    actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    with pytest.raises(PermissionDenied):  # a1's party organisation does not serve a2
        actions.confirm_checkin(acting_user=cast.community, checkin=checkin)
    confirmed = actions.confirm_checkin(acting_user=cast.admin, checkin=checkin)
    event = confirmed.events.get(to_state=CheckInState.CONFIRMED)
    assert "离单位近，方便参加活动" in event.reason and event.actor == cast.admin


def test_a_place_outside_the_chosen_community_is_refused(cast):
    with pytest.raises(ValidationError, match="compound"):
        submit(cast, community=cast.places.a1, compound=cast.places.compound_b1)
    with pytest.raises(ValidationError, match="building"):
        submit(cast, compound=cast.places.compound_a1, building=cast.places.building_b1)
    with pytest.raises(ValidationError, match="Unknown service preference"):
        submit(cast, vanguard_kinds=["karaoke"])
    assert not CheckIn.objects.exists()


def test_only_in_service_members_report_and_only_themselves_or_their_unit_submit(cast):
    with pytest.raises(ValidationError, match="in-service"):
        submit(cast, member=not_in_service(cast), actor=cast.unit)
    with pytest.raises(PermissionDenied):  # no unit: nobody but the member could check them in
        submit(cast, member=cast.m_retired, actor=cast.admin)
    for outsider in (cast.unit2, cast.community, cast.street, cast.resident):
        with pytest.raises(PermissionDenied):
            submit(cast, actor=outsider)
    assert not CheckIn.objects.exists()


def test_a_second_active_checkin_is_refused(cast):
    first = submit(cast)
    for actor in (cast.member, cast.unit):
        with pytest.raises(ValidationError, match="already has an active check-in"):
            submit(cast, actor=actor, community=cast.places.a2, override_reason="换个社区")
    assert list(CheckIn.objects.all()) == [first]
    actions.check_out(acting_user=cast.member, checkin=first, reason="重新报到")
    again = submit(cast)
    assert CheckIn.objects.active().get() == again


# --- every transition, and every refused one -------------------------------------------------------


@pytest.mark.parametrize("action", list(TRANSITIONS))
@pytest.mark.parametrize("state", CheckInState.values)
def test_every_action_from_every_state(cast, state, action):
    checkin = in_state(cast, state)
    allowed, target = TRANSITIONS[action]
    before = snapshot(checkin)
    if state not in allowed:
        with pytest.raises(ValidationError):
            PERFORM[action](cast, checkin)
        assert snapshot(checkin) == before  # nothing changed, not even the certificates
        return
    PERFORM[action](cast, checkin)
    after = fresh(checkin)
    assert after.state == target
    events = list(after.events.all())
    assert len(events) == len(before[8]) + 1
    last = events[-1]
    assert (last.from_state, last.to_state) == (state, target)
    assert last.actor == getattr(cast, ACTORS.get(action, "member"))
    valid = after.certificates.filter(revoked_at__isnull=True).count()
    assert valid == (1 if target in (CheckInState.CERTIFIED, CheckInState.CONFIRMED) else 0)
    if target in (CheckInState.REJECTED, CheckInState.CHECKED_OUT):
        assert abs(after.closed_at - last.at) < timedelta(seconds=1)


def test_refusals_without_a_reason(cast):
    checkin = in_state(cast, CheckInState.CERTIFIED)
    before = snapshot(checkin)
    for action in (actions.reject_checkin, actions.return_checkin):
        with pytest.raises(ValidationError):
            action(acting_user=cast.community, checkin=checkin, reason="   ")
    with pytest.raises(ValidationError):
        actions.check_out(acting_user=cast.member, checkin=checkin, reason="")
    assert snapshot(checkin) == before


# --- who may do what ------------------------------------------------------------------------------


def test_a_community_that_is_not_the_target_cannot_confirm_reject_or_return(cast):
    checkin = in_state(cast, CheckInState.CERTIFIED)
    before = snapshot(checkin)
    for user in (cast.community2, cast.street, cast.unit2, cast.grid):
        with pytest.raises(PermissionDenied):
            actions.confirm_checkin(acting_user=user, checkin=checkin, code=valid_code(checkin))
        with pytest.raises(PermissionDenied):
            actions.reject_checkin(acting_user=user, checkin=checkin, reason=REASON)
    with pytest.raises(PermissionDenied):
        actions.return_checkin(acting_user=cast.community2, checkin=checkin, reason=REASON)
    with pytest.raises(ValidationError, match="another community"):  # by code: refused too
        actions.confirm_by_code(acting_user=cast.community2, code=valid_code(checkin))
    assert snapshot(checkin) == before
    assert AuditEvent.objects.filter(action="checkin.code_refused", outcome="denied").count() == 1


def test_only_the_members_own_unit_issues_the_certificate(cast):
    checkin = submit(cast)
    before = snapshot(checkin)
    for user in (cast.unit2, cast.community, cast.inspector, cast.member):
        with pytest.raises(PermissionDenied):
            actions.issue_certificate(acting_user=user, checkin=checkin)
    assert snapshot(checkin) == before


def test_no_certificate_after_the_member_changed_unit(cast):
    checkin = submit(cast)
    Member.objects.filter(pk=cast.m_member.pk).update(unit=cast.places.unit_b)
    before = snapshot(checkin)
    with pytest.raises(ValidationError, match="no longer works for"):
        actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    with pytest.raises(PermissionDenied):  # the new unit did not take the check-in
        actions.issue_certificate(acting_user=cast.unit2, checkin=checkin)
    assert snapshot(checkin) == before


def test_the_certificate_comes_from_the_members_party_organisation(cast):
    certificate = actions.issue_certificate(acting_user=cast.unit, checkin=submit(cast))
    assert certificate.party_org == cast.places.org_unit_a and certificate.issued_by == cast.unit
    assert certificate.serial.startswith(f"BD-{timezone.localdate().year}-")


# --- codes: forgery, replay, withdrawal -----------------------------------------------------------


SERIAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SIGNATURE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # base32


def _altered(text: str, index: int, alphabet: str) -> str:
    """``text`` with one character changed into another that is still well-formed."""
    swap = alphabet[(alphabet.index(text[index]) + 1) % len(alphabet)]
    return text[:index] + swap + text[index + 1 :]


def test_a_forged_or_altered_code_is_refused(cast):
    checkin = in_state(cast, CheckInState.CERTIFIED)
    code = valid_code(checkin)
    other = submit(cast, member=cast.m_b_home_a, actor=cast.unit2)  # also reports to A1
    actions.issue_certificate(acting_user=cast.unit2, checkin=other)
    before = snapshot(checkin)
    forged = [
        _altered(code, len(code) - 1, SIGNATURE_ALPHABET),  # a character of the signature
        _altered(code, 10, SERIAL_ALPHABET),  # a character of the serial
        code[:-10] + codes.signature(code[:-11], other.public_id),  # signed for another check-in
        "BD-2026-ABCDEFGH-ABCDEFGHIJ",
    ]
    for bad in forged:
        with pytest.raises(ValidationError, match="not genuine"):
            actions.confirm_by_code(acting_user=cast.community, code=bad)
        with pytest.raises(ValidationError, match="not genuine"):
            actions.confirm_checkin(acting_user=cast.community, checkin=checkin, code=bad)
    with pytest.raises(ValidationError, match="not a check-in certificate code"):
        actions.confirm_by_code(acting_user=cast.community, code="hello")
    with pytest.raises(ValidationError, match="another check-in"):  # a genuine code, for someone else
        actions.confirm_checkin(acting_user=cast.community, checkin=checkin, code=valid_code(other))
    assert snapshot(checkin) == before and fresh(other).state == CheckInState.CERTIFIED


def test_a_code_as_people_type_it_and_its_replay(cast):
    checkin = in_state(cast, CheckInState.CERTIFIED)
    code = valid_code(checkin)
    typed = f"  https://gj.example/checkin/verify/?code={code[:12].lower()} {code[12:].lower()}&x=1"
    confirmed = actions.confirm_by_code(acting_user=cast.community, code=typed, via="typed")
    assert confirmed.state == CheckInState.CONFIRMED and confirmed.events.last().via == "typed"
    before = snapshot(checkin)
    with pytest.raises(ValidationError, match="already confirmed"):
        actions.confirm_by_code(acting_user=cast.community, code=code)
    with pytest.raises(ValidationError, match="already confirmed"):
        actions.confirm_checkin(acting_user=cast.community, checkin=checkin)
    assert snapshot(checkin) == before and confirmed.events.filter(to_state="confirmed").count() == 1


def test_a_returned_checkin_withdraws_its_certificate_and_a_new_one_works(cast):
    checkin = in_state(cast, CheckInState.CERTIFIED)
    old_code = valid_code(checkin)
    actions.return_checkin(acting_user=cast.community, checkin=checkin, reason=REASON)
    with pytest.raises(ValidationError, match="withdrawn"):
        actions.confirm_by_code(acting_user=cast.community, code=old_code)

    actions.resubmit_checkin(
        acting_user=cast.member,
        checkin=checkin,
        compound=cast.places.compound_a1,
        building=cast.places.building_a1,
        skills="水电维修",
    )
    actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    new_code = valid_code(checkin)
    assert new_code != old_code
    with pytest.raises(ValidationError, match="withdrawn"):
        actions.confirm_by_code(acting_user=cast.community, code=old_code)
    confirmed = actions.confirm_by_code(acting_user=cast.community, code=new_code)
    assert confirmed.state == CheckInState.CONFIRMED and confirmed.skills == "水电维修"
    assert [c.is_valid for c in confirmed.certificates.order_by("id")] == [False, True]
    assert list(confirmed.events.values_list("to_state", flat=True)) == [
        "submitted",
        "certified",
        "returned",
        "submitted",
        "certified",
        "confirmed",
    ]


def test_confirmation_places_the_member_in_the_grid_branch(cast):
    p = cast.places
    community_branch = create_party_org(
        acting_user=None,
        name="龙津网格临时党支部",
        kind=PartyOrgKind.GRID_BRANCH,
        code="O1-1-1-G",
        parent=p.org_a1,
        area=p.a1,
        grid=p.grid_a2,
    )
    confirmed = PERFORM["confirm"](cast, in_state(cast, CheckInState.CERTIFIED))
    assert confirmed.grid_branch == community_branch  # the building's cell has none: the grid above it

    cell_branch = create_party_org(
        acting_user=None,
        name="阳光网格党小组",
        kind=PartyOrgKind.GRID_BRANCH,
        code="O1-1-1-G1",
        parent=p.org_a1,
        area=p.a1,
        grid=p.grid_a3,
    )
    other = submit(cast, member=cast.m_b_home_a, actor=cast.unit2)
    actions.issue_certificate(acting_user=cast.unit2, checkin=other)
    assert actions.confirm_checkin(acting_user=cast.community, checkin=other).grid_branch == cell_branch


# --- whole-unit check-in and transfers ------------------------------------------------------------


def test_a_whole_unit_checks_in_with_a_result_per_member(cast):
    p = cast.places
    on_leave = not_in_service(cast)
    already = submit(cast)
    members = [cast.m_member, cast.m_a2, on_leave, cast.m_b]
    with pytest.raises(PermissionDenied):
        actions.batch_check_in(acting_user=cast.unit2, unit=p.unit_a, members=members)
    results = actions.batch_check_in(acting_user=cast.unit, unit=p.unit_a, members=members)

    assert [r.ok for r in results] == [False, True, False, False]
    assert "already has an active check-in" in results[0].message
    assert results[1].checkin.community == p.a2 and "中山社区" in results[1].message
    assert results[1].checkin.events.get().via == "batch"
    assert "in-service" in results[2].message
    assert "Not a member of 龙岩市烟草公司" in results[3].message
    assert set(CheckIn.objects.values_list("member_id", flat=True)) == {cast.m_member.pk, cast.m_a2.pk}
    assert fresh(already).events.count() == 1
    audit = AuditEvent.objects.get(action="checkin.batch")
    assert audit.detail == {"ok": 1, "failed": 3}


def test_a_transfer_keeps_the_history(cast):
    p = cast.places
    old = PERFORM["confirm"](cast, in_state(cast, CheckInState.CERTIFIED))
    move_home(cast.m_member, p.a2)
    new = actions.transfer_checkin(acting_user=cast.member, checkin=old, reason="搬家到中山社区")
    old = fresh(old)
    assert old.state == CheckInState.CHECKED_OUT and old.closed_at is not None
    assert old.events.last().reason == "搬家到中山社区"
    assert not old.certificates.filter(revoked_at__isnull=True).exists()
    assert new.state == CheckInState.SUBMITTED and new.community == p.a2 and new.rule == CheckInRule.RESIDENCE
    assert new.events.get().via == "transfer" and new.vanguard_kinds == old.vanguard_kinds
    assert list(CheckIn.objects.filter(member=cast.m_member).order_by("id")) == [old, new]


def test_a_refused_transfer_changes_nothing(cast):
    old = PERFORM["confirm"](cast, in_state(cast, CheckInState.CERTIFIED))
    before = snapshot(old)
    with pytest.raises(ValidationError):  # a2 is not where the rule sends them, and no reason given
        actions.transfer_checkin(
            acting_user=cast.member, checkin=old, reason="搬家", community=cast.places.a2
        )
    with pytest.raises(PermissionDenied):  # the community may check out, but not check in elsewhere
        actions.transfer_checkin(acting_user=cast.community, checkin=old, reason="搬家")
    assert snapshot(old) == before and CheckIn.objects.count() == 1


# --- notifications --------------------------------------------------------------------------------


def recipients(kind: str) -> set:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_notifications_reach_the_right_people_and_leave_after_the_commit(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        checkin = submit(cast)
    assert recipients("checkin.submitted") == {"unit"}  # the unit admin: issue the certificate
    assert len(callbacks) == 1 and not Notification.objects.filter(delivered_at__isnull=False).exists()

    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    assert recipients("checkin.certified") == {"community", "member"}
    assert not Notification.objects.filter(delivered_at__isnull=True).exists()  # delivered once committed

    with django_capture_on_commit_callbacks(execute=True):
        actions.return_checkin(acting_user=cast.community, checkin=checkin, reason=REASON)
    assert recipients("checkin.returned") == {"member"}
    assert REASON in Notification.objects.get(kind="checkin.returned").title

    actions.resubmit_checkin(acting_user=cast.member, checkin=checkin)
    actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    actions.confirm_checkin(acting_user=cast.community, checkin=checkin)
    assert recipients("checkin.confirmed") == {"member"}

    other = submit(cast, member=cast.m_b_home_a, actor=cast.unit2)
    actions.reject_checkin(acting_user=cast.community, checkin=other, reason="不在本社区居住")
    assert recipients("checkin.rejected") == {"unit2"}  # 赵六 has no account; their unit's admin hears

    count = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(ValidationError):
        actions.confirm_checkin(acting_user=cast.community, checkin=checkin)
    assert Notification.objects.count() == count and not callbacks  # a refusal tells nobody
