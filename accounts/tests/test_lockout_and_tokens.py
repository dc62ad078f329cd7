"""Regressions from the security review: one lock-out counter per account however its phone is
written, and API tokens that die with a password change or on request."""

from django.conf import settings
from django.urls import reverse

from accounts.actions import create_user, issue_api_token


def spellings(phone):
    yield "+86" + phone
    yield "86" + phone
    for i in range(1, 11):
        yield phone[:i] + " " + phone[i:]


def test_phone_spellings_share_one_lockout_counter(client, cast):
    create_user(acting_user=None, username="zhang", password=cast.password, phone="13812345678")
    for i, name in zip(range(settings.AXES_FAILURE_LIMIT), spellings("13812345678"), strict=False):
        client.post(reverse("accounts:login"), {"username": name, "password": f"wrong-{i}"})
    response = client.post(
        reverse("accounts:login"), {"username": "138 1234 5678", "password": cast.password}
    )
    assert response.status_code == 429
    response = client.post(reverse("accounts:login"), {"username": "zhang", "password": cast.password})
    assert response.status_code == 429  # the username is the same account


def test_token_dies_with_a_password_change(client, cast):
    token = issue_api_token(acting_user=cast.unit)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    cast.unit.set_password("a-new-password-987")
    cast.unit.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_tokens_can_be_revoked(client, cast):
    first, second = issue_api_token(acting_user=cast.unit), issue_api_token(acting_user=cast.unit)
    response = client.post("/api/v1/auth/token/revoke", HTTP_AUTHORIZATION=f"Bearer {first}")
    assert response.status_code == 200 and response.json() == {"revoked": 2}
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 401
