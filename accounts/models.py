"""Accounts: users, the roles they hold (each with its scope), and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.privacy import mask_from_hint


class User(AbstractUser):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_hint = models.CharField(max_length=7, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_hash"], condition=~Q(phone_hash=""), name="user_unique_phone"
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def masked_phone(self) -> str:
        return mask_from_hint("phone", self.phone_hint)


class Role(models.TextChoices):
    """DESIGN.md's table. Each role says which scope column it needs (see SCOPE_FIELD)."""

    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    ORG_DEPT = "org_dept", _("Organisation department")
    STREET = "street", _("Street party working committee")
    COMMUNITY = "community", _("Community party organisation")
    UNIT_ADMIN = "unit_admin", _("Unit party admin")
    DEPARTMENT = "department", _("Functional department")
    INSPECTOR = "inspector", _("Inspector")
    MEMBER = "member", _("Party member")
    GRID_WORKER = "grid_worker", _("Grid worker")
    RESIDENT = "resident", _("Resident")


# Which column of RoleGrant carries each role's scope. Member and resident are scoped to the
# person record linked to the user; the platform admin to everything.
SCOPE_FIELD: dict[str, str | None] = {
    Role.PLATFORM_ADMIN: None,
    Role.ORG_DEPT: "area",
    Role.STREET: "area",
    Role.COMMUNITY: "area",
    Role.UNIT_ADMIN: "unit",
    Role.DEPARTMENT: "unit",
    Role.INSPECTOR: "unit",
    Role.MEMBER: None,
    Role.RESIDENT: None,
    Role.GRID_WORKER: "grid",
}


class RoleGrant(models.Model):
    """One role held by one user over one scope. A user may hold several."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    area = models.ForeignKey("places.Area", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="role_grants"
    )
    grid = models.ForeignKey("places.Grid", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.CheckConstraint(
                name="role_grant_scope_matches_role",
                condition=(
                    Q(
                        role__in=["org_dept", "street", "community"],
                        area__isnull=False,
                        unit__isnull=True,
                        grid__isnull=True,
                    )
                    | Q(
                        role__in=["unit_admin", "department", "inspector"],
                        unit__isnull=False,
                        area__isnull=True,
                        grid__isnull=True,
                    )
                    | Q(role="grid_worker", grid__isnull=False, area__isnull=True, unit__isnull=True)
                    | Q(
                        role__in=["platform_admin", "member", "resident"],
                        area__isnull=True,
                        unit__isnull=True,
                        grid__isnull=True,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "area"],
                condition=Q(area__isnull=False),
                name="role_grant_unique_area",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(unit__isnull=False),
                name="role_grant_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "grid"],
                condition=Q(grid__isnull=False),
                name="role_grant_unique_grid",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(area__isnull=True, unit__isnull=True, grid__isnull=True),
                name="role_grant_unique_unscoped",
            ),
        ]

    def __str__(self) -> str:
        target = self.area or self.unit or self.grid
        return f"{self.user} · {self.get_role_display()}" + (f" · {target}" if target else "")


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        """Tokens that are neither expired nor revoked."""
        return self.filter(expires_at__gt=timezone.now(), revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    # Tokens die with the password they were issued under: a changed password revokes them all.
    password_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def fingerprint_of(user) -> str:
        return hashlib.sha256(f"api-token:{user.password}".encode()).hexdigest()


# --- One-time codes and the SMS they travel by (accounts/codes.py, accounts/sms.py) --------------


class CodePurpose(models.TextChoices):
    """What a one-time code is for: a code sent for one purpose never serves another."""

    ACTIVATE = "activate", _("Activate a member account")
    REGISTER = "register", _("Register as a resident")
    SIGN_IN = "sign_in", _("Sign in")


class CodeChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    PRINTED = "printed", _("Printed slip")


class OneTimeCodeQuerySet(models.QuerySet):
    def live(self) -> OneTimeCodeQuerySet:
        """Codes not yet used and not yet expired."""
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class OneTimeCode(models.Model):
    """A one-time code, kept only as a keyed hash (``digest``): an SMS code (minutes) sent to a phone,
    or an activation code printed on a slip for a member without a usable phone (days).

    ``phone_hash`` is the phone's keyed hash (as on Member and User), ``client_hash`` a keyed hash of
    the address that asked for it: the rate limits count rows by these (accounts/codes.py)."""

    purpose = models.CharField(max_length=16, choices=CodePurpose.choices)
    channel = models.CharField(max_length=8, choices=CodeChannel.choices, default=CodeChannel.SMS)
    digest = models.CharField(max_length=64, db_index=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "people.Member", on_delete=models.CASCADE, null=True, blank=True, related_name="activation_codes"
    )
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = OneTimeCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["phone_hash", "purpose", "created_at"], name="otp_phone_purpose")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class SmsOutcome(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class SmsCount(models.Model):
    """Messages handed to the SMS provider, per day, kind and outcome: counters the platform
    administrator reads (accounts:sms_counts). No phone and no text is kept here."""

    day = models.DateField()
    kind = models.CharField(max_length=32)
    outcome = models.CharField(max_length=8, choices=SmsOutcome.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("SMS count")
        verbose_name_plural = _("SMS counts")
        ordering = ["-day", "kind", "outcome"]
        constraints = [models.UniqueConstraint(fields=["day", "kind", "outcome"], name="sms_count_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.outcome}: {self.count}"
