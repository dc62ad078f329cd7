"""Writes of the second factor (accounts/second_factor.py reads): enrol, verify, recovery codes, reset.

Every enrolment, reset, use of a recovery code and failed code is audited (``second_factor.*``). A
refused code raises ``CodeRefused`` *after* its audit row and django-otp's throttling count are written,
so neither functions that check codes nor their callers wrap them in one transaction (as
people.actions.reveal_number: a refused attempt must leave its trace).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.scope import scope_for
from accounts.second_factor import (
    AUTHENTICATOR_NAME,
    RECOVERY_CODE_COUNT,
    RECOVERY_NAME,
    CodeRefused,
    authenticator,
    current_code,
    is_recovery_code,
    mark_session_verified,
    needs_second_factor,
    normalise_code,
    recovery_device,
    wait_seconds,
)
from audit.actions import record_event
from audit.models import Outcome


def _refuse(*, acting_user, kind: str, request: HttpRequest | None, wait: int = 0) -> CodeRefused:
    """Audit a refused code and say why: too soon after wrong ones (``wait`` seconds left), or wrong."""
    record_event(
        actor=acting_user,
        action="second_factor.fail",
        target=acting_user,
        request=request,
        outcome=Outcome.DENIED,
        detail={"kind": kind, "throttled": bool(wait)},
    )
    if wait:
        return CodeRefused(
            _("Too many wrong codes. Wait %(seconds)s seconds, then try again with a new code.")
            % {"seconds": wait},
            wait=wait,
        )
    return CodeRefused(_("That code is not right. Check the time on your phone and try the newest code."))


def start_enrolment(*, acting_user) -> TOTPDevice:
    """The authenticator waiting for its first code: a new secret, unless one already waits."""
    device = authenticator(acting_user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=acting_user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm_enrolment(*, acting_user, code: str, request: HttpRequest | None = None) -> list[str]:
    """Confirm the waiting authenticator with its first code; the user's recovery codes, new, are
    returned to be shown once."""
    device = authenticator(acting_user, confirmed=False)
    if device is None:
        raise ValidationError(_("No enrolment is waiting. Start again."))
    wait = wait_seconds(device)
    if wait or not device.verify_token(normalise_code(code)):
        raise _refuse(acting_user=acting_user, kind="enrol", request=request, wait=wait)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=acting_user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(acting_user)
        record_event(actor=acting_user, action="second_factor.enrol", target=acting_user, request=request)
    return codes


def verify_second_factor(*, acting_user, code: str, request: HttpRequest | None = None) -> Device:
    """Check a code from the user's authenticator (6 digits) or one of their recovery codes, which is
    used up. Wrong codes are throttled by django-otp (1, 2, 4… seconds between tries) and audited."""
    code = normalise_code(code)
    recovery = is_recovery_code(code)
    device: Device | None = recovery_device(acting_user) if recovery else authenticator(acting_user)
    kind = "recovery" if recovery else "totp"
    wait = wait_seconds(device) if device is not None else 0
    if device is None or wait:
        raise _refuse(acting_user=acting_user, kind=kind, request=request, wait=wait)
    verified = verify_token(acting_user, device.persistent_id, code)
    if verified is None:
        raise _refuse(acting_user=acting_user, kind=kind, request=request)
    if recovery:
        left = StaticToken.objects.filter(device=verified).count()
        record_event(
            actor=acting_user,
            action="second_factor.recovery",
            target=acting_user,
            request=request,
            detail={"left": left},
        )
    return verified


def regenerate_recovery_codes(*, acting_user, code: str, request: HttpRequest | None = None) -> list[str]:
    """New recovery codes for the user (the old ones stop working), after a fresh code."""
    verify_second_factor(acting_user=acting_user, code=code, request=request)
    with transaction.atomic():
        codes = _new_recovery_codes(acting_user)
        record_event(
            actor=acting_user, action="second_factor.recovery_codes", target=acting_user, request=request
        )
    return codes


def reset_second_factor(
    *, acting_user, user, code: str | None = None, request: HttpRequest | None = None
) -> int:
    """Remove the user's authenticator and recovery codes: they enrol again at their next page.

    A platform administrator resets anyone's; a user resets their own with a fresh code (from the
    authenticator or a recovery code). Returns how many devices went."""
    themselves = acting_user.pk == user.pk
    if themselves:
        verify_second_factor(acting_user=acting_user, code=code or "", request=request)
    elif not scope_for(acting_user).everything:
        raise PermissionDenied(_("Only a platform administrator may reset another user's second factor."))
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
        removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
        record_event(
            actor=acting_user,
            action="second_factor.reset",
            target=user,
            request=request,
            detail={"by": "self" if themselves else "administrator", "devices": removed},
        )
    return removed


def prepare_device(*, user) -> TOTPDevice:
    """Test and demo tooling only: the user's confirmed authenticator, made without the enrolment page
    (and so without an audit row) when they have none. conftest's ``cast.login`` and the browser tests'
    sign-in read it; a person enrols through confirm_enrolment."""
    device = authenticator(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True)
    return device


def sign_in_verified(client, user) -> None:
    """Test and demo tooling only: sign ``user`` into a Django test ``client`` (force_login) and, if their
    roles need a second factor, mark the session as having given it with their authenticator (made by
    prepare_device if they have none). conftest's ``cast.login`` uses it; any tooling that signs a
    privileged user in without the pages should too."""
    client.force_login(user)
    if needs_second_factor(user):
        session = client.session
        mark_session_verified(session, prepare_device(user=user))
        session.save()


def tooling_code(user) -> str:
    """Test and demo tooling only: a code the user's authenticator (prepare_device) accepts now, for a
    browser that signs in through the pages. The device forgets the last code it took and any wrong
    ones, so one user may sign in several times within the same 30 seconds."""
    device = prepare_device(user=user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return current_code(device)
