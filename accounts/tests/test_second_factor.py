"""Privileged sign-in (issue 11): the second factor of platform administrators, organisation departments,
street committees and unit party admins — enrolment, verification, recovery codes, throttling, the API
token, the middleware on every page, reset and its audit, the configurable backends."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.actions import create_user, grant_role
from accounts.backends import check_backend_settings
from accounts.models import Role
from accounts.roles import SECOND_FACTOR_ROLES
from accounts.second_factor import current_code, is_enrolled, needs_second_factor, recovery_codes_left
from accounts.second_factor_actions import reset_second_factor
from audit.models import AuditEvent, Outcome

LATER = timedelta(minutes=2)  # past a throttling wait and into a fresh 30-second code


def sign_in(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def new_official(cast, username="newstreet", role=Role.STREET, **scope):
    user = create_user(acting_user=None, username=username, password=cast.password)
    grant_role(acting_user=None, user=user, role=role, **(scope or {"area": cast.places.street_a}))
    return user


def code_of(user) -> str:
    return current_code(TOTPDevice.objects.get(user=user, confirmed=True))


def events(action, user):
    return AuditEvent.objects.filter(action=action, target_id=str(user.public_id))


# --- who ------------------------------------------------------------------------------------------


def test_the_rule_covers_the_roles_the_issue_names_and_no_others(cast):
    assert set(SECOND_FACTOR_ROLES) == {Role.PLATFORM_ADMIN, Role.ORG_DEPT, Role.STREET, Role.UNIT_ADMIN}
    need = {name for name in vars(cast) if hasattr(getattr(cast, name), "role_grants")}
    assert {n for n in need if needs_second_factor(getattr(cast, n))} == {
        "admin", "orgdept", "street", "street2", "unit", "unit2"
    }  # fmt: skip


def test_a_superuser_without_grants_needs_it_too(db):
    root = create_user(acting_user=None, username="root", password="root-password-1")
    root.is_superuser = True
    root.save()
    assert needs_second_factor(root)


# --- enrol, verify, reach home --------------------------------------------------------------------


def test_enrol_then_verify_then_home(client, cast):
    user = new_official(cast)
    response = sign_in(client, "newstreet", cast.password)
    assert client.get(response.url).url.startswith(reverse("accounts:second_factor_enrol"))
    page = client.get(reverse("accounts:second_factor_enrol"))
    body = page.content.decode()
    assert "<svg" in body and "<?xml" not in body and "<script>" not in body and "style=" not in body
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', body).group(1)
    assert all(len(group) == 4 for group in secret.split()[:-1])
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # nothing else is reachable yet
    assert client.get(reverse("portal:home")).url.startswith(reverse("accounts:second_factor_enrol"))

    response = client.post(reverse("accounts:second_factor_enrol"), {"code": current_code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10 and recovery_codes_left(user) == 10
    assert events("second_factor.enrol", user).count() == 1
    assert client.get(reverse("portal:home")).status_code == 200
    # the codes are shown once: the enrolment page now sends to the verify step
    assert client.get(reverse("accounts:second_factor_enrol")).url.startswith(
        reverse("accounts:second_factor_verify")
    )

    # the next sign-in asks for the code, then goes where it was going
    client.logout()
    sign_in(client, "newstreet", cast.password)
    response = client.get(reverse("people:member_list"))
    assert response.url == reverse("accounts:second_factor_verify") + "?next=" + reverse("people:member_list")
    with time_machine.travel(timezone.now() + LATER, tick=False):
        response = client.post(response.url, {"code": code_of(user), "next": reverse("people:member_list")})
        assert response.url == reverse("people:member_list")
        assert client.get(reverse("people:member_list")).status_code == 200


def test_a_wrong_code_is_refused_audited_and_throttled(client, cast):
    client.force_login(cast.street)
    url = reverse("accounts:second_factor_verify")
    response = client.post(url, {"code": "000000" if code_of(cast.street) != "000000" else "111111"})
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    fail = events("second_factor.fail", cast.street).get()
    assert fail.outcome == Outcome.DENIED and fail.detail == {"kind": "totp", "throttled": False}
    # straight after, even the right code waits (django-otp's throttling), and says so
    response = client.post(url, {"code": code_of(cast.street)})
    assert "Wait" in response.content.decode()
    assert client.get(reverse("portal:home")).status_code == 302
    with time_machine.travel(timezone.now() + LATER, tick=False):
        assert client.post(url, {"code": code_of(cast.street)}).status_code == 302
        assert client.get(reverse("portal:home")).status_code == 200


def test_a_recovery_code_works_once(client, cast):
    user = new_official(cast)
    from accounts.second_factor_actions import confirm_enrolment, start_enrolment

    codes = confirm_enrolment(acting_user=user, code=current_code(start_enrolment(acting_user=user)))
    client.force_login(user)
    spaced = f"{codes[3][:4]} {codes[3][4:]}".upper()  # as printed, typed in capitals
    response = client.post(reverse("accounts:second_factor_verify"), {"code": spaced})
    assert response.url == reverse("portal:home")
    used = events("second_factor.recovery", user).get()
    assert used.detail == {"left": 9}
    other = client.__class__()
    other.force_login(user)
    with time_machine.travel(timezone.now() + LATER, tick=False):
        response = other.post(reverse("accounts:second_factor_verify"), {"code": codes[3]})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert recovery_codes_left(user) == 9


# --- the middleware: every page and the session API ----------------------------------------------


def _pages_without_arguments(resolver=None, prefix="") -> list[str]:
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if "api" in str(entry.pattern):
                continue
            found += _pages_without_arguments(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and not entry.pattern.regex.groups:
            route = prefix + str(entry.pattern)
            if "<" not in route and "(" not in route and "^" not in route:
                found.append("/" + route)
    return found


def test_the_middleware_blocks_every_page_and_the_session_api(client, cast):
    client.force_login(cast.street)  # signed in, no second factor given
    verify = reverse("accounts:second_factor_verify")
    open_paths = {
        verify,
        reverse("accounts:second_factor_enrol"),
        reverse("accounts:logout"),
        "/i18n/setlang/",
    }
    pages = [p for p in _pages_without_arguments() if p not in open_paths]
    assert len(pages) > 40 and reverse("accounts:security") in pages and "/admin/" in pages
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(verify), path
    response = client.get(reverse("people:member_list") + "?q=x")
    assert response.url == verify + "?next=" + "/members/%3Fq%3Dx"
    for method in (client.get, client.post):
        response = method("/api/v1/me")
        assert response.status_code == 403
        assert "second factor" in response.json()["detail"]


def test_an_unenrolled_official_is_sent_to_enrol_and_the_api_says_so(client, cast):
    new_official(cast, "newunit", Role.UNIT_ADMIN, unit=cast.places.unit_a)
    sign_in(client, "newunit", cast.password)
    assert client.get(reverse("people:member_list")).url.startswith(reverse("accounts:second_factor_enrol"))
    assert "set one up" in client.get("/api/v1/me").json()["detail"]


def test_people_without_such_roles_are_untouched(client, cast):
    for who in ("member", "resident", "community", "grid", "inspector", "dept"):
        client.force_login(getattr(cast, who))
        assert client.get(reverse("portal:home")).status_code == 200, who
        assert client.get("/api/v1/me").status_code == 200, who
        assert not is_enrolled(getattr(cast, who))


def test_the_cast_signs_in_verified(client, cast):
    cast.login(client, "admin")
    assert client.get(reverse("portal:home")).status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_the_sms_code_sign_in_does_not_bypass_it(client, outbox, cast):
    user = create_user(acting_user=None, username="smsstreet", password=None, phone="13911114444")
    grant_role(acting_user=None, user=user, role=Role.STREET, area=cast.places.street_a)
    client.post(reverse("accounts:code_sign_in"), {"phone": "13911114444"})
    response = client.post(reverse("accounts:code_sign_in_verify"), {"code": outbox.last_code("13911114444")})
    assert client.get(response.url).url.startswith(reverse("accounts:second_factor_enrol"))


def test_off_when_the_setting_is_off(client, cast, settings):
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(cast.street)
    assert client.get(reverse("portal:home")).status_code == 200


def test_a_trusted_single_sign_on_counts_as_the_second_factor(client, cast, settings):
    settings.TWO_FACTOR_TRUSTED_BACKENDS = ["accounts.backends.UsernameOrPhoneBackend"]
    client.force_login(cast.street, backend="accounts.backends.UsernameOrPhoneBackend")
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.UsernameOrPhoneBackend"
    assert client.get(reverse("portal:home")).status_code == 200


# --- the API token --------------------------------------------------------------------------------


def token(client, **body):
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def test_the_api_token_needs_the_code(client, cast):
    response = token(client, username="street", password=cast.password)
    assert response.status_code == 401 and "otp" in response.json()["detail"]
    wrong = "000000" if code_of(cast.street) != "000000" else "111111"
    response = token(client, username="street", password=cast.password, otp=wrong)
    assert response.status_code == 401 and "not right" in response.json()["detail"]
    response = token(client, username="street", password=cast.password, otp=code_of(cast.street))
    assert response.status_code == 429 and "Wait" in response.json()["detail"]
    with time_machine.travel(timezone.now() + LATER, tick=False):
        response = token(client, username="street", password=cast.password, otp=code_of(cast.street))
        assert response.status_code == 200
        bearer = {"Authorization": f"Bearer {response.json()['token']}"}
        assert client.get("/api/v1/me", headers=bearer).status_code == 200
    # others need none; an official without a second factor is told to set one up
    assert token(client, username="member", password=cast.password).status_code == 200
    new_official(cast)
    response = token(client, username="newstreet", password=cast.password, otp="123456")
    assert response.status_code == 403 and "set it up" in response.json()["detail"]


# --- reset, the security page, the audit log -----------------------------------------------------


def test_a_platform_administrator_resets_it_in_the_admin_and_the_audit_log_shows_it(client, cast):
    cast.login(client, "admin")
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factors", "_selected_action": [cast.street.pk]},
    )
    assert response.status_code == 302
    assert not is_enrolled(cast.street)
    event = events("second_factor.reset", cast.street).get()
    assert event.actor_id == cast.admin.pk and event.detail == {"by": "administrator", "devices": 1}
    body = client.get(reverse("audit:event_list")).content.decode()
    assert "Second factor reset" in body
    # the street committee, signed in again, sets it up anew before anything else
    street = client.__class__()
    sign_in(street, "street", cast.password)
    assert street.get(reverse("portal:home")).url.startswith(reverse("accounts:second_factor_enrol"))


def test_only_a_platform_administrator_resets_another_user(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        reset_second_factor(acting_user=cast.orgdept, user=cast.street)
    assert is_enrolled(cast.street)


def test_the_security_page_renews_codes_and_resets_with_a_fresh_code(
    client, cast, django_assert_max_num_queries
):
    cast.login(client, "street")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("accounts:security"))
    assert page.status_code == 200 and page.context["enrolled"]
    with time_machine.travel(timezone.now() + LATER, tick=False):
        response = client.post(reverse("accounts:security"), {"code": code_of(cast.street), "do": "codes"})
    codes = response.context["codes"]
    assert len(codes) == 10 and events("second_factor.recovery_codes", cast.street).count() == 1
    response = client.post(reverse("accounts:security"), {"code": codes[0], "do": "reset"})
    assert response.url == reverse("accounts:second_factor_enrol")
    assert events("second_factor.reset", cast.street).get().detail == {"by": "self", "devices": 2}
    assert client.get(reverse("portal:home")).url.startswith(reverse("accounts:second_factor_enrol"))


def test_the_security_page_refuses_a_wrong_code(client, cast):
    cast.login(client, "street")
    response = client.post(reverse("accounts:security"), {"code": "zzzzzzzz", "do": "reset"})
    assert response.status_code == 200 and "not right" in response.content.decode()
    assert is_enrolled(cast.street)


def test_the_security_page_for_someone_who_needs_none(client, cast):
    cast.login(client, "member")
    body = client.get(reverse("accounts:security")).content.decode()
    assert "do not need a second factor" in body


# --- configurable backends -------------------------------------------------------------------------


def test_extra_backends_must_import(settings):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "city.sso.NoSuchBackend"]
    with pytest.raises(ImproperlyConfigured, match="city.sso.NoSuchBackend"):
        check_backend_settings()


def test_extra_backends_must_be_backends(settings):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.roles.AREA_ROLES"]
    with pytest.raises(ImproperlyConfigured, match="not an authentication backend"):
        check_backend_settings()


def test_trusted_backends_must_be_in_use(settings):
    settings.TWO_FACTOR_TRUSTED_BACKENDS = ["city.sso.Backend"]
    with pytest.raises(ImproperlyConfigured, match="city.sso.Backend"):
        check_backend_settings()


def test_the_env_extends_the_backends_and_sets_the_default(monkeypatch):
    import runpy
    from pathlib import Path

    settings_py = str(Path(__file__).resolve().parents[2] / "gongjian" / "settings.py")
    sso = "django.contrib.auth.backends.RemoteUserBackend"
    monkeypatch.setenv("AUTH_EXTRA_BACKENDS", sso)
    monkeypatch.setenv("TWO_FACTOR_TRUSTED_BACKENDS", sso)
    monkeypatch.delenv("TWO_FACTOR_REQUIRED", raising=False)
    fresh = runpy.run_path(settings_py)
    assert fresh["AUTHENTICATION_BACKENDS"][-1] == sso and fresh["TWO_FACTOR_TRUSTED_BACKENDS"] == [sso]
    assert fresh["TWO_FACTOR_REQUIRED"]  # under the tests, as in production
    monkeypatch.setenv("TWO_FACTOR_REQUIRED", "0")
    assert not runpy.run_path(settings_py)["TWO_FACTOR_REQUIRED"]


def test_the_api_sign_in_by_sms_code_needs_the_second_factor_too(client, outbox, cast):
    user = create_user(acting_user=None, username="smsstreet", password=None, phone="13911114444")
    grant_role(acting_user=None, user=user, role=Role.STREET, area=cast.places.street_a)
    from accounts.second_factor_actions import prepare_device

    device = prepare_device(user=user)

    def by_code(**more):
        client.post("/api/v1/auth/codes", {"purpose": "sign_in", "phone": "13911114444"}, "application/json")
        body = {"phone": "13911114444", "code": outbox.last_code("13911114444"), **more}
        return client.post("/api/v1/auth/token/code", body, content_type="application/json")

    response = by_code()
    assert response.status_code == 401 and "otp" in response.json()["detail"]
    with time_machine.travel(timezone.now() + LATER, tick=False):
        assert by_code(otp=current_code(device)).status_code == 200


def test_an_htmx_request_sends_the_whole_page_to_the_step(client, cast):
    client.force_login(cast.street)
    response = client.get(reverse("people:member_list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("accounts:second_factor_verify"))


def test_the_step_pages_show_no_menu_and_their_queries_are_pinned(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast.street)
    with django_assert_max_num_queries(9):
        body = client.get(reverse("accounts:second_factor_verify")).content.decode()
    assert reverse("notifications:inbox") not in body and reverse("accounts:logout") in body
    client.force_login(new_official(cast))
    with django_assert_max_num_queries(12):
        body = client.get(reverse("accounts:second_factor_enrol")).content.decode()
    assert reverse("notifications:inbox") not in body and "otp-secret" in body


def test_those_who_need_none_have_nothing_to_set_up(client, cast):
    cast.login(client, "member")
    assert client.get(reverse("accounts:second_factor_enrol")).url == reverse("accounts:security")
    assert not TOTPDevice.objects.filter(user=cast.member).exists()


def test_the_admin_action_leaves_the_administrators_own_alone(client, cast):
    cast.login(client, "admin")
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factors", "_selected_action": [cast.admin.pk]},
        follow=True,
    )
    assert response.status_code == 200 and "security page" in response.content.decode()
    assert is_enrolled(cast.admin)
