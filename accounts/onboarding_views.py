"""Pages by which people get in, each a step at 360 px: a member activates an account (phone → SMS code
and the ID's last four characters, or a printed slip), anyone with a phone on file signs in by SMS code,
a resident registers, and a signed-in person sets a password. Public but for the password page; every
write is an action of accounts/activation.py or accounts/registration.py, through ``run_action``, so a
refused step keeps what was typed and says why."""

from __future__ import annotations

from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import activation, registration
from accounts.onboarding_forms import (
    ActivateForm,
    CodeForm,
    PasswordForm,
    PhoneForm,
    PrintedCodeForm,
    RegisterForm,
)
from gongjian.pages import run_action
from gongjian.privacy import decrypt, encrypt, mask_phone

BACKEND = "accounts.backends.UsernameOrPhoneBackend"
SESSION_PHONE = "onboarding_phone"  # the phone a code was sent to, per flow: {"activate": "138…"}


def _step(
    request: HttpRequest, *, title, intro, form, submit, links=(), template="accounts/step.html", **extra
):
    return render(
        request,
        template,
        {"title": title, "intro": intro, "form": form, "submit": submit, "links": links, **extra},
    )


def _remember_phone(request: HttpRequest, flow: str, phone: str) -> None:
    """Keep the phone for the next step, encrypted: the session table holds no phone in clear."""
    phones = dict(request.session.get(SESSION_PHONE, {}))
    phones[flow] = encrypt(phone)
    request.session[SESSION_PHONE] = phones


def _phone_of(request: HttpRequest, flow: str) -> str:
    sealed = request.session.get(SESSION_PHONE, {}).get(flow, "")
    try:
        return decrypt(sealed) if sealed else ""
    except ValueError:  # a key rotated away: ask for the phone again
        return ""


def _forget_phone(request: HttpRequest, flow: str) -> None:
    phones = dict(request.session.get(SESSION_PHONE, {}))
    phones.pop(flow, None)
    request.session[SESSION_PHONE] = phones


def _masked(phone: str) -> str:
    return mask_phone(phone)


def _ask_phone(request: HttpRequest, *, flow: str, action, next_url: str, title, intro, links=()):
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        done = run_action(
            request,
            action,
            form=form,
            field="phone",
            phone=phone,
            success=_("A code is on its way by text message."),
        )
        if done.ok:
            _remember_phone(request, flow, activation.clean_phone(phone))
            return redirect(next_url)
    return _step(request, title=title, intro=intro, form=form, submit=_("Send me a code"), links=links)


def _signed_in(request: HttpRequest, user, next_url: str) -> HttpResponse:
    login(request, user, backend=BACKEND)
    return redirect(next_url)


# --- members: activation --------------------------------------------------------------------------


@never_cache
def activate(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone on the roster."""
    return _ask_phone(
        request,
        flow="activate",
        action=activation.start_activation,
        next_url=reverse("accounts:activate_verify"),
        title=_("Activate your member account"),
        intro=_("Enter the mobile phone your unit has on its roster. We send a code to it."),
        links=[(reverse("accounts:activate_printed"), _("I have a printed activation code"))],
    )


@never_cache
@sensitive_post_parameters("id_last4", "code")
def activate_verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the SMS code and the last four characters of the ID number."""
    phone = _phone_of(request, "activate")
    if not phone:
        return redirect("accounts:activate")
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            activation.activate_member,
            form=form,
            phone=phone,
            **form.cleaned_data,
            success=_("Your member account is active."),
        )
        if done.ok:
            _forget_phone(request, "activate")
            return _signed_in(request, done.result, reverse("accounts:set_password") + "?welcome=1")
    return _step(
        request,
        title=_("Activate your member account"),
        intro=_("We sent a code to %(phone)s. Enter it with the last 4 characters of your ID number.")
        % {"phone": _masked(phone)},
        form=form,
        submit=_("Activate"),
        links=[(reverse("accounts:activate"), _("Send a new code"))],
    )


