"""Sign in with a username or a mobile number, and a password."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from gongjian.privacy import InvalidNumber, keyed_hash, mask_id_number, mask_phone, normalize_phone

USERNAME_MAX_LENGTH = 150  # User.username


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            try:
                phone = normalize_phone(username)
            except InvalidNumber:
                phone = None
            if phone:
                user = User.objects.filter(phone_hash=keyed_hash("phone", phone)).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def _typed_name(request, credentials) -> str:
    raw = (credentials or {}).get("username") or (
        request.POST.get("username", "") if request is not None else ""
    )
    return str(raw or "")


def _account_of(typed: str):
    """The account a typed name means: its username, else its mobile number however written."""
    User = get_user_model()
    if len(typed) > USERNAME_MAX_LENGTH:
        return None
    user = User.objects.filter(username=typed).only("username").first()
    if user is not None:
        return user
    try:
        phone = normalize_phone(typed)
    except InvalidNumber:
        return None
    return User.objects.filter(phone_hash=keyed_hash("phone", phone)).only("username").first()


def lockout_username(request, credentials) -> str:
    """The name django-axes counts failures under (and stores in its AccessAttempt table).

    An account's name counts for the account: one counter however its phone is written (+86 138…,
    138 1234 5678, 13812345678 all count together). Anything else typed is counted under a keyed hash
    of it (a phone by its normal form): the table keeps no phone in clear, and nothing longer than
    its 255-character column.
    """
    typed = _typed_name(request, credentials)
    user = _account_of(typed)
    if user is not None:
        return user.username
    try:
        typed = normalize_phone(typed)
    except InvalidNumber:
        pass
    return "?" + keyed_hash("lockout", typed)[:32]


def sign_in_label(typed: str) -> str:
    """What the audit log keeps of the name typed at a failed sign-in (docs/PRIVACY.md): an
    account's username as it is; a mobile number or an ID number masked; anything else (a mistyped
    name, a password typed in the wrong box) masked but for its first two characters."""
    typed = str(typed or "").strip()
    User = get_user_model()
    if len(typed) <= USERNAME_MAX_LENGTH and User.objects.filter(username=typed).exists():
        return typed
    try:
        return mask_phone(normalize_phone(typed))
    except InvalidNumber:
        pass
    compact = typed.replace(" ", "").upper()
    if len(compact) == 18 and compact[:17].isdigit():
        return mask_id_number(compact)
    return typed[:2] + "****" if typed else ""


def check_backend_settings() -> None:
    """AUTHENTICATION_BACKENDS (with AUTH_EXTRA_BACKENDS, a city's single sign-on) each import and are
    authentication backends, and TWO_FACTOR_TRUSTED_BACKENDS names only backends in use: raised as
    ImproperlyConfigured when the process starts (accounts/apps.py)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.utils.module_loading import import_string

    for path in settings.AUTHENTICATION_BACKENDS:
        try:
            backend = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"AUTHENTICATION_BACKENDS / AUTH_EXTRA_BACKENDS: {path!r} does not import ({exc})"
            ) from exc
        if not callable(getattr(backend, "authenticate", None)):
            raise ImproperlyConfigured(
                f"AUTH_EXTRA_BACKENDS: {path!r} is not an authentication backend (no authenticate method)"
            )
    unknown = sorted(set(settings.TWO_FACTOR_TRUSTED_BACKENDS) - set(settings.AUTHENTICATION_BACKENDS))
    if unknown:
        raise ImproperlyConfigured(
            f"TWO_FACTOR_TRUSTED_BACKENDS names backends not in AUTHENTICATION_BACKENDS: {', '.join(unknown)}"
        )
