"""People: members, residents, and Changning's other registries (applicants, commercial buildings,
trade unions, youth league organisations).

ID card and phone numbers are never stored in the clear; see gongjian/privacy.py.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Right
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.prefixes import indexed_prefix_q, prefix_range_q
from gongjian.privacy import mask_from_hint

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class SensitiveNumbers(models.Model):
    """Sealed ID card and phone number columns: ciphertext, keyed hash, and the mask's hint."""

    id_number_cipher = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_hint = models.CharField(max_length=10, blank=True, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # Searched by its last four digits only, through each table's ``*_phone_tail`` expression index.
    phone_hint = models.CharField(max_length=7, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def masked_id_number(self) -> str:
        return mask_from_hint("id_number", self.id_number_hint)

    @property
    def masked_phone(self) -> str:
        return mask_from_hint("phone", self.phone_hint)


class MemberStatus(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")


class LeavingReason(models.TextChoices):
    """Why a member's membership here ended (people/leaving.py)."""

    LEFT_ROSTER = "left_roster", _("Left the roster")
    TRANSFERRED = "transferred", _("Transferred out of the platform")
    DIED = "died", _("Died")


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> MemberQuerySet:
        """Members living in the user's areas or grids, members of units they administer or
        inspect, members of units located in their areas, and the member themself."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            scope.area_q("residence_path")
            | scope.area_q("unit_path")
            | Q(unit_id__in=scope.unit_ids)
            | scope.grid_q("grid_path")
            | Q(pk__in=scope.member_ids)
        )

    def current(self) -> MemberQuerySet:
        """Members still on the roster (not left, transferred out or dead)."""
        return self.filter(left_on__isnull=True)

    def in_service(self) -> MemberQuerySet:
        """In-service members (在职党员): employed by a unit, report to where they live."""
        return self.filter(in_service=True)

    def search(self, text: str) -> MemberQuerySet:
        """Name (its beginning), pinyin initials, or the last four digits of the phone."""
        return _search(self, text)


_QS = TypeVar("_QS", bound=models.QuerySet)


def _search(queryset: _QS, text: str) -> _QS:
    text = (text or "").strip()
    if not text:
        return queryset
    if not text.isascii():
        # Results of a name search come in name order: kept in initials order, PostgreSQL walks the
        # initials index from "a" past every other name before it reaches 张 (300 ms at 200k).
        return queryset.filter(person_search_q(text)).order_by("name", "id")
    return queryset.filter(person_search_q(text))


PHONE_TAIL_DIGITS = 4


def phone_tail(field: str = "phone_hint") -> Right:
    """The last four digits of the phone, as the expression the ``*_phone_tail`` indexes hold: a
    search by them is an index lookup, where ``phone_hint LIKE '%1234'`` read every row."""
    return Right(field, PHONE_TAIL_DIGITS)


def person_search_q(text: str) -> Q:
    """A person whose name begins with ``text``, whose pinyin initials do (Latin letters), or whose
    phone ends with it (four digits); each an index range or lookup on the person's own table."""
    text = (text or "").strip()
    if not text:
        return Q()
    if text.isascii() and text.isalpha():
        # Latin letters are pinyin initials: an index range (a LIKE walked the list's sort index
        # past every row on PostgreSQL: gongjian/prefixes.py).
        return prefix_range_q("name_initials", text.lower())
    if text.isdigit() and len(text) == PHONE_TAIL_DIGITS:
        return Q(Exact(phone_tail(), text))
    # Chinese text: the name starts with it (a surname, or the whole name). A prefix is an index
    # range; a substring match would make PostgreSQL walk the list's sort index past every row
    # (350 ms at 200,000 members: docs/PERFORMANCE.md).
    return indexed_prefix_q("name", text)


class Member(SensitiveNumbers):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="member"
    )
    name = models.CharField(_("full name"), max_length=32)
    name_initials = models.CharField(max_length=32, db_index=True, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    joined_on = models.DateField(_("joined the party on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("unit"),
    )
    party_org = models.ForeignKey(
        "orgs.PartyOrg",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("party organisation"),
    )
    residence_area = models.ForeignKey(
        "places.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resident_members",
        verbose_name=_("community of residence"),
    )
    residence_compound = models.ForeignKey(
        "places.Compound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("compound"),
    )
    residence_building = models.ForeignKey(
        "places.Building",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("building"),
    )
    in_service = models.BooleanField(_("in service"), default=False)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    # Set when the membership here ends (people/leaving.py: left the roster, transferred, died).
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(
        _("reason for leaving"), max_length=16, choices=LeavingReason.choices, blank=True
    )
    # Copies of the tree paths the scope filters on (see people.actions.derive_place_paths), so that
    # visible_to is an OR of indexed ranges on this table instead of an OR across three joins.
    residence_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    unit_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    grid_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["name_initials", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~Q(id_number_hash=""), name="member_unique_id_number"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "in_service"], name="member_unit_in_service"),
            # For name-prefix search (LIKE '张%') only. On PostgreSQL a pattern_ops index cannot
            # hand out rows in name order, so with ORDER BY … LIMIT the planner does not walk it
            # past every other name; it takes the prefix range or the scope, then sorts.
            models.Index(fields=["name"], name="member_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(phone_tail(), name="member_phone_tail"),
        ]

    def __str__(self) -> str:
        return self.name


class ResidentQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> ResidentQuerySet:
        """Residents of the user's areas or grids, and the resident themself."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(
            scope.area_q("residence_path") | scope.grid_q("grid_path") | Q(pk__in=scope.resident_ids)
        )

    def awaiting_verification(self) -> ResidentQuerySet:
        """Residents who registered themselves and whom the community has not verified yet."""
        return self.filter(verified_at__isnull=True)

    def search(self, text: str) -> ResidentQuerySet:
        """Name (its beginning), pinyin initials, or the last four digits of the phone."""
        return self.filter(person_search_q(text))


class Resident(SensitiveNumbers):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="resident"
    )
    name = models.CharField(_("full name"), max_length=32)
    name_initials = models.CharField(max_length=32, db_index=True, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    residence_area = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="residents", verbose_name=_("community")
    )
    residence_compound = models.ForeignKey(
        "places.Compound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("compound"),
    )
    residence_building = models.ForeignKey(
        "places.Building",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("building"),
    )
    household_note = models.CharField(_("household note"), max_length=200, blank=True)
    # A resident entered by the community (a form, an import) is verified by that act: the default. One
    # who registered themself starts empty and waits for the community to verify them
    # (accounts/registration.py); verified_by is who did (empty for the community's own entries).
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    residence_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    grid_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        ordering = ["name_initials", "id"]
        indexes = [
            models.Index(fields=["name"], name="resident_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(phone_tail(), name="resident_phone_tail"),
        ]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return self.name


class AreaOrUnitQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> AreaOrUnitQuerySet:
        """Records in the user's area subtrees or belonging to their units."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(scope.area_q("area__path") | Q(unit_id__in=scope.unit_ids))


class ApplicantStage(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACTIVIST = "activist", _("Activist")
    DEVELOPMENT = "development", _("Development target")
    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")


class Applicant(SensitiveNumbers):
    """入党申请人: from application to full membership, one stage at a time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("full name"), max_length=32)
    name_initials = models.CharField(max_length=32, db_index=True, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="applicants")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="applicants"
    )
    party_org = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="applicants")
    stage = models.CharField(
        _("stage"), max_length=16, choices=ApplicantStage.choices, default=ApplicantStage.APPLIED
    )
    applied_on = models.DateField(_("applied on"))
    activist_on = models.DateField(_("activist since"), null=True, blank=True)
    development_on = models.DateField(_("development target since"), null=True, blank=True)
    probationary_on = models.DateField(_("admitted on"), null=True, blank=True)
    full_on = models.DateField(_("full member since"), null=True, blank=True)
    # The member record made when the applicant was admitted (people/applicants.py).
    member = models.OneToOneField(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="applicant", editable=False
    )

    objects = AreaOrUnitQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_on", "id"]
        indexes = [models.Index(phone_tail(), name="applicant_phone_tail")]
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")

    def __str__(self) -> str:
        return self.name


class RegistryEntry(models.Model):
    """One record of a registry kept by the area (Changning's databases): named, located in an area,
    perhaps belonging to a unit, and seen by that area's users and the unit's (AreaOrUnitQuerySet).
    Each registry adds its own ``area`` and ``unit`` keys (their reverse names differ) and figures."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=128)
    # Retired (closed, merged, moved away): kept for the record, never deleted (people/registries.py).
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    retired_reason = models.CharField(_("reason for retiring"), max_length=200, blank=True)

    objects = AreaOrUnitQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CommercialBuilding(RegistryEntry):
    """商务楼宇: an office building, with its party organisation and the firms inside."""

    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="commercial_buildings")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    party_org = models.ForeignKey(
        "orgs.PartyOrg", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    floors = models.PositiveSmallIntegerField(_("floors"), default=0)
    tenant_count = models.PositiveIntegerField(_("tenant firms"), default=0)
    member_count = models.PositiveIntegerField(_("members working here"), default=0)

    class Meta(RegistryEntry.Meta):
        verbose_name = _("commercial building")
        verbose_name_plural = _("commercial buildings")


class TradeUnion(RegistryEntry):
    """工会."""

    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="trade_unions")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="trade_unions"
    )
    chair_name = models.CharField(_("chair"), max_length=32, blank=True)
    member_count = models.PositiveIntegerField(_("members"), default=0)

    class Meta(RegistryEntry.Meta):
        verbose_name = _("trade union")
        verbose_name_plural = _("trade unions")


class YouthLeagueOrg(RegistryEntry):
    """团组织."""

    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="youth_league_orgs")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="youth_league_orgs"
    )
    secretary_name = models.CharField(_("secretary"), max_length=32, blank=True)
    member_count = models.PositiveIntegerField(_("league members"), default=0)

    class Meta(RegistryEntry.Meta):
        verbose_name = _("youth league organisation")
        verbose_name_plural = _("youth league organisations")


# 转出 → 转入 lives in its own module (people/transfer_models.py); imported here so Django finds it.
from people.transfer_models import MemberTransfer, TransferEvent, TransferState  # noqa: E402, F401
