"""Sign-in by username or phone, lock-out after repeated failures, and the audit of each attempt."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.scope import scope_for
from audit.models import AuditEvent, Outcome


def sign_in(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_sign_in_with_username(client, cast):
    response = sign_in(client, "street", cast.password)
    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    event = AuditEvent.objects.filter(action="auth.login").latest("id")
    assert event.actor_id == cast.street.pk and event.outcome == Outcome.SUCCESS
    assert event.ip_address == "127.0.0.1"


def test_sign_in_with_phone(client, cast, db):
    from accounts.actions import create_user

    create_user(acting_user=None, username="liu", password="a-long-password-1", phone="139 1234 5678")
    assert sign_in(client, "+8613912345678", "a-long-password-1").status_code == 302


def test_wrong_password_keeps_username_and_says_why(client, cast):
    response = sign_in(client, "street", "wrong")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="street"' in body
    assert AuditEvent.objects.filter(
        action="auth.login", outcome=Outcome.FAILURE, actor_label="street"
    ).exists()


def test_lock_out_after_repeated_failures(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "street", "wrong")
    response = sign_in(client, "street", cast.password)
    assert response.status_code == 429
    assert "15" in response.content.decode()
    # another account from the same address is not locked
    assert sign_in(client, "community", cast.password).status_code == 302


def test_session_is_short_lived(settings):
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert "accounts.sessions.IdleSessionMiddleware" in settings.MIDDLEWARE  # test_idle_sessions.py


def test_pages_require_sign_in(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


@pytest.mark.parametrize(
    "who",
    ["admin", "street", "community", "unit", "member", "resident", "grid", "dept", "inspector", "orgdept"],
)
def test_home_shows_each_role_its_scope(client, cast, who):
    """Each role's home opens; its areas are the ones it holds (issue 9: the home shows a role's work
    and its own areas' figures, not every count it could see); no full phone number on it."""
    response = cast.login(client, who).get(reverse("portal:home"))
    assert response.status_code == 200
    scope = scope_for(getattr(cast, who))
    held = {a["area"].path for a in response.context["areas"]}
    assert held == set(scope.area_paths) - {""}
    assert "13800000001" not in response.content.decode()


def test_home_counts_only_the_scope(client, cast):
    street = cast.login(client, "street").get(reverse("portal:home")).context["areas"]
    assert [a["area"] for a in street] == [cast.places.street_a]
    assert {f.key: f.value for f in street[0]["figures"]}["in_service"] == 3
    client.logout()
    street2 = cast.login(client, "street2").get(reverse("portal:home")).context["areas"]
    assert [a["area"] for a in street2] == [cast.places.street_b]
    assert {f.key: f.value for f in street2[0]["figures"]}["in_service"] == 1


@pytest.mark.parametrize(
    ("who", "url_name", "record"),
    [("member", "people:member_detail", "m_member"), ("resident", "people:resident_detail", "r_a")],
)
def test_members_and_residents_find_their_own_record_from_home(client, cast, who, url_name, record):
    body = cast.login(client, who).get(reverse("portal:home")).content.decode()
    own = getattr(cast, record)
    assert reverse(url_name, args=[own.public_id]) in body
    assert client.get(reverse(url_name, args=[own.public_id])).status_code == 200
