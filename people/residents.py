"""The community keeps its residents: adding one, and correcting what it knows of one.

Both go through people.actions.save_resident (which checks the home with people.homes.check_home);
these add who may (people.keepers.keeps_area: the community party organisation or street committee of
the resident's community, old and new). Residents registering themselves and importing residents
from a file are elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from people.actions import save_resident
from people.keepers import keeps_area

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from people.models import Resident
    from places.models import Area, Building, Compound


@transaction.atomic
def keep_resident(
    *,
    acting_user: User,
    name: str,
    residence_area: Area,
    phone: str | None = None,
    residence_compound: Compound | None = None,
    residence_building: Building | None = None,
    household_note: str = "",
    resident: Resident | None = None,
    request: HttpRequest | None = None,
) -> Resident:
    """Add a resident to the community's list (``resident`` None) or correct one; audited by save_resident.
    ``phone`` None keeps the number on record (forms show it masked), "" removes it."""
    places = [residence_area] if resident is None else [resident.residence_area, residence_area]
    if not all(keeps_area(acting_user, area) for area in places):
        raise PermissionDenied(
            _("Only the community's party organisation or its street keeps its residents.")
        )
    if not name.strip():
        raise ValidationError(_("Give the resident's name."))
    return save_resident(
        acting_user=acting_user,
        name=name,
        residence_area=residence_area,
        phone=phone,
        gender=resident.gender if resident is not None else "",
        residence_compound=residence_compound,
        residence_building=residence_building,
        household_note=household_note,
        resident=resident,
        request=request,
    )
