"""Residents register themselves with a phone and an SMS code; their community verifies them.

Registration makes the Resident record (``people.actions.save_resident``), and gives the resident role
to the person's one account: the account already holding the phone (a member, a grid worker…) or the
one signed in, else a new one. A self-registered resident starts unverified (``Resident.verified_at``
empty): they can ask for help at once, and the community sees their needs marked "unverified" until
its party organisation or the street's committee verifies them (``verify_resident``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import codes
from accounts.actions import grant_role
from accounts.activation import account_for_person, clean_phone, person_account
from accounts.models import CodePurpose, OneTimeCode, Role
from accounts.scope import scope_for
from audit.actions import record_event
from gongjian.privacy import keyed_hash
from people.actions import save_resident
from people.models import Resident
from places.models import AreaLevel
from places.paths import any_subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from accounts.models import User
    from places.models import Area, Building, Compound

# Who verifies a resident: the community's party organisation, or its street's committee.
VERIFY_ROLES = (Role.COMMUNITY, Role.STREET)


def _already_resident(user: User | None) -> bool:
    return user is not None and Resident.objects.filter(user=user).exists()


def start_registration(
    *, acting_user: User | None, phone: str, request: HttpRequest | None = None
) -> OneTimeCode:
    """Send a registration code (refused when the person's account is a resident already)."""
    phone = clean_phone(phone)
    user = account_for_person(acting_user=acting_user, phone_hash=keyed_hash("phone", phone))
    if _already_resident(user):
        raise ValidationError(_("You are registered as a resident already: sign in (by SMS code) instead."))
    return codes.send_code(purpose=CodePurpose.REGISTER, phone=phone, user=user, request=request)


def check_place(community: Area, compound: Compound | None, building: Building | None) -> None:
    if community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Choose a community."))
    if compound is not None and compound.community_id != community.pk:
        raise ValidationError(_("The compound is not in %(community)s.") % {"community": community.name})
    if building is not None and (compound is None or building.compound_id != compound.pk):
        raise ValidationError(_("The building is not in the chosen compound."))


def register_resident(
    *,
    acting_user: User | None,
    phone: str,
    code: str,
    name: str,
    community: Area,
    compound: Compound | None = None,
    building: Building | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Check the code, then make the resident record and give the person's account the resident role."""
    phone = clean_phone(phone)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Write your name."))
    check_place(community, compound, building)
    row = codes.check_code(purpose=CodePurpose.REGISTER, phone=phone, code=code, request=request)
    return _register(
        acting_user=acting_user,
        phone=phone,
        name=name,
        community=community,
        compound=compound,
        building=building,
        spent=row,
        request=request,
    )


@transaction.atomic
def _register(
    *,
    acting_user: User | None,
    phone: str,
    name: str,
    community: Area,
    compound: Compound | None,
    building: Building | None,
    spent: OneTimeCode,
    request: HttpRequest | None,
) -> User:
    user = person_account(acting_user=acting_user, phone=phone, full_name=name, request=request)
    if _already_resident(user):
        raise ValidationError(_("You are registered as a resident already: sign in (by SMS code) instead."))
    codes.spend(spent)
    resident = save_resident(
        acting_user=user,
        name=name,
        residence_area=community,
        phone=phone,
        residence_compound=compound,
        residence_building=building,
        request=request,
    )
    resident.user = user
    resident.verified_at = None  # registered by themself: the community verifies them
    resident.save(update_fields=["user", "verified_at"])
    grant_role(acting_user=user, user=user, role=Role.RESIDENT, request=request)
    record_event(actor=user, action="resident.register", target=resident, request=request)
    return user


def verifiable_residents(user: User | AnonymousUser | None):
    """Residents of the communities the user verifies for (``may_verify`` as a queryset)."""
    scope = scope_for(user)
    queryset = Resident.objects.visible_to(user)
    if scope.everything:
        return queryset
    paths = [p for role in VERIFY_ROLES for p in scope.paths_for(role)]
    return queryset.filter(any_subtree_q("residence_path", paths))


def may_verify(user: User | AnonymousUser | None, resident: Resident) -> bool:
    """The community's party organisation or its street's committee (or a platform administrator)."""
    scope = scope_for(user)
    return scope.everything or any(scope.holds_area(role, resident.residence_area) for role in VERIFY_ROLES)


@transaction.atomic
def verify_resident(*, acting_user: User, resident: Resident, request: HttpRequest | None = None) -> Resident:
    """The community confirms that a self-registered resident lives where they said."""
    if not may_verify(acting_user, resident):
        raise PermissionDenied(_("Only the resident's community or street may verify them."))
    resident = Resident.objects.select_for_update().select_related("residence_area").get(pk=resident.pk)
    if resident.verified_at is not None:
        raise ValidationError(_("This resident is verified already."))
    resident.verified_at = timezone.now()
    resident.verified_by = acting_user
    resident.save(update_fields=["verified_at", "verified_by"])
    record_event(actor=acting_user, action="resident.verify", target=resident, request=request)
    return resident
