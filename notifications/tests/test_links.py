"""Every kind of notification the product sends links to a page its recipient may open.

Each scenario below does, through the actions, what makes the product send one kind; then every
recipient of that kind signs in and opens the link: 200, never the 403 a unit admin got for a
rejected check-in (the link was the member's own page). A new ``notify(kind=...)`` in the code fails
``test_every_kind_sent_has_a_scenario`` until it has a scenario here.
"""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.second_factor_actions import sign_in_verified
from alliances.tests.test_agreements import renewal_reminder
from checkin import actions as checkin_actions
from checkin import codes as checkin_codes
from checkin import reminders as checkin_reminders
from checkin.models import CheckIn, VanguardKind
from gongjian.testing import item
from notifications.models import Notification
from points import actions as points_actions
from points.models import PointEntry
from points.tests.test_actions import a_reward, earn, served
from service import reminders as service_reminders
from service.models import Milestone, ResourceKind, ServiceRecord
from service.needs import actions as need_actions
from service.pairings import actions as pairing_actions
from service.projects import actions as project_actions
from service.records import actions as record_actions
from service.resources import actions as resource_actions

pytestmark = pytest.mark.django_db


# --- what makes the product send each kind ----------------------------------------------------------


def submitted(cast) -> CheckIn:
    return checkin_actions.submit_checkin(
        acting_user=cast.member, member=cast.m_member, vanguard_kinds=[VanguardKind.VOLUNTEERING]
    )


def certified(cast) -> CheckIn:
    checkin = submitted(cast)
    checkin_actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    checkin.refresh_from_db()
    return checkin


def confirmed(cast) -> None:
    checkin = certified(cast)
    code = checkin_codes.certificate_code(checkin.certificates.get())
    checkin_actions.confirm_by_code(acting_user=cast.community, code=code)


def resubmitted(cast) -> None:
    checkin = submitted(cast)
    checkin_actions.return_checkin(acting_user=cast.unit, checkin=checkin, reason="请补充技能")
    checkin.refresh_from_db()
    checkin_actions.resubmit_checkin(acting_user=cast.member, checkin=checkin, skills="电工")


def rejected(cast) -> None:
    checkin_actions.reject_checkin(acting_user=cast.community, checkin=certified(cast), reason="不住本社区")


def returned_by_the_community(cast) -> None:
    checkin_actions.return_checkin(acting_user=cast.community, checkin=certified(cast), reason="楼栋有误")


def returned_by_the_unit(cast) -> None:
    checkin_actions.return_checkin(acting_user=cast.unit, checkin=submitted(cast), reason="请补充技能")


def reminded_to_report(cast) -> None:
    assert checkin_reminders.remind_unreported_members()


def reminded_to_confirm(cast) -> None:
    CheckIn.objects.filter(pk=certified(cast).pk).update(certified_at=timezone.now() - timedelta(days=30))
    assert checkin_reminders.remind_pending_confirmations(days=7)


def points_corrected(cast) -> None:
    entry = PointEntry.objects.get(record=served(cast))
    points_actions.reverse_entry(acting_user=cast.community, entry=entry, reason="记录有误")


def redemption_cancelled(cast) -> None:
    earn(cast, 40)
    redemption = points_actions.redeem_reward(acting_user=cast.member, reward=a_reward(cast))
    points_actions.cancel_redemption(acting_user=cast.community, redemption=redemption, reason="缺货")


def a_need(cast, by=None, **kwargs):
    kwargs.setdefault("title", "楼道灯不亮")
    kwargs.setdefault("category", item("home_repair"))
    if by is None:
        return need_actions.post_need(acting_user=cast.resident, **kwargs)
    return need_actions.post_need(acting_user=by, community=cast.places.a1, **kwargs)


def need_posted_by_a_resident(cast) -> None:
    a_need(cast)


def need_posted_by_the_grid_worker(cast) -> None:
    a_need(cast, by=cast.grid, beneficiary_resident=cast.r_a)


def dispatched_to_a_member(cast, by="community"):
    return need_actions.dispatch_need(acting_user=getattr(cast, by), need=a_need(cast), member=cast.m_member)


def dispatched_to_a_unit(cast) -> None:
    need_actions.dispatch_need(acting_user=cast.community, need=a_need(cast), unit=cast.places.unit_a)


def taken_by_a_member(cast) -> None:
    need_actions.take_need(acting_user=cast.member, need=a_need(cast))


