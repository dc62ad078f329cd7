"""Audit sign-ins, sign-outs and failed attempts through Django's own authentication signals."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.backends import sign_in_label
from audit.actions import record_event
from audit.models import Outcome


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    record_event(actor=user, action="auth.login", target=user, request=request)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record_event(actor=user, action="auth.logout", target=user, request=request)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    record_event(
        actor=None,
        # Never the typed phone or ID in clear (docs/PRIVACY.md): an account's name, or a mask.
        actor_label=sign_in_label(credentials.get("username", ""))[:150],
        action="auth.login",
        request=request,
        outcome=Outcome.FAILURE,
    )
