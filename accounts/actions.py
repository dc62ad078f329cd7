"""Writes to accounts: users, role grants, API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SCOPE_FIELD, ApiToken, Role, RoleGrant
from accounts.scope import forget_scope
from audit.actions import record_event
from gongjian.privacy import InvalidNumber, normalize_phone, seal

User = get_user_model()


@transaction.atomic
def create_user(
    *,
    acting_user,
    username: str,
    password: str | None,
    full_name: str = "",
    phone: str = "",
    is_staff: bool = False,
    request=None,
) -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("The username %(name)s is taken.") % {"name": username})
    user = User(username=username, full_name=full_name, is_staff=is_staff)
    if phone:
        try:
            sealed = seal("phone", normalize_phone(phone))
        except InvalidNumber as exc:
            raise ValidationError(str(exc)) from exc
        if User.objects.filter(phone_hash=sealed.hash).exists():
            raise ValidationError(_("Another account uses this phone number."))
        user.phone_cipher, user.phone_hash, user.phone_hint = sealed.cipher, sealed.hash, sealed.hint
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record_event(actor=acting_user, action="user.create", target=user, request=request)
    return user


@transaction.atomic
def grant_role(*, acting_user, user, role: str, area=None, unit=None, grid=None, request=None) -> RoleGrant:
    """Give a user a role over a scope. Granting the same role twice returns the existing grant."""
    needed = SCOPE_FIELD[Role(role)]
    given = {"area": area, "unit": unit, "grid": grid}
    if any(v is not None for k, v in given.items() if k != needed) or (needed and given[needed] is None):
        raise ValidationError(
            _("The role %(role)s needs a scope of kind %(kind)s.")
            % {"role": Role(role).label, "kind": needed or "-"}
        )
    grant, created = RoleGrant.objects.get_or_create(
        user=user, role=role, area=area, unit=unit, grid=grid, defaults={"granted_by": acting_user}
    )
    if role == Role.PLATFORM_ADMIN and not (user.is_staff and user.is_superuser):
        # Platform administrators run the Django admin, which needs these flags.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    if created:
        record_event(
            actor=acting_user,
            action="role.grant",
            target=user,
            request=request,
            detail={"role": role, "scope": str(area or unit or grid or "")},
        )
    forget_scope(user)
    return grant


@transaction.atomic
def revoke_role(*, acting_user, grant: RoleGrant, request=None) -> None:
    record_event(
        actor=acting_user,
        action="role.revoke",
        target=grant.user,
        request=request,
        detail={"role": grant.role, "scope": str(grant.area or grant.unit or grant.grid or "")},
    )
    grant.delete()
    user = grant.user
    if grant.role == Role.PLATFORM_ADMIN:
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])
    forget_scope(user)


@transaction.atomic
def issue_api_token(*, acting_user, request=None) -> str:
    """A new bearer token for the acting user; only its digest is kept."""
    token = ApiToken.new_token()
    ApiToken.objects.create(
        user=acting_user,
        digest=ApiToken.digest_of(token),
        password_fingerprint=ApiToken.fingerprint_of(acting_user),
        expires_at=timezone.now() + settings.API_TOKEN_TTL,
    )
    record_event(actor=acting_user, action="auth.token", target=acting_user, request=request)
    return token


@transaction.atomic
def revoke_api_tokens(*, acting_user, user, request=None) -> int:
    """Revoke every active token of ``user`` (signing out of all API clients)."""
    count = ApiToken.objects.active().filter(user=user).update(revoked_at=timezone.now())
    record_event(
        actor=acting_user, action="auth.token_revoke", target=user, request=request, detail={"tokens": count}
    )
    return count