def taken_by_a_unit(cast) -> None:
    need_actions.take_need(acting_user=cast.unit, need=a_need(cast), unit=cast.places.unit_a)


def accepted(cast, by="community") -> None:
    need_actions.accept_assignment(acting_user=cast.member, assignment=dispatched_to_a_member(cast, by=by))


def declined(cast, by="community") -> None:
    offer = dispatched_to_a_member(cast, by=by)
    need_actions.decline_assignment(acting_user=cast.member, assignment=offer, reason="出差")


def withdrawn(cast) -> None:
    offer = dispatched_to_a_member(cast)
    need_actions.withdraw_assignment(acting_user=cast.community, assignment=offer, reason="另派")


def cancelled(cast) -> None:
    offer = dispatched_to_a_member(cast)
    need_actions.cancel_need(acting_user=cast.community, need=offer.need, reason="居民已自行解决")


def reply_overdue(cast) -> None:
    dispatched_to_a_member(cast)
    assert service_reminders.remind_overdue_replies(now=timezone.now() + timedelta(days=3))


def need_overdue(cast) -> None:
    a_need(cast, due_at=timezone.now() + timedelta(hours=2))
    assert service_reminders.remind_overdue_needs(now=timezone.now() + timedelta(hours=3))


def logged(cast, **kwargs) -> ServiceRecord:
    kwargs.setdefault("community", cast.places.a1)
    return record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=timezone.now() - timedelta(hours=kwargs.pop("hours_ago", 3)),
        minutes=kwargs.pop("minutes", 60),
        description="陪老人聊天",
        **kwargs,
    )


def record_held_for_review(cast) -> None:
    logged(cast, minutes=settings.SERVICE_MAX_HOURS_PER_DAY * 60 + 60, hours_ago=12)


def record_to_confirm(cast) -> ServiceRecord:
    return logged(cast, beneficiary_resident=cast.r_a)


def record_disputed(cast) -> None:
    from service.records import disputes

    disputes.dispute_as_beneficiary(
        acting_user=cast.resident, record=record_to_confirm(cast), reason="没有上门"
    )


def record_confirmed(cast) -> None:
    record_actions.confirm_as_organiser(acting_user=cast.community, record=logged(cast))


def record_rejected(cast) -> None:
    record_actions.reject_service_record(acting_user=cast.community, record=logged(cast), reason="无法核实")


def records_pending(cast) -> None:
    logged(cast)
    ServiceRecord.objects.update(created_at=timezone.now() - timedelta(days=3))
    assert service_reminders.remind_pending_records()


def resource_offered(cast) -> None:
    resource_actions.add_resource(
        acting_user=cast.unit,
        unit=cast.places.unit_a,
        kind=ResourceKind.PEOPLE_HOURS,
        title="律师志愿服务",
        quantity=40,
        measure="小时",
        community=cast.places.a1,
    )


def paired_with_a_member(cast) -> None:
    pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, reason="独居老人", member=cast.m_member
    )


def paired_with_a_unit(cast) -> None:
    pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, reason="独居老人", unit=cast.places.unit_a
    )


def project_of_the_community(cast):
    return project_actions.propose_project(
        acting_user=cast.community,
        community=cast.places.a1,
        title="居家养老服务中心",
        unit=cast.places.unit_a,
    )


def project_proposed_by_a_unit(cast) -> None:
    project_actions.propose_project(
        acting_user=cast.unit, community=cast.places.a1, title="法律进社区", unit=cast.places.unit_a
    )


def unit_added_by(who: str):
    def scenario(cast) -> None:
        project = project_actions.propose_project(
            acting_user=cast.community, community=cast.places.a1, title="居家养老服务中心"
        )
        project_actions.add_project_unit(
            acting_user=getattr(cast, who), project=project, unit=cast.places.unit_a
        )

    scenario.__name__ = f"unit_added_by_{who}"
    return scenario


def commitment_made(cast) -> None:
    project_actions.commit_to_project(
        acting_user=cast.unit,
        project=project_of_the_community(cast),
        unit=cast.places.unit_a,
        description="装修资金",
        quantity="50000",
        measure="元",
    )


def project_agreed(cast):
    project = project_of_the_community(cast)
    project_actions.agree_project(acting_user=cast.community, project=project)
    return project


def milestone_done(cast) -> None:
    project = project_agreed(cast)
    project_actions.start_project(acting_user=cast.community, project=project)
    milestone = project_actions.add_milestone(acting_user=cast.community, project=project, title="完成装修")
    project_actions.complete_milestone(
        acting_user=cast.unit, milestone=Milestone.objects.get(pk=milestone.pk)
    )


