"""The city's own service menu (issue 10 item 5): the organisation department adds, renames, reorders,
retires and restores its city's big categories and items on the page and through the API; shared rows
are the platform administrator's; nothing is deleted and a retired item is not offered for new needs."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.actions import create_user, grant_role
from accounts.models import Role
from audit.models import AuditEvent
from gongjian.testing import item, refusals
from service.menu import actions
from service.menu.choices import grouped_menu
from service.models import Need, ServiceCategory
from service.needs.actions import post_need

pytestmark = pytest.mark.django_db

refused = refusals((ServiceCategory, AuditEvent))


@pytest.fixture
def district_dept(cast):
    """An organisation department of the district: the city's menu is not its to keep."""
    user = create_user(acting_user=None, username="districtdept", password="x-password-123")
    grant_role(acting_user=None, user=user, role=Role.ORG_DEPT, area=cast.places.district)
    cast.district_dept = user
    return user


def big(cast, name="城市管理"):
    return actions.add_category(acting_user=cast.orgdept, city=cast.places.city, name=name, code="city-mgmt")


def offered_names(cast) -> set[str]:
    groups, _by_id = grouped_menu(cast.places.city)
    return {name for _group, options in groups for _id, name in options}


# --- actions -------------------------------------------------------------------------------------------


def test_the_city_adds_a_big_category_and_items_that_its_menu_offers(cast):
    mgmt = big(cast)
    parking = actions.add_category(
        acting_user=cast.orgdept,
        city=cast.places.city,
        parent=mgmt,
        name="停车治堵",
        vanguard_kind="volunteering",
        keywords="交通 协管，停车",
    )
    under_shared = actions.add_category(
        acting_user=cast.orgdept, city=cast.places.city, parent=item("parking").parent, name="就业帮扶"
    )
    assert (parking.city, parking.parent, parking.keywords) == (cast.places.city, mgmt, "交通 协管 停车")
    assert parking.code.startswith("c-") and under_shared.sort > item("parking").sort
    assert {"停车治堵", "就业帮扶"} <= offered_names(cast)
    assert "停车治堵" not in {n for _g, o in grouped_menu(None)[0] for _i, n in o}  # not another city's
    assert AuditEvent.objects.filter(action="service.category_added").count() == 3


def test_rename_and_reorder(cast):
    mgmt = big(cast)
    first = actions.add_category(acting_user=cast.orgdept, city=cast.places.city, parent=mgmt, name="一")
    second = actions.add_category(acting_user=cast.orgdept, city=cast.places.city, parent=mgmt, name="二")
    actions.move_category(acting_user=cast.orgdept, category=second, direction="up")
    order = list(mgmt.children.order_by("sort", "code").values_list("name", flat=True))
    assert order == ["二", "一"]
    with refused(ValidationError, "at the end"):
        actions.move_category(acting_user=cast.orgdept, category=second, direction="up")
    actions.change_category(acting_user=cast.orgdept, category=first, name="第一项", keywords="电工")
    first.refresh_from_db()
    assert (first.name, first.keywords, first.sort) == ("第一项", "电工", 11)
    with refused(ValidationError, "already on the menu"):
        actions.change_category(acting_user=cast.orgdept, category=first, name="二")


