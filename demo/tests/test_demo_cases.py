"""The demo city's cases: every state is there, every case's events chain from its report to its state,
each turn of the whistle happened at least once, and the demo accounts find their work waiting."""

from itertools import groupby

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import RoleGrant
from cases.models import (
    Case,
    CaseCategory,
    CaseDispatch,
    CaseEvent,
    CaseMeeting,
    CaseSource,
    CaseState,
    DispatchRole,
    DispatchState,
    HolderLevel,
    MeetingState,
    ResponsibilityArea,
    Satisfaction,
)
from demo.tests.test_service_demo import DEMO_OPTIONS  # noqa: F401 (the same city, built once)
from orgs.models import UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(demo_city):
    return demo_city


def user(username):
    return get_user_model().objects.get(username=username)


def test_every_state_and_no_step_refused(city):
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    assert "cases in" in city and "refused" not in city


def test_each_case_is_the_end_of_its_chain_of_events(city):
    events = CaseEvent.objects.order_by("case_id", "at", "id").values_list(
        "case_id", "action", "from_state", "to_state", "at"
    )
    states = dict(Case.objects.values_list("pk", "state"))
    chained = 0
    for case_id, rows in groupby(events, key=lambda row: row[0]):
        rows = list(rows)
        assert rows[0][1:3] == ("report", ""), case_id
        for before, after in zip(rows, rows[1:], strict=False):
            assert after[2] == before[3], (case_id, before[1], after[1])
            assert after[4] >= before[4]
        assert rows[-1][3] == states.pop(case_id)
        chained += 1
    assert not states  # every case has its events
    assert chained > 40


def test_every_turn_of_the_whistle_happened(city):
    sources = set(Case.objects.values_list("source", flat=True))
    assert {
        CaseSource.GRID_WORKER,
        CaseSource.RESIDENT,
        CaseSource.MEMBER,
        CaseSource.COMMUNITY,
        CaseSource.HOTLINE,
    } <= sources
    actions = set(CaseEvent.objects.values_list("action", flat=True))
    assert {
        "report",
        "pass_up",
        "dispatch",
        "accept",
        "return",
        "progress",
        "resolve",
        "rate",
        "reopen",
        "escalate",
        "merge",
        "merged_in",
        "meeting",
        "meeting_held",
        "auto_close",
    } <= actions
    dispatches = CaseDispatch.objects.all()
    assert (
        dispatches.filter(accepted_on_time=True).exists()
        and dispatches.filter(accepted_on_time=False).exists()
    )
    assert dispatches.filter(role=DispatchRole.CO).exists()
    assert dispatches.filter(unit__kind=UnitKind.DEPARTMENT).exists()
    assert dispatches.exclude(unit__kind=UnitKind.DEPARTMENT).exists()  # member units too
    assert dispatches.filter(state=DispatchState.RETURNED).exclude(return_reason="").exists()
    done = Case.objects.filter(state__in=(CaseState.RESOLVED, CaseState.CLOSED))
    assert done.filter(completed_on_time=True).exists() and done.filter(completed_on_time=False).exists()
    assert set(Case.objects.exclude(rating="").values_list("rating", flat=True)) == set(Satisfaction.values)
    assert Case.objects.filter(state=CaseState.CLOSED, rating="").exists()  # closed unconfirmed
    assert Case.objects.filter(reopen_count=1).exists()
    assert Case.objects.filter(holder_level=HolderLevel.DISTRICT, escalation_level__gt=0).exists()
    merged = Case.objects.filter(state=CaseState.MERGED).select_related("merged_into")
    assert merged and all(c.merged_into.category_id == c.category_id for c in merged)
    held = CaseMeeting.objects.filter(state=MeetingState.HELD)
    assert held.exists() and all(m.attended_units.exists() and m.agreed for m in held)
    assert ResponsibilityArea.objects.filter(member__isnull=False).exists()
    assert ResponsibilityArea.objects.filter(team__isnull=False).exists()
    groups = CaseCategory.objects.leaves().exclude(parent__code="other")
    assert not groups.filter(default_handler__isnull=True).exists()
    assert not groups.exclude(default_handler__kind=UnitKind.DEPARTMENT).exists()


def test_the_demo_accounts_find_work_waiting(city):
    now = timezone.now()
    dept = user("dept")
    awaiting = CaseDispatch.objects.for_user(dept).filter(state=DispatchState.AWAITING)
    assert awaiting.count() >= 3
    visible = Case.objects.visible_to(dept)
    assert visible.filter(pk__in=awaiting.values("case_id"), state=CaseState.DISPATCHED).count() >= 3
    handled = visible.filter(dispatches__in=CaseDispatch.objects.for_user(dept), state=CaseState.HANDLING)
    assert handled.due_soon(now).exists() and handled.overdue(now).exists()

    unit = user("unit")
    assert CaseDispatch.objects.for_user(unit).filter(state=DispatchState.AWAITING).exists()

    grid = user("grid")
    [grant] = RoleGrant.objects.filter(user=grid).select_related("grid")
    mine = Case.objects.visible_to(grid).open()
    assert mine.filter(grid_path__startswith=grant.grid.path).count() >= 3
    assert Case.objects.visible_to(user("street2")).filter(street__in=mine.values("street")).count() == 0

    community = user("community")
    [grant] = RoleGrant.objects.filter(user=community)
    assert (
        Case.objects.visible_to(community)
        .filter(state=CaseState.TRIAGE, holder_level=HolderLevel.COMMUNITY, holder_area=grant.area)
        .exists()
    )
    street = user("street")
    [grant] = RoleGrant.objects.filter(user=street)
    assert Case.objects.filter(state=CaseState.TRIAGE, holder_area=grant.area).exists()

    resident = user("resident")
    assert Case.objects.filter(reporter=resident, state=CaseState.RESOLVED).exists()
    assert Case.objects.filter(reporter=resident, state=CaseState.CLOSED).exclude(rating="").exists()