# --- cases (issue 13) ---


def a_case(cast):
    from cases.actions import report_case
    from cases.models import CaseCategory

    return report_case(
        acting_user=cast.grid,
        title="楼道堆物",
        category=CaseCategory.objects.get(code="piles"),
        building=cast.places.building_a1,
    )


def case_dispatched(cast):
    from cases.actions import dispatch_case

    case = a_case(cast)
    [lead] = dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    return case, lead


def case_accepted(cast):
    from cases.actions import accept_dispatch

    case, lead = case_dispatched(cast)
    accept_dispatch(acting_user=cast.dept, dispatch=lead)
    return case


def case_returned(cast) -> None:
    from cases.actions import return_dispatch

    _, lead = case_dispatched(cast)
    return_dispatch(acting_user=cast.dept, dispatch=lead, reason="不属于本部门")


def case_resolved(cast):
    from cases.actions import resolve_case

    case = case_accepted(cast)
    resolve_case(acting_user=cast.dept, case=case, result="已清理")
    return case


def case_reopened(cast) -> None:
    from cases.actions import rate_case

    rate_case(acting_user=cast.grid, case=case_resolved(cast), rating="unsatisfied")


def case_escalated(cast) -> None:
    from cases.deadlines import escalate_overdue

    case = a_case(cast)
    type(case).objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(days=10))
    escalate_overdue()


def case_meeting(cast) -> None:
    from cases.meetings import call_meeting

    case = case_accepted(cast)
    call_meeting(
        acting_user=cast.street,
        case=case,
        title="六方会议",
        starts_at=timezone.now() + timedelta(days=1),
        place="社区会议室",
        invited_units=[cast.places.dept_a],
    )


def case_due_soon(cast) -> None:
    from cases.deadlines import send_reminders

    case = case_accepted(cast)
    type(case).objects.filter(pk=case.pk).update(due_at=timezone.now() + timedelta(hours=3))
    send_reminders()


def case_accept_soon(cast) -> None:
    from cases.deadlines import send_reminders

    _, lead = case_dispatched(cast)
    type(lead).objects.filter(pk=lead.pk).update(accept_by=timezone.now() + timedelta(hours=1))
    send_reminders()


def activity_cancelled(cast) -> None:  # alliances, part act
    from alliances import activities as alliance_activities
    from alliances.tests.fixtures import street_alliance
    from alliances.tests.test_activities import an_activity

    activity = an_activity(cast, street_alliance(cast))
    alliance_activities.sign_up(acting_user=cast.resident, activity=activity)
    alliance_activities.sign_up(acting_user=cast.member, activity=activity)
    alliance_activities.cancel_activity(acting_user=cast.unit, activity=activity, reason="暴雨预警")


# --- alliances: meetings and resolutions (issue 14, part meet) ---


def meeting_called(cast):
    from alliances.tests.meeting_fixtures import joint_meeting

    return joint_meeting(cast).meeting


def meeting_cancelled(cast) -> None:
    from alliances.meetings import cancel_meeting

    cancel_meeting(acting_user=cast.street, meeting=meeting_called(cast), reason="改期")


def minutes_published(cast) -> None:
    from alliances.meetings import publish_minutes, save_minutes
    from alliances.tests.meeting_fixtures import held_meeting

    meeting = held_meeting(cast).meeting
    save_minutes(acting_user=cast.street, meeting=meeting, text="议定事项")
    publish_minutes(acting_user=cast.street, meeting=meeting)


def resolution_assigned(cast):
    from alliances.tests.test_resolutions import a_resolution

    return a_resolution(cast, owner_unit=cast.places.dept_a)


