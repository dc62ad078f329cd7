"""The second-factor pages: verify, enrol (then the recovery codes, shown once), and the user's own
security page (status, new recovery codes, reset). The writes are accounts/second_factor_actions.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import second_factor_actions as actions
from accounts.second_factor import (
    authenticator,
    is_enrolled,
    needs_second_factor,
    qr_svg,
    recovery_codes_left,
    secret_in_groups,
    session_verified,
    verify_session,
)
from accounts.second_factor_forms import OneTimeCodeForm
from gongjian.pages import run_action


def _next(request: HttpRequest) -> str:
    """Where to go once verified: the page the user asked for, if it is on this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("portal:home")


@never_cache
@login_required
@sensitive_post_parameters("code")
def verify(request: HttpRequest) -> HttpResponse:
    """The code step after the password (or SMS code): 6 digits, or one recovery code."""
    if not is_enrolled(request.user):
        return redirect(reverse("accounts:second_factor_enrol") + "?" + request.GET.urlencode())
    if session_verified(request):
        return redirect(_next(request))
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_action(request, actions.verify_second_factor, form=form, field="code", **form.cleaned_data)
        if done.ok:
            verify_session(request)
            return redirect(_next(request))
    return render(
        request,
        "accounts/second_factor_verify.html",
        {
            "form": form,
            "next": _next(request),
            "codes_left": recovery_codes_left(request.user),
            "second_factor_step": True,  # base.html: no menu before the step is done
        },
    )


@never_cache
@login_required
@sensitive_post_parameters("code")
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator: scan the QR (or type the secret), confirm with its first code; the
    recovery codes are then shown on this one answer, and never again."""
    if is_enrolled(request.user):
        return redirect(reverse("accounts:second_factor_verify") + "?" + request.GET.urlencode())
    if not needs_second_factor(request.user):
        return redirect("accounts:security")  # nobody asks these roles for one: nothing to set up
    device = actions.start_enrolment(acting_user=request.user)
    form = OneTimeCodeForm(request.POST or None, recovery=False)
    if request.method == "POST" and form.is_valid():
        done = run_action(request, actions.confirm_enrolment, form=form, field="code", **form.cleaned_data)
        if done.ok:
            verify_session(request)
            return _recovery_codes(request, done.result, next_url=_next(request))
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "form": form,
            "next": _next(request),
            "qr": qr_svg(device),
            "secret": secret_in_groups(device),
            "second_factor_step": True,
        },
    )


def _recovery_codes(request: HttpRequest, codes: list[str], *, next_url: str) -> HttpResponse:
    return render(
        request,
        "accounts/second_factor_codes.html",
        {"codes": [f"{code[:4]} {code[4:]}" for code in codes], "next": next_url},
    )


@never_cache
@login_required
@sensitive_post_parameters("code")
def security(request: HttpRequest) -> HttpResponse:
    """The user's own sign-in security: whether a second factor is set up and needed, how many recovery
    codes are left; new recovery codes, or a reset (both after a fresh code)."""
    user = request.user
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("do") == "codes":
            done = run_action(
                request, actions.regenerate_recovery_codes, form=form, field="code", **form.cleaned_data
            )
            if done.ok:
                return _recovery_codes(request, done.result, next_url=reverse("accounts:security"))
        else:
            done = run_action(
                request,
                actions.reset_second_factor,
                form=form,
                field="code",
                user=user,
                success=_("Your second factor is removed. Set up the new one now."),
                **form.cleaned_data,
            )
            if done.ok:
                return redirect("accounts:second_factor_enrol")
    device = authenticator(user)
    return render(
        request,
        "accounts/security.html",
        {
            "form": form,
            "enrolled": device is not None,
            "since": device.created_at if device is not None else None,
            "last_used": device.last_used_at if device is not None else None,
            "required": needs_second_factor(user),
            "codes_left": recovery_codes_left(user),
        },
    )
