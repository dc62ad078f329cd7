"""Sign-in under an attacker's pass: over-long usernames answer a clear refusal (they reached the
lock-out table's 255-character column and failed there, 500 on PostgreSQL), and what a stranger
typed never lands in the audit log or the lock-out table in clear (a phone typed as the username
was kept as it was)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.actions import create_user
from accounts.backends import lockout_username, sign_in_label
from audit.models import AuditEvent, Outcome
from conftest import _id

LONG = "x" * 300


@pytest.fixture
def anyone():
    return Client(raise_request_exception=False)


def failed_labels():
    return list(
        AuditEvent.objects.filter(action="auth.login", outcome=Outcome.FAILURE).values_list(
            "actor_label", flat=True
        )
    )


# --- over-long usernames --------------------------------------------------------------------------


def test_login_page_refuses_a_long_username_with_a_field_error(anyone, cast):
    response = anyone.post(reverse("accounts:login"), {"username": LONG, "password": "whatever-123"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ensure this value has at most 150 characters (it has 300)." in body
    assert f'value="{LONG}"' in body  # the typed value comes back, with the reason beside it
    assert not AccessAttempt.objects.exists()  # never reached authenticate() or django-axes
    assert not failed_labels()


def test_admin_login_refuses_a_long_username_too(anyone, cast):
    response = anyone.post(reverse("admin:login"), {"username": LONG, "password": "whatever-123"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_token_endpoint_refuses_a_long_username(anyone, cast):
    response = anyone.post(
        "/api/v1/auth/token", {"username": LONG, "password": "whatever-123"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Invalid input: username: String should have at most 150")
    assert not AccessAttempt.objects.exists()


def test_a_150_character_username_is_still_a_username(anyone, cast):
    name = "y" * 150
    create_user(acting_user=None, username=name, password=cast.password)
    response = anyone.post(reverse("accounts:login"), {"username": name, "password": cast.password})
    assert response.status_code == 302


def test_the_lockout_key_always_fits_its_column(rf, db):
    for typed in (LONG, "z" * 100_000, "13812345678", "someone"):
        key = lockout_username(rf.post("/accounts/login/"), {"username": typed})
        assert len(key) <= 150


# --- nothing typed kept in clear ------------------------------------------------------------------


def test_a_failed_sign_in_by_phone_keeps_the_phone_masked(anyone, cast):
    create_user(acting_user=None, username="zhang", password=cast.password, phone="13812345678")
    anyone.post(reverse("accounts:login"), {"username": "138 1234 5678", "password": "wrong-password"})
    anyone.post(
        "/api/v1/auth/token",
        {"username": "+8613812345678", "password": "wrong-password"},
        content_type="application/json",
    )
    assert failed_labels() == ["138****5678", "138****5678"]


def test_a_failed_sign_in_by_an_unknown_phone_keeps_it_out_of_both_tables(anyone, cast):
    anyone.post(reverse("accounts:login"), {"username": "13987654321", "password": "wrong-password"})
    assert failed_labels() == ["139****4321"]
    stored = list(AccessAttempt.objects.values_list("username", flat=True))
    assert stored and not any("13987654321" in name or "4321" in name for name in stored)


def test_unknown_phone_spellings_still_share_one_lockout_counter(rf, db):
    keys = {
        lockout_username(rf.post("/"), {"username": typed})
        for typed in ("13987654321", "+86 139 8765 4321", "139-8765-4321")
    }
    assert len(keys) == 1


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("street", "street"),  # an account's username is kept: it names the account
        ("13800000001", "138****0001"),
        ("+86 138 0000 0001", "138****0001"),
        (_id(7), _id(7)[:6] + "********" + _id(7)[-4:]),
        ("my-secret-password", "my****"),
        ("", ""),
    ],
)
def test_sign_in_labels(cast, typed, label):
    assert sign_in_label(typed) == label
