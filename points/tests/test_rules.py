"""The city's point rules (issue 10 item 5): dated versions per city, picked on the day of the service;
a change takes effect from a coming day and never rewrites booked points; only the city's organisation
department (or a platform administrator) changes them, on the page and through the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from audit.models import AuditEvent
from gongjian.testing import item, refusals
from points import actions as points
from points import rule_actions
from points.models import EntryKind, PointEntry, PointRule
from points.rules import city_rules, rule_for
from points.tests.test_actions import served
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db

refused = refusals((PointRule, PointEntry, AuditEvent))


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def district_dept(cast):
    """An organisation department of the district: it reads the city's rules but does not keep them."""
    user = create_user(acting_user=None, username="districtdept", password="x-password-123")
    grant_role(acting_user=None, user=user, role=Role.ORG_DEPT, area=cast.places.district)
    cast.district_dept = user
    return user


def change(cast, **kwargs):
    values = {
        "acting_user": cast.orgdept,
        "city": cast.places.city,
        "category": None,
        "points_per_hour": 30,
        "urgent_bonus": 5,
        "daily_cap": 200,
        "effective_from": tomorrow(),
    }
    return rule_actions.set_point_rule(**{**values, **kwargs})


# --- the ledger is never rewritten -----------------------------------------------------------------


def test_a_change_books_from_its_day_and_never_rewrites_booked_points(cast):
    """Book under the default rule, change the city's rule, book again: the old entries are exactly as
    they were; service done after the change's day earns by the new rule; service done before it, even
    when confirmed after the change, earns by the old one (the day of the service decides)."""
    old = served(cast, minutes=60, days_ago=2)
    booked = list(PointEntry.objects.filter(record=old).values())
    assert [e["amount"] for e in booked] == [10]
    late = record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
        - timedelta(days=1),
        minutes=60,
        description="服务",
        community=cast.places.a1,
    )
    rule = change(cast)
    assert AuditEvent.objects.filter(action="points.rule_changed", target_id=str(rule.public_id)).exists()
    assert list(PointEntry.objects.filter(record=old).values()) == booked

    later = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        new = record_actions.log_service_record(
            acting_user=cast.member,
            category=item("elderly_care"),
            started_at=later - timedelta(hours=3),
            minutes=60,
            description="服务",
            community=cast.places.a1,
        )
        record_actions.confirm_as_organiser(acting_user=cast.community, record=new, note="核实")
        record_actions.confirm_as_organiser(acting_user=cast.community, record=late, note="核实")
    assert list(PointEntry.objects.filter(record=new).values_list("kind", "amount")) == [
        (EntryKind.SERVICE, 30)
    ]
    assert list(PointEntry.objects.filter(record=late).values_list("amount", flat=True)) == [10]
    assert list(PointEntry.objects.filter(record=old).values()) == booked
    assert points.balance_of(cast.m_member) == 50


def test_the_rule_in_force_is_the_latest_version_up_to_the_day(cast):
    repair, city = item("home_repair"), cast.places.city
    day = timezone.localdate()
    PointRule.objects.create(
        city=city, category=repair, points_per_hour=20, effective_from=day - timedelta(days=10)
    )
    PointRule.objects.create(
        city=city, category=repair, points_per_hour=25, effective_from=day + timedelta(days=5)
    )
    assert (
        rule_for(repair, city=city, on=day - timedelta(days=11)).points_per_hour == 10
    )  # the shared default
    assert rule_for(repair, city=city, on=day).points_per_hour == 20
    assert rule_for(repair, city=city, on=day + timedelta(days=5)).points_per_hour == 25
    assert rule_for(repair, on=day).points_per_hour == 10  # another city's (no city): the shared rules


