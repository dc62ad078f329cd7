"""The second factor, enforced: a signed-in user who needs one (accounts.second_factor) reaches nothing
but the verify and enrolment pages and sign-out until the session has given it.

Every page and the session-authenticated API go through here, whichever door signed the session in
(the password page, the SMS code, the admin's sign-in). Bearer-token API calls carry no session: the
token endpoint asked for the code before it issued the token (accounts/api.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from accounts.second_factor import is_enrolled, needs_second_factor, session_verified

API_PREFIX = "/api/"


@cache
def _open_paths() -> frozenset[str]:
    """Where an unverified session may go: the steps themselves, sign-out, the language switch."""
    names = (
        "accounts:second_factor_verify",
        "accounts:second_factor_enrol",
        "accounts:logout",
        "set_language",
    )
    return frozenset(reverse(name) for name in names)


class SecondFactorMiddleware:
    """Installed after django-otp's OTPMiddleware, which tells whether the session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        if not settings.TWO_FACTOR_REQUIRED:
            return None
        path = request.path_info
        api = path.startswith(API_PREFIX)
        if api and "Authorization" in request.headers:
            return None  # a bearer token: the session plays no part (and its user is not even read)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if path in _open_paths() or not needs_second_factor(user) or session_verified(request):
            return None
        enrolled = is_enrolled(user)
        step = "accounts:second_factor_verify" if enrolled else "accounts:second_factor_enrol"
        if api:
            message = (
                _("This account needs its second factor: enter your one-time code at %(url)s first.")
                if enrolled
                else _("This account needs a second factor: set one up at %(url)s first.")
            )
            return JsonResponse({"detail": message % {"url": reverse(step)}}, status=403)
        target = reverse(step)
        if request.headers.get("HX-Request"):
            # a fragment asked for by htmx: the whole page goes to the step, not the fragment's box
            current = request.headers.get("HX-Current-URL", "")
            return HttpResponseClientRedirect(
                target + ("?" + urlencode({"next": current}) if current else "")
            )
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()}, safe="/")
        return redirect(target)
