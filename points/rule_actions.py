"""Every change to the point rules (积分规则): the organisation department of a city (or a platform
administrator, for every city's shared rules) records a new version of a rule from a coming day, ends the
city's own rule for a category from a day, or withdraws a version that has not taken effect yet.

A version takes effect the day after it is recorded at the earliest: no service of that day has been
done yet (records are never in the future), so a change can reach no service already logged, let alone
points already booked (the ledger is append-only; points.tests.test_rules books, changes the rule and
reads the old entries back). A version in force is never changed or removed: it explains the points
booked under it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import keeps_city
from audit.actions import record_event
from places.models import Area, AreaLevel
from points.models import PointRule

# Bounds of a rule (as on the form): far past them is a typing slip.
MAX_PER_HOUR = 1000
MAX_BONUS = 1000
MAX_CAP = 10000


def earliest_start(today: date | None = None) -> date:
    """The first day a change may take effect: tomorrow."""
    return (today or timezone.localdate()) + timedelta(days=1)


def _check_keeper(acting_user, city: Area | None) -> None:
    if city is not None and city.level != AreaLevel.CITY:
        raise ValidationError(_("Point rules belong to a city."))
    if not keeps_city(acting_user, city):
        if city is None:
            raise PermissionDenied(_("Only a platform administrator changes the rules every city shares."))
        raise PermissionDenied(_("Only the city's organisation department changes its point rules."))


def _check_key(city: Area | None, category, effective_from) -> None:
    if (
        category is not None
        and category.city_id is not None
        and category.city_id != getattr(city, "pk", None)
    ):
        raise ValidationError(_("This category is not on the city's service menu."))
    if effective_from is None:
        raise ValidationError(_("Say from which day the rule applies."))
    if effective_from < earliest_start():
        raise ValidationError(
            _(
                "A change takes effect from tomorrow (%(day)s) or a later day: service already done keeps its rule."
            )
            % {"day": earliest_start().isoformat()}
        )
    versions = PointRule.objects.filter(city=city, category=category, effective_from=effective_from)
    if versions.exists():
        raise ValidationError(
            _("A change of this rule from %(day)s is already recorded: withdraw it first.")
            % {"day": effective_from.isoformat()}
        )


def _bounded(value, *, most: int, message: str) -> int:
    if value is None or isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > most:
        raise ValidationError(message)
    return value


def _detail(rule: PointRule) -> dict:
    return {
        "city": rule.city.code if rule.city is not None else None,
        "category": rule.category.code if rule.category is not None else None,
        "from": rule.effective_from.isoformat(),
        "points_per_hour": rule.points_per_hour,
        "urgent_bonus": rule.urgent_bonus,
        "daily_cap": rule.daily_cap,
        "in_force": rule.active,
    }


@transaction.atomic
def set_point_rule(
    *,
    acting_user,
    city: Area | None,
    category=None,
    points_per_hour: int,
    urgent_bonus: int = 0,
    daily_cap: int | None = None,
    effective_from: date,
    request=None,
) -> PointRule:
    """A new version of the city's rule for a category (None: its default rule), from a coming day."""
    _check_keeper(acting_user, city)
    _check_key(city, category, effective_from)
    per_hour = _bounded(
        points_per_hour,
        most=MAX_PER_HOUR,
        message=_("Points per hour: a whole number from 0 to %(max)d.") % {"max": MAX_PER_HOUR},
    )
    bonus = _bounded(
        urgent_bonus,
        most=MAX_BONUS,
        message=_("The bonus for an urgent need: a whole number from 0 to %(max)d.") % {"max": MAX_BONUS},
    )
    if daily_cap is not None:
        _bounded(
            daily_cap,
            most=MAX_CAP,
            message=_("The daily cap: a whole number from 1 to %(max)d, or empty for none.")
            % {"max": MAX_CAP},
        )
        if daily_cap < 1:
            raise ValidationError(
                _("The daily cap: a whole number from 1 to %(max)d, or empty for none.") % {"max": MAX_CAP}
            )
    rule = PointRule.objects.create(
        city=city,
        category=category,
        points_per_hour=per_hour,
        urgent_bonus=bonus,
        daily_cap=daily_cap,
        active=True,
        effective_from=effective_from,
        created_by=acting_user,
    )
    record_event(
        actor=acting_user, action="points.rule_changed", request=request, target=rule, detail=_detail(rule)
    )
    return rule


@transaction.atomic
def end_point_rule(*, acting_user, city: Area, category, effective_from: date, request=None) -> PointRule:
    """From a coming day the city keeps no rule of its own for the category: its big category's rule
    (or the default, or the shared one) applies. The default rule of a city is changed, not ended."""
    _check_keeper(acting_user, city)
    if category is None:
        raise ValidationError(_("The default rule is changed, not ended."))
    _check_key(city, category, effective_from)
    rule = PointRule.objects.create(
        city=city,
        category=category,
        active=False,
        points_per_hour=0,
        effective_from=effective_from,
        created_by=acting_user,
    )
    record_event(
        actor=acting_user, action="points.rule_ended", request=request, target=rule, detail=_detail(rule)
    )
    return rule


@transaction.atomic
def withdraw_point_rule(*, acting_user, rule: PointRule, request=None) -> None:
    """Take back a version that has not taken effect yet (a slip, a change of plan). One in force stays."""
    rule = (
        PointRule.objects.select_for_update(of=("self",)).select_related("city", "category").get(pk=rule.pk)
    )
    _check_keeper(acting_user, rule.city)
    if rule.effective_from <= timezone.localdate():
        raise ValidationError(
            _("This version is in force since %(day)s: record a new change instead.")
            % {"day": rule.effective_from.isoformat()}
        )
    detail = {**_detail(rule), "id": str(rule.public_id)}
    record_event(
        actor=acting_user, action="points.rule_withdrawn", request=request, target=rule, detail=detail
    )
    rule.delete()