def test_the_item_beats_the_big_category_beats_the_default_and_the_city_beats_the_shared(cast):
    repair, city = item("home_repair"), cast.places.city
    PointRule.objects.create(category=repair, points_per_hour=20)  # shared item rule
    PointRule.objects.create(city=city, points_per_hour=15)  # the city's default
    assert rule_for(repair, city=city).points_per_hour == 20  # the item's rule is more specific
    assert rule_for(item("parking"), city=city).points_per_hour == 15  # the city's default beats the shared
    PointRule.objects.create(city=city, category=repair, points_per_hour=25)
    assert rule_for(repair, city=city).points_per_hour == 25
    ended = rule_actions.end_point_rule(
        acting_user=cast.orgdept, city=city, category=repair, effective_from=tomorrow()
    )
    assert rule_for(repair, city=city, on=tomorrow()).points_per_hour == 20  # back to the shared item rule
    rule_actions.withdraw_point_rule(acting_user=cast.orgdept, rule=ended)
    assert rule_for(repair, city=city, on=tomorrow()).points_per_hour == 25
    assert AuditEvent.objects.filter(action="points.rule_withdrawn").count() == 1


def test_the_rules_page_rows(cast):
    city = cast.places.city
    change(cast, category=item("home_repair"), points_per_hour=20)
    rows = city_rules(city)
    default = next(r for r in rows if r.category is None)
    repair = next(r for r in rows if r.category is not None)
    assert (default.current.points_per_hour, default.own) == (10, False)  # the shared default, seeded
    assert repair.current is None and [v.points_per_hour for v in repair.scheduled] == [20]


# --- refusals --------------------------------------------------------------------------------------


def test_a_change_takes_effect_from_tomorrow_at_the_earliest(cast):
    with refused(ValidationError, "from tomorrow"):
        change(cast, effective_from=timezone.localdate())
    change(cast)
    with refused(ValidationError, "already recorded"):
        change(cast, points_per_hour=40)


def test_bad_values_are_refused(cast):
    with refused(ValidationError, "Points per hour"):
        change(cast, points_per_hour=-1)
    with refused(ValidationError, "daily cap"):
        change(cast, daily_cap=0)
    other = create_city_item(cast)
    with refused(ValidationError, "not on the city's service menu"):
        change(cast, city=None, acting_user=cast.admin, category=other)


def create_city_item(cast):
    from service.menu.actions import add_category

    return add_category(acting_user=cast.orgdept, city=cast.places.city, name="城市专项")


@pytest.mark.parametrize("who", ["street", "community", "unit", "member", "district_dept"])
def test_only_the_city_organisation_department_changes_its_rules(cast, district_dept, who):
    with refused(PermissionDenied, "organisation department"):
        change(cast, acting_user=getattr(cast, who))


def test_the_shared_rules_are_the_platform_administrators(cast):
    with refused(PermissionDenied, "platform administrator"):
        change(cast, city=None)
    assert change(cast, city=None, acting_user=cast.admin).city is None


def test_a_version_in_force_is_not_withdrawn(cast):
    rule = PointRule.objects.get(city__isnull=True, category__isnull=True)
    with refused(ValidationError, "in force since"):
        rule_actions.withdraw_point_rule(acting_user=cast.admin, rule=rule)


# --- the page ----------------------------------------------------------------------------------------


def test_the_page_for_each_role(client, cast, district_dept):
    url = reverse("points:rules")
    city = {"city": cast.places.city.public_id}
    assert cast.login(client, "orgdept").get(url).status_code == 200
    assert cast.login(client, "street").get(url, city).status_code == 403
    assert cast.login(client, "member").get(url, city).status_code == 403
    assert cast.login(client, "district_dept").get(url, city).status_code == 404
    page = cast.login(client, "district_dept").get(url)
    assert page.status_code == 200 and "No city" in page.content.decode()
    assert cast.login(client, "admin").get(url, {"city": "shared"}).status_code == 200
    assert cast.login(client, "orgdept").get(url, {"city": "shared"}).status_code == 404


