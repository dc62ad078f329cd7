"""Sign in with a username or a mobile number, and a password."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from gongjian.privacy import InvalidNumber, keyed_hash, normalize_phone


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


def lockout_username(request, credentials) -> str:
    """The name django-axes counts failures under: one counter per account, however its phone is
    written (+86 138…, 138 1234 5678, 13812345678 all count together)."""
    raw = (credentials or {}).get("username") or (
        request.POST.get("username", "") if request is not None else ""
    )
    try:
        phone = normalize_phone(raw)
    except InvalidNumber:
        return raw
    User = get_user_model()
    if User.objects.filter(username=raw).exists():
        return raw
    user = User.objects.filter(phone_hash=keyed_hash("phone", phone)).only("username").first()
    return user.username if user is not None else phone