def resolution_overdue(cast) -> None:
    from alliances.models import Resolution
    from alliances.resolutions import remind_overdue

    resolution = resolution_assigned(cast)
    Resolution.objects.filter(pk=resolution.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    Notification.objects.all().delete()
    assert remind_overdue()


SCENARIOS = {
    "alliances.activity_cancelled": [activity_cancelled],
    "case.new": [a_case],
    "case.dispatched": [case_dispatched],
    "case.returned": [case_returned],
    "case.resolved": [case_resolved],
    "case.reopened": [case_reopened],
    "case.escalated": [case_escalated],
    "case.meeting": [case_meeting],
    "case.due_soon": [case_due_soon],
    "case.accept_soon": [case_accept_soon],
    "checkin.submitted": [submitted, resubmitted],
    "checkin.certified": [certified],
    "checkin.confirmed": [confirmed],
    "checkin.rejected": [rejected],
    "checkin.returned": [returned_by_the_community, returned_by_the_unit],
    "checkin.reminder": [reminded_to_report],
    "checkin.pending_reminder": [reminded_to_confirm],
    "points.entry_reversed": [points_corrected],
    "points.redemption_cancelled": [redemption_cancelled],
    "service.need_posted": [need_posted_by_a_resident, need_posted_by_the_grid_worker],
    "service.need_dispatched": [dispatched_to_a_member, dispatched_to_a_unit],
    "service.need_taken": [taken_by_a_member, taken_by_a_unit],
    "service.assignment_accepted": [accepted, lambda cast: accepted(cast, by="street")],
    "service.assignment_declined": [declined, lambda cast: declined(cast, by="street")],
    "service.assignment_withdrawn": [withdrawn],
    "service.need_cancelled": [cancelled],
    "service.reply_overdue": [reply_overdue],
    "service.need_overdue": [need_overdue],
    "service.record_flagged": [record_held_for_review],
    "service.record_to_confirm": [record_to_confirm],
    "service.record_confirmed": [record_confirmed],
    "service.record_rejected": [record_rejected],
    "service.records_pending": [records_pending],
    "service.record_disputed": [record_disputed],
    "service.resource_offered": [resource_offered],
    "service.household_paired": [paired_with_a_member, paired_with_a_unit],
    "service.project_proposed": [project_of_the_community, project_proposed_by_a_unit],
    "service.project_unit_added": [unit_added_by("community"), unit_added_by("unit")],
    "service.project_commitment": [commitment_made],
    "service.project_moved": [project_agreed],
    "service.milestone_done": [milestone_done],
    "alliances.renewal_due": [renewal_reminder],
    "alliances.meeting_invited": [meeting_called],
    "alliances.meeting_cancelled": [meeting_cancelled],
    "alliances.minutes_published": [minutes_published],
    "alliances.resolution_assigned": [resolution_assigned],
    "alliances.resolution_overdue": [resolution_overdue],
}

CASES = [
    pytest.param(kind, scenario, id=f"{kind}-{getattr(scenario, '__name__', 'lambda')}-{n}")
    for kind, scenarios in SCENARIOS.items()
    for n, scenario in enumerate(scenarios)
]


@pytest.mark.parametrize(("kind", "scenario"), CASES)
def test_each_recipient_opens_the_link(client, cast, kind, scenario):
    Notification.objects.all().delete()
    scenario(cast)
    notes = list(Notification.objects.filter(kind=kind).select_related("recipient"))
    assert notes, f"the scenario sent no {kind}"
    for note in notes:
        assert note.url, f"{kind} to {note.recipient}: no link"
        sign_in_verified(client, note.recipient)
        response = client.get(note.url)
        assert response.status_code == 200, (
            f"{kind} to {note.recipient}: {note.url} answers {response.status_code}"
        )
        # the inbox opens the same link for them
        opened = client.post(f"/notifications/{note.public_id}/open/")
        assert opened.status_code == 302 and opened["Location"] == note.url


def kinds_sent() -> set[str]:
    """Every ``kind=`` given to ``notify(...)`` in the product's code."""
    root = Path(settings.BASE_DIR)
    skipped = {".venv", "node_modules", "var", "tests", "migrations", "static"}
    kinds = set()
    for path in root.rglob("*.py"):
        if skipped.intersection(path.relative_to(root).parts):
            continue
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "notify":
                for keyword in call.keywords:
                    if keyword.arg == "kind":
                        assert isinstance(keyword.value, ast.Constant), f"{path}: a computed kind"
                        kinds.add(keyword.value.value)
    return kinds


def test_every_kind_sent_has_a_scenario():
    sent = kinds_sent()
    assert len(sent) > 20
    assert sent == set(SCENARIOS), f"no scenario: {sorted(sent - set(SCENARIOS))}"


def test_a_unit_admin_told_of_a_rejection_finds_the_member_to_chase(client, cast):
    rejected(cast)
    note = Notification.objects.get(kind="checkin.rejected", recipient=cast.unit)
    cast.login(client, "unit")
    response = client.get(note.url)
    # the unit's roster, at the members not checked in: the one rejected stands there now
    assert response.context["status"] == "not_submitted"
    assert "张三丰" in [row.member.name for row in response.context["page"]]