def test_a_change_on_the_page(client, cast, district_dept):
    url = reverse("points:rule_change", args=[cast.places.city.public_id])
    form = {
        "category": str(item("home_repair").public_id),
        "points_per_hour": "20",
        "urgent_bonus": "3",
        "daily_cap": "",
        "effective_from": tomorrow().isoformat(),
    }
    assert cast.login(client, "street").post(url, form).status_code == 403
    assert cast.login(client, "district_dept").post(url, form).status_code == 404
    assert not PointRule.objects.filter(city=cast.places.city).exists()
    response = cast.login(client, "orgdept").post(url, form)
    assert response.status_code == 302
    rule = PointRule.objects.get(city=cast.places.city)
    assert (rule.points_per_hour, rule.urgent_bonus, rule.daily_cap, rule.created_by) == (
        20,
        3,
        None,
        cast.orgdept,
    )
    today = {**form, "effective_from": timezone.localdate().isoformat(), "points_per_hour": "99"}
    refused_page = client.post(url, today)
    assert refused_page.status_code == 400 and 'value="99"' in refused_page.content.decode()
    withdraw = reverse("points:rule_withdraw", args=[rule.public_id])
    assert cast.login(client, "district_dept").post(withdraw).status_code == 404
    assert cast.login(client, "orgdept").post(withdraw).status_code == 302
    assert not PointRule.objects.filter(city=cast.places.city).exists()


def test_the_page_queries_do_not_grow(client, cast, django_assert_max_num_queries):
    for code in ("home_repair", "parking", "tutoring", "elderly_care"):
        change(cast, category=item(code), points_per_hour=20)
    cast.login(client, "orgdept")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("points:rules")).status_code == 200


# --- the API -----------------------------------------------------------------------------------------


def test_the_api(client, cast, bearer, district_dept):
    body = {
        "city": str(cast.places.city.public_id),
        "category": str(item("parking").public_id),
        "points_per_hour": 12,
        "urgent_bonus": 2,
        "daily_cap": 60,
        "effective_from": tomorrow().isoformat(),
    }

    def post(who, path="/api/v1/point-rules", payload=body):
        return client.post(path, payload, content_type="application/json", headers=bearer(who))

    assert post("street").status_code == 403
    assert post("district_dept").status_code == 404
    assert (
        post("orgdept", payload={**body, "effective_from": timezone.localdate().isoformat()}).status_code
        == 422
    )
    created = post("orgdept")
    assert created.status_code == 201, created.content
    assert created.json()["points_per_hour"] == 12 and created.json()["in_force"] is True
    listed = client.get("/api/v1/point-rules", {"city": body["city"]}, headers=bearer("member"))
    assert listed.status_code == 200 and listed.json()["count"] == 2  # the shared default and the new one
    in_force = client.get(
        "/api/v1/point-rules/in-force",
        {"city": body["city"], "category": body["category"], "on": tomorrow().isoformat()},
        headers=bearer("member"),
    )
    assert in_force.json()["points_per_hour"] == 12
    ended = post(
        "orgdept",
        "/api/v1/point-rules/end",
        {
            "city": body["city"],
            "category": body["category"],
            "effective_from": (tomorrow() + timedelta(days=1)).isoformat(),
        },
    )
    assert ended.status_code == 201 and ended.json()["in_force"] is False
    rule_id = created.json()["id"]
    assert client.delete(f"/api/v1/point-rules/{rule_id}", headers=bearer("street")).status_code == 403
    assert client.delete(f"/api/v1/point-rules/{rule_id}", headers=bearer("district_dept")).status_code == 404
    assert client.delete(f"/api/v1/point-rules/{rule_id}", headers=bearer("orgdept")).status_code == 204


def test_the_export(client, cast):
    change(cast, category=item("parking"), points_per_hour=12)
    cast.login(client, "orgdept")
    response = client.get(
        reverse("jobs:export_start", args=["point_rules"]), {"city": cast.places.city.public_id}
    )
    assert response.status_code in (200, 302)
    assert AuditEvent.objects.filter(action="export.point_rules").exists()
    assert (
        cast.login(client, "street").get(reverse("jobs:export_start", args=["point_rules"])).status_code
        == 403
    )
