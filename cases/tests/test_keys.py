"""The platform administrator's Open311 keys page: the list, a new key shown once (only its hash kept),
revoking, audited; nobody else may open it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from cases import keys
from cases.models import Open311Key

pytestmark = pytest.mark.django_db


def test_only_the_platform_administrator(cast):
    for who in ("orgdept", "street", "community", "dept", "nobody"):
        client = cast.login(Client(), who)
        assert client.get(reverse("cases:keys")).status_code == 403, who
        assert client.post(reverse("cases:keys"), {"name": "x"}).status_code == 403, who
    assert not Open311Key.objects.exists()


def test_create_shows_the_key_once(cast):
    client = cast.login(Client(), "admin")
    page = client.get(reverse("cases:keys"))
    assert page.status_code == 200 and "No keys yet." in page.content.decode()
    response = client.post(
        reverse("cases:keys"), {"name": "12345 热线", "area": str(cast.places.street_a.public_id)}
    )
    assert response.status_code == 200
    raw = response.context["raw_key"]
    assert raw.startswith("o311_") and raw in response.content.decode()
    key = Open311Key.objects.get()
    assert key.name == "12345 热线" and key.area == cast.places.street_a and key.created_by == cast.admin
    assert raw not in (key.key_hash, key.prefix) and raw[5:11] == key.prefix
    assert keys.key_for(raw) == key
    again = client.get(reverse("cases:keys")).content.decode()
    assert raw not in again and f"{key.prefix}…" in again and "12345 热线" in again
    assert AuditEvent.objects.filter(action="open311.key_create").count() == 1


def test_a_bad_form_keeps_what_was_typed(cast):
    client = cast.login(Client(), "admin")
    response = client.post(reverse("cases:keys"), {"name": "热线系统", "area": "not-an-area"})
    assert response.status_code == 400
    assert 'value="热线系统"' in response.content.decode()
    assert response.context["form"].errors["area"]
    blank = client.post(reverse("cases:keys"), {"name": "   ", "area": str(cast.places.street_a.public_id)})
    assert blank.status_code == 400 and blank.context["form"].errors["name"]
    assert not Open311Key.objects.exists()


def test_revoke(cast):
    key, raw = keys.create_open311_key(acting_user=cast.admin, name="App", area=cast.places.city)
    url = reverse("cases:key_revoke", args=[key.public_id])
    assert cast.login(Client(), "street").post(url).status_code == 403
    client = cast.login(Client(), "admin")
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.status_code == 200 and "Revoked" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None and not key.user.is_active
    assert keys.key_for(raw) is None
    assert AuditEvent.objects.filter(action="open311.key_revoke").count() == 1
    assert (
        client.post(reverse("cases:key_revoke", args=["00000000-0000-4000-8000-000000000000"])).status_code
        == 404
    )


def test_list_query_count_is_pinned(cast, django_assert_max_num_queries):
    for n in range(5):
        keys.create_open311_key(acting_user=cast.admin, name=f"系统{n}", area=cast.places.street_a)
    client = cast.login(Client(), "admin")
    client.get(reverse("cases:keys"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cases:keys")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_keys_page_on_a_phone_and_a_desktop(live_server, browser):
    """The administrator creates a key and sees it once, at 360 px and on a desktop (screenshots in
    /tmp/shots/api/)."""
    from pathlib import Path

    from conftest import build_cast
    from gongjian.browser_testing import DESK, PHONE, fits_the_phone, signed_in

    shots = Path("/tmp/shots/api")
    shots.mkdir(parents=True, exist_ok=True)
    cast = build_cast()
    keys.create_open311_key(acting_user=cast.admin, name="旧系统", area=cast.places.street_b)
    for name, viewport in (("360", PHONE), ("1280", DESK)):
        page = signed_in(browser, live_server, "admin", cast.password, viewport)
        page.goto(live_server.url + reverse("cases:keys"))
        page.fill("input[name=name]", f"12345 热线 {name}")
        page.select_option("select[name=area]", str(cast.places.street_a.public_id))
        page.click("main form button[type=submit]")
        page.wait_for_selector(".alert-success code")
        assert page.locator(".alert-success code").inner_text().startswith("o311_")
        if viewport is PHONE:
            assert fits_the_phone(page)
        page.screenshot(path=str(shots / f"keys-{name}.png"), full_page=True)
        page.context.close()