def test_retiring_keeps_what_was_filed_and_stops_new_needs(cast):
    mgmt = big(cast)
    parking = actions.add_category(acting_user=cast.orgdept, city=cast.places.city, parent=mgmt, name="停车")
    need = post_need(acting_user=cast.community, title="车位", category=parking, community=cast.places.a1)
    actions.retire_category(acting_user=cast.orgdept, category=mgmt)  # the big category and its items
    parking.refresh_from_db()
    assert not parking.active and "停车" not in offered_names(cast)
    assert Need.objects.get(pk=need.pk).category == parking  # nothing deleted, nothing re-filed
    with pytest.raises(ValidationError):
        post_need(acting_user=cast.community, title="又一个", category=parking, community=cast.places.a1)
    with refused(ValidationError, "restore it first"):
        actions.restore_category(acting_user=cast.orgdept, category=parking)
    actions.restore_category(acting_user=cast.orgdept, category=mgmt)
    actions.restore_category(acting_user=cast.orgdept, category=parking)
    assert "停车" in offered_names(cast)
    assert {"service.category_retired", "service.category_restored"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


@pytest.mark.parametrize("who", ["street", "community", "member", "district_dept"])
def test_only_the_city_organisation_department_keeps_its_menu(cast, district_dept, who):
    mgmt = big(cast)
    with refused(PermissionDenied, "organisation department"):
        actions.add_category(acting_user=getattr(cast, who), city=cast.places.city, name="新类")
    with refused(PermissionDenied, "organisation department", mgmt):
        actions.retire_category(acting_user=getattr(cast, who), category=mgmt)


def test_the_shared_menu_is_the_platform_administrators(cast):
    shared = item("parking")
    with refused(PermissionDenied, "platform administrator", shared):
        actions.change_category(acting_user=cast.orgdept, category=shared, name="停车难")
    actions.change_category(acting_user=cast.admin, category=shared, name="停车难")
    assert ServiceCategory.objects.get(pk=shared.pk).name == "停车难"


# --- the page ------------------------------------------------------------------------------------------


def test_the_page_for_each_role(client, cast, district_dept):
    url = reverse("service:menu")
    city = {"city": cast.places.city.public_id}
    page = cast.login(client, "orgdept").get(url)
    assert page.status_code == 200 and "Add to the menu" in page.content.decode()
    assert cast.login(client, "street").get(url, city).status_code == 403
    assert cast.login(client, "resident").get(url, city).status_code == 403
    assert cast.login(client, "district_dept").get(url, city).status_code == 404
    assert cast.login(client, "orgdept").get(url, {"city": "shared"}).status_code == 404
    assert cast.login(client, "admin").get(url, {"city": "shared"}).status_code == 200


def test_changes_on_the_page(client, cast, district_dept):
    add = reverse("service:category_add", args=[cast.places.city.public_id])
    form = {"parent": "", "name": "城市管理", "vanguard_kind": "", "keywords": "", "code": ""}
    assert cast.login(client, "street").post(add, form).status_code == 403
    assert cast.login(client, "district_dept").post(add, form).status_code == 404
    assert cast.login(client, "orgdept").post(add, form).status_code == 302
    mgmt = ServiceCategory.objects.get(city=cast.places.city)
    again = client.post(add, form)  # the same name again: refused, the form keeps what was typed
    assert again.status_code == 400 and "already on the menu" in again.content.decode()
    change = reverse("service:category_change", args=[mgmt.public_id])
    assert cast.login(client, "district_dept").post(change, {"name": "x"}).status_code == 404
    assert (
        cast.login(client, "orgdept").post(change, {"name": "城市治理", "keywords": "巡查"}).status_code
        == 302
    )
    retire = reverse("service:category_retire", args=[mgmt.public_id])
    assert cast.login(client, "street").post(retire).status_code == 403
    assert cast.login(client, "orgdept").post(retire).status_code == 302
    mgmt.refresh_from_db()
    assert (mgmt.name, mgmt.keywords, mgmt.active) == ("城市治理", "巡查", False)
    shared = reverse("service:category_retire", args=[item("parking").public_id])
    assert client.post(shared).status_code == 404  # the shared rows are not the city's to keep


def test_the_page_queries_do_not_grow(client, cast, django_assert_max_num_queries):
    mgmt = big(cast)
    for n in range(8):
        actions.add_category(acting_user=cast.orgdept, city=cast.places.city, parent=mgmt, name=f"项{n}")
    cast.login(client, "orgdept")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("service:menu"), {"retired": "true"}).status_code == 200


def test_the_export(client, cast):
    big(cast)
    cast.login(client, "orgdept")
    response = client.get(
        reverse("jobs:export_start", args=["service_menu"]), {"city": cast.places.city.public_id}
    )
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="export.service_menu").exists()


# --- the API -------------------------------------------------------------------------------------------


def test_the_api(client, cast, bearer, district_dept):
    def call(method, who, path, payload=None):
        return getattr(client, method)(
            "/api/v1/" + path, payload or {}, content_type="application/json", headers=bearer(who)
        )

    body = {"city": str(cast.places.city.public_id), "name": "城市管理", "keywords": "巡查"}
    assert call("post", "street", "service-categories", body).status_code == 403
    assert call("post", "district_dept", "service-categories", body).status_code == 404
    assert call("post", "orgdept", "service-categories", {**body, "city": None}).status_code == 403
    created = call("post", "orgdept", "service-categories", body)
    assert created.status_code == 201, created.content
    big_id = created.json()["id"]
    child = call("post", "orgdept", "service-categories", {**body, "name": "停车", "parent": big_id})
    assert child.status_code == 201 and child.json()["parent"] == big_id
    renamed = call("patch", "orgdept", f"service-categories/{big_id}", {"name": "城市治理"})
    assert renamed.status_code == 200 and renamed.json()["keywords"] == "巡查"
    assert call("patch", "district_dept", f"service-categories/{big_id}", {"name": "x"}).status_code == 404
    assert (
        call("post", "orgdept", f"service-categories/{big_id}/move", {"direction": "up"}).status_code == 422
    )
    assert call("post", "orgdept", f"service-categories/{big_id}/retire").json()["active"] is False
    assert call("post", "orgdept", f"service-categories/{big_id}/restore").json()["active"] is True
    shared = str(item("parking").public_id)
    assert call("post", "orgdept", f"service-categories/{shared}/retire").status_code == 404
    assert call("post", "admin", f"service-categories/{shared}/retire").status_code == 200
