"""API sign-in: bearer tokens, the session for the browser, role checks, and the token endpoint."""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import AuthorizationError, HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from accounts.actions import issue_api_token, revoke_api_tokens
from accounts.models import ApiToken
from accounts.scope import scope_for
from accounts.second_factor import CodeRefused, is_enrolled, second_factor_required
from accounts.second_factor_actions import verify_second_factor
from gongjian.api_shapes import ANY_SIGNED_IN_USER, ErrorOut


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>``: an active token (not expired, not revoked) of an active user."""

    def authenticate(self, request: HttpRequest, token: str):
        if not token:
            return None
        found = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(digest=ApiToken.digest_of(token), user__is_active=True)
            .first()
        )
        if found is None or found.password_fingerprint != ApiToken.fingerprint_of(found.user):
            return None
        # The FilterSets and anything else that reads request.user see the token's user too.
        request.user = found.user
        return found.user


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser session, which needs the CSRF token on unsafe methods.

    Only a request that has a signed-in session and presents no Authorization header is a session
    request. Any other (no credentials, or a bad token) answers 401 with ``WWW-Authenticate``: ninja's
    own session check would look at CSRF first and answer a client whose token is wrong with a 403
    "CSRF check failed", which tells it nothing.
    """

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if "Authorization" in request.headers or user is None or not user.is_authenticated:
            return None
        return super().__call__(request)


# Every endpoint but the token endpoint (set on the NinjaAPI in gongjian/api.py): a bearer
# token, or the signed-in browser session.
API_AUTH = [BearerAuth(), SessionAuth()]


def require_roles(request: HttpRequest, roles: Iterable[str]) -> None:
    """Refuse (403) a caller who holds none of ``roles``; platform administrators pass."""
    if not scope_for(request.auth).has(*roles):
        raise AuthorizationError(message=_("Your role may not use this endpoint."))


router = Router(tags=["auth"])


USERNAME_MAX_LENGTH = 150  # User.username's length; a longer name is no account's


OTP_FIELD = Field(
    default=None,
    max_length=20,
    description="The one-time code of the account's authenticator app (or a recovery code). Needed by "
    "accounts whose roles sign in with a second factor (platform administrators, organisation "
    "departments, street committees, unit party admins).",
)


class TokenIn(Schema):
    username: str = Field(
        min_length=1, max_length=USERNAME_MAX_LENGTH, description="Username or mobile number."
    )
    password: str = Field(min_length=1, max_length=4096)
    otp: str | None = OTP_FIELD


class TokenOut(Schema):
    token: str
    expires_at: datetime


class MeOut(Schema):
    id: UUID = Field(alias="public_id")
    username: str
    full_name: str
    phone_masked: str = Field(alias="masked_phone")
    roles: list[str]

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(scope_for(obj).roles)


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
)
def create_token(request: HttpRequest, credentials: TokenIn):
    """Exchange a username (or mobile number) and password for a bearer token.

    Failed attempts count towards the sign-in lockout (django-axes) exactly as on the login page;
    a wrong username and a wrong password answer alike (401). A username longer than any account's
    (150 characters) answers 422 and is not counted. The token is shown once.

    Accounts that sign in with a second factor also send ``otp``, the code of their authenticator app
    (or a recovery code): without it, or with a wrong one, 401 says so; too many wrong codes in a row
    answer 429 until the wait is over; an account that has not set up its second factor yet answers 403
    (set it up on the website first).
    """
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # Answer the lockout here, in JSON; clearing the flag stops AxesMiddleware from
            # replacing this answer with the HTML lockout page.
            request.axes_locked_out = False
            raise HttpError(429, _("Too many failed sign-ins. Try again later."))
        raise HttpError(401, _("Invalid username or password."))
    check_second_factor(request, user, credentials.otp)
    # A token exchange is a sign-in: the signal updates last_login, writes the audit row and lets
    # django-axes reset the failure count (AXES_RESET_ON_SUCCESS), as login() would for a session.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    token = issue_api_token(acting_user=user, request=request)
    expires_at = ApiToken.objects.values_list("expires_at", flat=True).get(digest=ApiToken.digest_of(token))
    return {"token": token, "expires_at": expires_at}


def check_second_factor(request: HttpRequest, user, code: str | None) -> None:
    """Before any bearer token is issued (password, SMS code, activation): an account whose roles sign
    in with a second factor must send its code; 403 if it has none set up, 401 without or with a wrong
    code, 429 while wrong codes are throttled."""
    if not second_factor_required(user):
        return
    if not is_enrolled(user):
        raise HttpError(
            403,
            _(
                "This account needs a second factor: set it up on the website first, then send its code as otp."
            ),
        )
    if not code:
        raise HttpError(401, _("This account needs a one-time code: send the authenticator's code as otp."))
    try:
        verify_second_factor(acting_user=user, code=code, request=request)
    except CodeRefused as refused:
        raise HttpError(429 if refused.wait else 401, refused.messages[0]) from refused


class RevokedOut(Schema):
    revoked: int


@router.post("/auth/token/revoke", response=RevokedOut, openapi_extra=ANY_SIGNED_IN_USER)
def revoke_tokens(request: HttpRequest):
    """Revoke all of the caller's API tokens (sign out of every API client)."""
    return {"revoked": revoke_api_tokens(acting_user=request.auth, user=request.auth, request=request)}


@router.get("/me", response=MeOut, openapi_extra=ANY_SIGNED_IN_USER)
def get_me(request: HttpRequest):
    """The caller: public id, username, masked phone and roles. Any signed-in user."""
    return request.auth
