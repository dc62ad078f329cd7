"""The service menu (服务菜单): big categories and small items, per city, each tied to a vanguard kind."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from checkin.models import VanguardKind


class ServiceCategoryQuerySet(models.QuerySet):
    def visible_to(self, user) -> ServiceCategoryQuerySet:
        """The menu is public to every signed-in user: it is what people may ask for and offer."""
        return self if user is not None and user.is_authenticated else self.none()

    def kept_by(self, user) -> ServiceCategoryQuerySet:
        """The rows the user keeps (``access.keeps_city``): their cities' own rows; every row for a
        platform administrator (the shared ones too)."""
        from accounts.scope import scope_for
        from checkin.access import kept_cities

        if scope_for(user).everything:
            return self
        return self.filter(city__in=kept_cities(user))

    def active(self) -> ServiceCategoryQuerySet:
        """Categories still offered."""
        return self.filter(active=True)

    def for_city(self, city) -> ServiceCategoryQuerySet:
        """The menu of one city: its own categories and the ones every city shares."""
        if city is None:
            return self.filter(city__isnull=True)
        return self.filter(Q(city__isnull=True) | Q(city=city))

    def items(self) -> ServiceCategoryQuerySet:
        """Small items (小项), the ones needs and records are filed under."""
        return self.filter(parent__isnull=False)


class ServiceCategory(models.Model):
    """A menu entry. Top-level rows are big categories (经济, 教育, 文化…), their children the small items
    (停车, 就业…). ``city`` empty means every city; a city adds its own rows."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    city = models.ForeignKey(
        "places.Area",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("big category"),
    )
    code = models.SlugField(_("code"), max_length=48)
    name = models.CharField(_("name"), max_length=48)
    vanguard_kind = models.CharField(
        _("vanguard kind"), max_length=32, choices=VanguardKind.choices, blank=True
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=200,
        blank=True,
        help_text=_("Skills that fit, separated by spaces: 电工 水电 维修"),
    )
    sort = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("offered"), default=True)

    objects = ServiceCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(city__isnull=True), name="category_code_shared"
            ),
            models.UniqueConstraint(fields=["city", "code"], name="category_code_per_city"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_item(self) -> bool:
        return self.parent_id is not None

    def keyword_list(self) -> list[str]:
        return [w for w in self.keywords.split() if w]
