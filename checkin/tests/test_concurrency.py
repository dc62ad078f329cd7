"""Two people acting on the same member at the same moment, in real concurrent transactions.

PostgreSQL only: SQLite lets one writer in at a time, so it cannot show a race (CI runs these on
PostgreSQL). Each test makes the race certain rather than likely: the threads wait for each other
(or hold a lock a moment) at the point where the interleaving matters.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.actions import create_user, grant_role
from accounts.models import Role
from checkin import actions, codes
from checkin.models import CheckIn, CheckInEvent, CheckInState
from conftest import build_cast
from gongjian.testing import together
from people.models import Member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write, so it cannot show a race; CI runs these on PostgreSQL")


def test_two_submissions_at_once_leave_one_active_checkin(monkeypatch):
    cast = build_cast()
    # Both threads pass the "already has an active check-in" test before either inserts its row:
    # only the database's one-active-per-member constraint can stop the second.
    passed_the_check = threading.Barrier(2)
    propose = actions.propose_community

    def propose_after_both_checked(member, **kwargs):
        passed_the_check.wait(timeout=10)
        return propose(member, **kwargs)

    monkeypatch.setattr(actions, "propose_community", propose_after_both_checked)

    def submit(user):
        member = Member.objects.get(pk=cast.m_member.pk)
        return actions.submit_checkin(acting_user=user, member=member, via="race").pk

    results = together(lambda: submit(cast.member), lambda: submit(cast.unit))

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError) and "already has an active check-in" in error.messages[0]
    assert CheckIn.objects.filter(member=cast.m_member).count() == 1
    assert CheckInEvent.objects.filter(checkin__member=cast.m_member).count() == 1


def test_two_confirmations_at_once_confirm_once(monkeypatch):
    cast = build_cast()
    checkin = actions.submit_checkin(acting_user=cast.member, member=cast.m_member)
    certificate = actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
    code = codes.certificate_code(certificate)
    colleague = create_user(acting_user=None, username="community-b", password=None)
    grant_role(acting_user=None, user=colleague, role=Role.COMMUNITY, area=cast.places.a1)
    # Whoever locks the check-in first holds the lock a moment, so the other one is certainly
    # waiting for it rather than reading the check-in beside it.
    locked = actions._locked

    def locked_slowly(row):
        row = locked(row)
        time.sleep(0.3)
        return row

    monkeypatch.setattr(actions, "_locked", locked_slowly)

    results = together(
        lambda: actions.confirm_by_code(acting_user=cast.community, code=code, via="scan").pk,
        lambda: actions.confirm_by_code(acting_user=colleague, code=code, via="typed").pk,
    )

    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError) and "already confirmed" in error.messages[0]
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CONFIRMED
    assert checkin.events.filter(to_state=CheckInState.CONFIRMED).count() == 1
