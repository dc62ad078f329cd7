"""The whistle from intake to rated closure, and the ways off the straight path: return and re-dispatch,
unsatisfied once and twice, escalation across a holiday with a frozen clock, merging."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from cases import actions, deadlines, meetings
from cases.models import Case, CaseState, DispatchState, HolderLevel
from cases.tests.fixtures import category, grid_case
from cases.workdays import add_working_days

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_full_path_from_report_to_rated_closure(cast):
    case = grid_case(cast)
    assert case.state == CaseState.TRIAGE and case.holder_level == HolderLevel.COMMUNITY
    assert case.community == cast.places.a1 and case.street == cast.places.street_a
    assert case.reporter == cast.grid and case.number.endswith(f"{case.pk:06d}")
    actions.pass_up(acting_user=cast.community, case=case, reason="需要城管")
    [lead] = actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    actions.accept_dispatch(acting_user=cast.dept, dispatch=lead)
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING
    actions.record_progress(acting_user=cast.dept, case=case, text="已到现场")
    with pytest.raises(ValidationError):
        actions.resolve_case(acting_user=cast.dept, case=case, result="  ")
    actions.resolve_case(acting_user=cast.dept, case=case, result="杂物已清理")
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED and case.completed_on_time is True
    with pytest.raises(PermissionDenied):
        actions.rate_case(acting_user=cast.street, case=case, rating="satisfied")
    actions.rate_case(acting_user=cast.grid, case=case, rating="satisfied")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.rating == "satisfied"
    assert list(case.events.values_list("action", flat=True)) == [
        "report",
        "pass_up",
        "dispatch",
        "accept",
        "progress",
        "resolve",
        "rate",
    ]
    assert AuditEvent.objects.filter(target_id=str(case.public_id)).count() == 7


def test_return_keeps_the_case_and_a_new_lead_can_be_called(cast):
    case = grid_case(cast)
    [lead] = actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    with pytest.raises(ValidationError):
        actions.return_dispatch(acting_user=cast.dept, dispatch=lead, reason="")
    actions.return_dispatch(acting_user=cast.dept, dispatch=lead, reason="不属于本部门职责")
    case.refresh_from_db()
    assert case.state == CaseState.TRIAGE and case.holder_level == HolderLevel.STREET
    assert Case.objects.visible_to(cast.dept).filter(pk=case.pk).exists()  # its history stays visible
    [again] = actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.unit_a)
    assert again.state == DispatchState.AWAITING
    actions.accept_dispatch(acting_user=cast.unit, dispatch=again)


def test_unsatisfied_reopens_once_then_escalates(cast):
    case = grid_case(cast)
    [lead] = actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    actions.accept_dispatch(acting_user=cast.dept, dispatch=lead)
    actions.resolve_case(acting_user=cast.dept, case=case, result="已处理")
    actions.rate_case(acting_user=cast.grid, case=case, rating="unsatisfied", comment="还在")
    case.refresh_from_db()
    lead.refresh_from_db()
    assert (
        case.state == CaseState.HANDLING and case.reopen_count == 1 and lead.state == DispatchState.ACCEPTED
    )
    actions.resolve_case(acting_user=cast.dept, case=case, result="再次清理")
    actions.rate_case(acting_user=cast.grid, case=case, rating="unsatisfied")
    case.refresh_from_db()
    assert case.state == CaseState.TRIAGE and case.holder_level == HolderLevel.DISTRICT
    assert case.escalation_level == 1


def test_dispatch_outside_scope_is_refused(cast):
    case = grid_case(cast)
    with pytest.raises(PermissionDenied):
        actions.dispatch_case(acting_user=cast.street2, case=case, lead=cast.places.dept_a)
    with pytest.raises(ValidationError):  # a unit of street B does not reach a case in street A
        actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.unit_b)
    assert not Case.objects.visible_to(cast.street2).filter(pk=case.pk).exists()
    assert not Case.objects.visible_to(cast.dept).filter(pk=case.pk).exists()


def test_deadline_skips_the_national_day_holiday():
    start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SH)
    # 1–7 October 2026 are the holiday; Saturday 10 October is a make-up working day. A deadline is the
    # midnight that ends its day.
    assert add_working_days(start, 1) == dt.datetime(2026, 10, 9, tzinfo=SH)  # the end of 8 October
    assert add_working_days(start, 3) == dt.datetime(2026, 10, 11, tzinfo=SH)  # the end of Saturday 10th
    assert add_working_days(dt.datetime(2026, 10, 3, 10, tzinfo=SH), 0) == dt.datetime(2026, 10, 9, tzinfo=SH)


def test_escalation_with_a_frozen_clock_across_a_holiday(cast):
    with time_machine.travel(dt.datetime(2026, 9, 29, 9, 0, tzinfo=SH), tick=False):
        case = grid_case(cast, category=category("fire-lane"))  # 1 working day
    case.refresh_from_db()
    assert case.due_at == dt.datetime(2026, 10, 1, tzinfo=SH)  # the end of 30 September
    with time_machine.travel(dt.datetime(2026, 10, 5, 9, 0, tzinfo=SH), tick=False):
        assert deadlines.escalate_overdue() == 1  # late, but no working day has passed: to the street
    case.refresh_from_db()
    assert case.holder_level == HolderLevel.STREET and case.escalation_level == 1
    with time_machine.travel(dt.datetime(2026, 10, 9, 9, 0, tzinfo=SH), tick=False):
        assert deadlines.escalate_overdue() == 0  # one working day late (9 October)
    with time_machine.travel(dt.datetime(2026, 10, 10, 9, 0, tzinfo=SH), tick=False):
        assert deadlines.escalate_overdue() == 1  # the make-up Saturday is the second working day
    case.refresh_from_db()
    assert case.holder_level == HolderLevel.DISTRICT and case.escalation_level == 2


def test_merge_a_duplicate(cast):
    first = grid_case(cast)
    second = grid_case(cast, title="楼道杂物又被举报")
    from cases.queries import possible_duplicates

    assert list(possible_duplicates(second)) == [first]
    actions.merge_case(acting_user=cast.community, case=second, into=first)
    second.refresh_from_db()
    assert second.state == CaseState.MERGED and second.merged_into == first
    assert list(possible_duplicates(first)) == []


def test_the_reporters_phone_is_sealed_and_revealed_only_to_those_handling_it(cast):
    case = grid_case(cast, reporter_name="王阿姨", reporter_phone="13912345678")
    case.refresh_from_db()
    assert "13912345678" not in case.reporter_phone_cipher and case.reporter_phone_masked == "139****5678"
    assert actions.reveal_reporter_phone(acting_user=cast.community, case=case) == "13912345678"
    with pytest.raises(PermissionDenied):
        actions.reveal_reporter_phone(acting_user=cast.inspector, case=case)
    outcomes = list(
        AuditEvent.objects.filter(action="privacy.reveal.reporter_phone").values_list("outcome", flat=True)
    )
    assert sorted(outcomes) == ["denied", "success"]


def test_a_meeting_records_the_case_as_it_is_now(cast):
    import datetime as dt

    from django.utils import timezone

    case = grid_case(cast)
    [lead] = actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    actions.accept_dispatch(acting_user=cast.dept, dispatch=lead)
    assert case.state == CaseState.TRIAGE  # the caller's copy is stale
    meetings.call_meeting(
        acting_user=cast.street,
        case=case,
        title="六方会议",
        starts_at=timezone.now() + dt.timedelta(days=1),
        place="社区党群服务中心",
        invited_units=[cast.places.dept_a],
    )
    event = case.events.last()
    assert (event.action, event.from_state, event.to_state) == ("meeting", "handling", "handling")