@never_cache
@sensitive_post_parameters("id_last4", "code", "phone")
def activate_printed(request: HttpRequest) -> HttpResponse:
    """A member without a usable phone: the code on the slip their unit printed, and the ID digits."""
    form = PrintedCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            activation.activate_with_printed_code,
            form=form,
            **form.cleaned_data,
            success=_("Your member account is active."),
        )
        if done.ok:
            return _signed_in(request, done.result, reverse("accounts:set_password") + "?welcome=1")
    return _step(
        request,
        title=_("Activate with a printed code"),
        intro=_("Enter the code on the slip from your unit and the last 4 characters of your ID number."),
        form=form,
        submit=_("Activate"),
        links=[(reverse("accounts:activate"), _("Activate by SMS instead"))],
    )


# --- anyone with a phone on file: signing in by code ----------------------------------------------


@never_cache
def code_sign_in(request: HttpRequest) -> HttpResponse:
    return _ask_phone(
        request,
        flow="sign_in",
        action=activation.start_sign_in,
        next_url=reverse("accounts:code_sign_in_verify"),
        title=_("Sign in by SMS code"),
        intro=_("Enter the mobile phone on your account. If an account has it, we send it a code."),
        links=[(reverse("accounts:login"), _("Sign in with a password"))],
    )


@never_cache
@sensitive_post_parameters("code")
def code_sign_in_verify(request: HttpRequest) -> HttpResponse:
    phone = _phone_of(request, "sign_in")
    if not phone:
        return redirect("accounts:code_sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_action(request, activation.sign_in_with_code, form=form, phone=phone, **form.cleaned_data)
        if done.ok:
            _forget_phone(request, "sign_in")
            return _signed_in(request, done.result, reverse("portal:home"))
    return _step(
        request,
        title=_("Sign in by SMS code"),
        intro=_("If an account has %(phone)s, a code is on its way to it. Enter it here.")
        % {"phone": _masked(phone)},
        form=form,
        submit=_("Sign in"),
        links=[(reverse("accounts:code_sign_in"), _("Send a new code"))],
    )


# --- residents: registration ----------------------------------------------------------------------


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    return _ask_phone(
        request,
        flow="register",
        action=registration.start_registration,
        next_url=reverse("accounts:register_details"),
        title=_("Register as a resident"),
        intro=_("Register with your mobile phone to ask your community for help. We send a code to it."),
        links=[(reverse("accounts:code_sign_in"), _("I have an account: sign in by SMS code"))],
    )


@never_cache
@sensitive_post_parameters("code")
def register_details(request: HttpRequest) -> HttpResponse:
    phone = _phone_of(request, "register")
    if not phone:
        return redirect("accounts:register")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and "refresh" not in request.POST and form.is_valid():
        data = form.cleaned_data
        done = run_action(
            request,
            registration.register_resident,
            form=form,
            phone=phone,
            code=data["code"],
            name=data["name"],
            community=data["community"],
            compound=data["compound"],
            building=data["building"],
            success=_("You are registered. Your community will verify your address."),
        )
        if done.ok:
            _forget_phone(request, "register")
            return _signed_in(request, done.result, reverse("portal:home"))
    if "refresh" in request.POST:
        form.errors.clear()  # only the choices changed: no errors yet
    return _step(
        request,
        title=_("Register as a resident"),
        intro=_("We sent a code to %(phone)s. Enter it, your name and where you live.")
        % {"phone": _masked(phone)},
        form=form,
        submit=_("Register"),
        template="accounts/register.html",
    )


def register_places(request: HttpRequest) -> HttpResponse:
    """The compound and building lists for the community (and compound) chosen so far (htmx)."""
    form = RegisterForm(request.GET)
    form.errors.clear()  # only the choices are asked for: no errors yet
    return render(request, "accounts/_places.html", {"form": form})


# --- everyone signed in: a password ---------------------------------------------------------------


@never_cache
@login_required
@sensitive_post_parameters("password1", "password2")
def set_password(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            activation.set_own_password,
            form=form,
            field="password1",
            password=form.cleaned_data["password1"],
            success=_("Your password is set."),
        )
        if done.ok:
            update_session_auth_hash(request, request.user)  # the new password would end the session
            return redirect("portal:home")
    can_skip = bool(request.user.phone_hash)
    return _step(
        request,
        title=_("Set a password"),
        intro=_("Set a password to sign in with your phone and password, or keep signing in by SMS code.")
        if can_skip
        else _("Set a password: your account has no phone to receive sign-in codes."),
        form=form,
        submit=_("Set the password"),
        links=[(reverse("portal:home"), _("Skip: I will sign in by SMS code"))] if can_skip else [],
        welcome="welcome" in request.GET,
    )
