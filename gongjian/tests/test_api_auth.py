"""POST /api/v1/auth/token, bearer tokens, the browser session, and the sign-in lockout."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.actions import create_user, grant_role, issue_api_token
from accounts.models import ApiToken, Role
from accounts.second_factor import authenticator, current_code
from audit.models import AuditEvent, Outcome

TOKEN_URL = "/api/v1/auth/token"


def ask_token(client, username, password, **more):
    return client.post(
        TOKEN_URL, {"username": username, "password": password, **more}, content_type="application/json"
    )


def otp_of(user) -> str:
    """The code of the user's authenticator now (a street committee signs in with a second factor)."""
    return current_code(authenticator(user))


def test_good_password_gives_a_working_token(client, cast):
    response = ask_token(client, "street", cast.password, otp=otp_of(cast.street))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    token = body["token"]
    stored = ApiToken.objects.get(user=cast.street)
    assert (
        stored.digest == ApiToken.digest_of(token) and token not in stored.digest
    )  # only the digest is kept
    assert AuditEvent.objects.filter(action="auth.token", actor=cast.street).exists()

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == "street" and me.json()["roles"] == [Role.STREET]


def test_wrong_password_and_unknown_user_answer_alike(client, cast):
    wrong_password = ask_token(client, "street", "not-the-password")
    unknown_user = ask_token(client, "no-such-user", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json() == {"detail": "Invalid username or password."}
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action="auth.login", outcome=Outcome.FAILURE).count() == 2


def test_mobile_number_works_as_username(client, cast):
    user = create_user(acting_user=None, username="laowang", password=cast.password, phone="13912345678")
    grant_role(acting_user=None, user=user, role=Role.COMMUNITY, area=cast.places.a1)
    for spelling in ("13912345678", "+86 139 1234 5678"):
        response = ask_token(client, spelling, cast.password)
        assert response.status_code == 200, spelling
    assert ApiToken.objects.filter(user=user).count() == 2


def test_inactive_user_gets_no_token(client, cast):
    cast.street.is_active = False
    cast.street.save()
    assert ask_token(client, "street", cast.password).status_code == 401


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Token abc", "Bearer "])
def test_missing_or_unknown_token_is_401(client, cast, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/members", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize(
    "change",
    [
        {"expires_at": timezone.now() - timedelta(seconds=1)},
        {"revoked_at": timezone.now()},
    ],
    ids=["expired", "revoked"],
)
def test_expired_or_revoked_token_is_401(client, cast, change):
    token = issue_api_token(acting_user=cast.street)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/members", headers=headers).status_code == 200
    ApiToken.objects.filter(digest=ApiToken.digest_of(token)).update(**change)
    assert client.get("/api/v1/members", headers=headers).status_code == 401


def test_token_of_a_deactivated_user_is_401(client, cast):
    token = issue_api_token(acting_user=cast.street)
    cast.street.is_active = False
    cast.street.save()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_browser_session_works_too(client, cast):
    cast.login(client, "street")
    response = client.get("/api/v1/members")
    assert response.status_code == 200
    assert response.json()["count"] == 4


def test_session_needs_csrf_on_post_but_bearer_does_not(cast):
    strict = Client(enforce_csrf_checks=True)
    cast.login(strict, "unit")
    url = f"/api/v1/members/{cast.m_member.public_id}/reveal"
    refused = strict.post(url, {"field": "phone"}, content_type="application/json")
    assert refused.status_code in (401, 403)
    assert not AuditEvent.objects.filter(action="privacy.reveal.phone").exists()

    token = issue_api_token(acting_user=cast.unit)
    bearer_client = Client(enforce_csrf_checks=True)
    allowed = bearer_client.post(
        url, {"field": "phone"}, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert allowed.status_code == 200


def test_five_failures_lock_the_account_out_through_the_api(client, cast, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    answers = [ask_token(client, "street", f"wrong-{n}").status_code for n in range(5)]
    assert answers[:4] == [401] * 4
    assert answers[4] == 429  # the fifth failure locks
    locked = ask_token(client, "street", cast.password)  # even the right password now
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert "detail" in locked.json()
    assert not ApiToken.objects.exists()
    # another account from the same address is not locked (lockout keys on username and address)
    assert ask_token(client, "community", cast.password).status_code == 200


def test_success_before_the_limit_resets_the_count(client, cast):
    for n in range(4):
        assert ask_token(client, "street", f"wrong-{n}").status_code == 401
    assert ask_token(client, "street", cast.password, otp=otp_of(cast.street)).status_code == 200
    assert ask_token(client, "street", "wrong-again").status_code == 401
