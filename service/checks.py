"""Input checks the resources' and projects' actions share: a service-menu item, a period, a quantity,
an amount of money. Each raises ValidationError with a message for the person."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def clean_quantity(quantity) -> Decimal:
    try:
        value = Decimal(str(quantity))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(_("Give the quantity as a number.")) from exc
    if not value.is_finite() or value <= 0:
        raise ValidationError(_("The quantity must be more than zero."))
    if value >= Decimal("1e10"):
        raise ValidationError(_("The quantity is too large."))
    return value.quantize(Decimal("0.01"))


def plain_number(value: Decimal) -> str:
    """12.50 → 12.5, 10.00 → 10 (never 1E+1)."""
    return format(value.normalize(), "f")


def clean_amount(amount, message) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(message) from exc
    if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        raise ValidationError(message)
    return value.quantize(Decimal("0.01"))


def check_category(category) -> None:
    if category is not None and (not category.active or not category.is_item):
        raise ValidationError(_("Choose an item of the service menu."))


def check_period(start, end, message) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError(message)
