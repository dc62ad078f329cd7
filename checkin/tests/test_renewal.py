"""The check-in renewal period (issue 10 item 5): a city's policy, set on a page and through the API by
its organisation department. With N months, a confirmed check-in older than N months counts as due
again: the rates and the lists of whom to chase leave it out (reconciliation.counted_checkins, the one
place), the member's home asks them to report again, and reporting again starts a new check-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from accounts.scope import scope_for
from audit.models import AuditEvent
from checkin import chase
from checkin import reconciliation as rec
from checkin.figures import check_in_figures
from checkin.models import CheckIn, CheckInPolicy, CheckInState
from checkin.renewal import months_before, renewal_due_on
from checkin.renewal_actions import renew_checkin, set_renewal_period
from checkin.tests.test_reconciliation import confirmed
from gongjian.testing import refusals
from gongjian.work import items_for

pytestmark = pytest.mark.django_db

refused = refusals((CheckInPolicy, CheckIn, AuditEvent))


@pytest.fixture
def district_dept(cast):
    user = create_user(acting_user=None, username="districtdept", password="x-password-123")
    grant_role(acting_user=None, user=user, role=Role.ORG_DEPT, area=cast.places.district)
    cast.district_dept = user
    return user


@pytest.fixture
def old_checkin(cast):
    """张三丰 (the cast's member, lives in A1) confirmed seven months ago."""
    checkin = confirmed(cast, cast.m_member)
    CheckIn.objects.filter(pk=checkin.pk).update(confirmed_at=months_before(timezone.now(), 7))
    checkin.refresh_from_db()
    return checkin


def a1_rate(cast):
    return rec.rates_by_area([cast.places.a1], rec.Period.of("month"))[cast.places.a1.pk]


def test_without_a_policy_a_check_in_holds(cast, old_checkin):
    assert a1_rate(cast).reported == 1
    assert renewal_due_on(old_checkin) is None


def test_a_half_yearly_city_counts_an_old_check_in_as_due(cast, old_checkin):
    before = a1_rate(cast)
    set_renewal_period(acting_user=cast.orgdept, city=cast.places.city, months=6)
    after = a1_rate(cast)
    assert (before.reported, after.reported, after.members) == (1, 0, before.members)
    period = rec.Period.of("month")
    assert cast.m_member in chase.unreported(cast.places.a1, period=period)
    assert rec.rates(area=cast.places.a1, start=period.start, end=period.end).reported == 0
    figures = check_in_figures(cast.orgdept, [cast.places.a1], timezone.localdate())[cast.places.a1.pk]
    assert figures["reported"] == 0 and figures["not_reported"] == figures["in_service"]
    summary = rec.unit_summary(cast.places.unit_a)  # the unit's roster: due to report again
    assert (summary[rec.CONFIRMED], summary[rec.NOT_SUBMITTED]) == (0, summary["members"])
    unreported = next(i for i in items_for(cast.unit, scope_for(cast.unit)) if i.key == "checkin.unreported")
    assert unreported.count == summary["members"]
    # a yearly city: seven months is still within the period
    set_renewal_period(acting_user=cast.orgdept, city=cast.places.city, months=12)
    assert a1_rate(cast).reported == 1
    assert AuditEvent.objects.filter(action="checkin.renewal_period").count() == 2


def test_a_lapsed_check_in_counts_for_the_periods_it_was_in_force(cast, old_checkin):
    """Like a check-out: it counts for a period when it was in force during some of it."""
    set_renewal_period(acting_user=cast.orgdept, city=cast.places.city, months=6)
    confirmed_on = timezone.localtime(old_checkin.confirmed_at).date()
    month = rec.Period.of("month", today=confirmed_on + timedelta(days=40))
    assert rec.rates(area=cast.places.a1, start=month.start, end=month.end).reported == 1


def test_the_member_is_asked_to_report_again_and_does(cast, old_checkin):
    set_renewal_period(acting_user=cast.orgdept, city=cast.places.city, months=6)
    keys = [i.key for i in items_for(cast.member, scope_for(cast.member))]
    assert "checkin.renew" in keys
    renewed = renew_checkin(acting_user=cast.member, checkin=old_checkin)
    old_checkin.refresh_from_db()
    assert (old_checkin.state, renewed.state) == (CheckInState.CHECKED_OUT, CheckInState.SUBMITTED)
    assert renewed.community == old_checkin.community
    assert AuditEvent.objects.filter(action="checkin.renew", target_id=str(renewed.public_id)).exists()
    assert "checkin.renew" not in [i.key for i in items_for(cast.member, scope_for(cast.member))]


def test_renewing_before_it_is_due_is_refused(cast):
    checkin = confirmed(cast, cast.m_member)
    with refused(ValidationError, "does not ask"):
        renew_checkin(acting_user=cast.member, checkin=checkin)
    set_renewal_period(acting_user=cast.orgdept, city=cast.places.city, months=6)
    with refused(ValidationError, "holds until", checkin):
        renew_checkin(acting_user=cast.member, checkin=checkin)


@pytest.mark.parametrize("who", ["street", "community", "unit", "member", "district_dept"])
def test_only_the_city_organisation_department_sets_the_policy(cast, district_dept, who):
    with refused(PermissionDenied, "organisation department"):
        set_renewal_period(acting_user=getattr(cast, who), city=cast.places.city, months=6)


def test_a_period_off_the_list_is_refused(cast):
    with refused(ValidationError, "from the list"):
        set_renewal_period(acting_user=cast.orgdept, city=cast.places.city, months=5)


def test_the_policy_page(client, cast, district_dept):
    url = reverse("checkin:policy")
    change = reverse("checkin:policy_change", args=[cast.places.city.public_id])
    assert cast.login(client, "orgdept").get(url).status_code == 200
    assert cast.login(client, "street").get(url).status_code == 403
    assert cast.login(client, "street").post(change, {"renewal_months": "6"}).status_code == 403
    assert cast.login(client, "district_dept").post(change, {"renewal_months": "6"}).status_code == 404
    assert not CheckInPolicy.objects.exists()
    assert cast.login(client, "orgdept").post(change, {"renewal_months": "6"}).status_code == 302
    assert CheckInPolicy.objects.get(city=cast.places.city).renewal_months == 6


def test_the_member_page_offers_the_renewal(client, cast, old_checkin):
    set_renewal_period(acting_user=cast.orgdept, city=cast.places.city, months=6)
    page = cast.login(client, "member").get(reverse("checkin:my_checkin"))
    assert "Report again" in page.content.decode()
    response = client.post(reverse("checkin:member_renew", args=[old_checkin.public_id]))
    assert response.status_code == 302
    assert CheckIn.objects.active().get(member=cast.m_member).state == CheckInState.SUBMITTED


def test_the_api(client, cast, bearer, district_dept, old_checkin):
    path = f"/api/v1/checkin-policies/{cast.places.city.public_id}"

    def put(who, months):
        return client.put(
            path, {"renewal_months": months}, content_type="application/json", headers=bearer(who)
        )

    assert put("street", 6).status_code == 403
    assert put("district_dept", 6).status_code == 404
    assert put("orgdept", 5).status_code == 422
    assert put("orgdept", 6).json()["renewal_months"] == 6
    listed = client.get("/api/v1/checkin-policies", headers=bearer("orgdept"))
    assert [(p["city"]["name"], p["renewal_months"]) for p in listed.json()] == [("龙岩市", 6)]
    assert client.get("/api/v1/checkin-policies", headers=bearer("street")).status_code == 403
    renew = f"/api/v1/checkins/{old_checkin.public_id}/renew"
    assert client.post(renew, headers=bearer("street")).status_code == 403
    renewed = client.post(renew, headers=bearer("member"))
    assert renewed.status_code == 200 and renewed.json()["state"] == "submitted"
