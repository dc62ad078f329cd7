"""Writes to an alliance's posts: its committee (secretary, deputies, part-time members from units) and the
four roles (四员). Only the lead appoints. An inspector's post grants ``Role.INSPECTOR`` over each unit it
follows, and ending or narrowing it revokes only what it granted (the grants it made are kept in its
events' ``granted``/``revoked`` details, since the table has no column for them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actions import grant_role, revoke_role
from accounts.models import Role, RoleGrant
from alliances.members import require_lead
from alliances.models import Alliance, AllianceMember, AlliancePost, PostRole
from alliances.steps import event, history, lock
from audit.actions import record_event

# Posts held by people from a member unit; a liaison may also be the street's own (no unit).
UNIT_REQUIRED = (PostRole.PART_TIME, PostRole.ENVOY)
UNIT_NOT_ALLOWED = (PostRole.INSPECTOR, PostRole.INFORMANT)


def is_grid_worker_in(user, alliance: Alliance) -> bool:
    """The user holds a grid worker grant over a grid in the alliance's area (an informant's condition)."""
    return RoleGrant.objects.filter(
        Q(grid__street=alliance.area) | Q(grid__community=alliance.area), user=user, role=Role.GRID_WORKER
    ).exists()


def granted_units(post: AlliancePost) -> set[int]:
    """The units over which this post granted the inspector role and has not revoked it."""
    units: set[int] = set()
    for line in history(post):
        units |= set(line.detail.get("granted", ()))
        units -= set(line.detail.get("revoked", ()))
    return units


def _check_followed(alliance: Alliance, units: Iterable) -> list:
    units = list({unit.pk: unit for unit in units}.values())
    if not units:
        raise ValidationError(_("An inspector follows at least one member unit."))
    current = set(
        AllianceMember.objects.current()
        .filter(alliance=alliance, unit__in=units)
        .values_list("unit_id", flat=True)
    )
    strangers = [unit.name for unit in units if unit.pk not in current]
    if strangers:
        raise ValidationError(
            _("Not member units of this alliance: %(units)s.") % {"units": "、".join(strangers)}
        )
    return units


def _grant(acting_user, post: AlliancePost, units: Iterable, request) -> list[int]:
    granted = []
    for unit in units:
        if not RoleGrant.objects.filter(user=post.user, role=Role.INSPECTOR, unit=unit).exists():
            grant_role(
                acting_user=acting_user, user=post.user, role=Role.INSPECTOR, unit=unit, request=request
            )
            granted.append(unit.pk)
    return granted


def _revoke(acting_user, post: AlliancePost, unit_ids: Iterable[int], request) -> list[int]:
    """Revoke the grants this post made over ``unit_ids``, unless another current inspector post of the
    same person follows the unit."""
    mine = granted_units(post)
    still_followed = set(
        AlliancePost.objects.current()
        .filter(user=post.user, role=PostRole.INSPECTOR)
        .exclude(pk=post.pk)
        .values_list("followed_units", flat=True)
    )
    revoked = []
    for unit_id in unit_ids:
        if unit_id not in mine or unit_id in still_followed:
            continue
        grant = RoleGrant.objects.filter(user=post.user, role=Role.INSPECTOR, unit_id=unit_id).first()
        if grant is not None:
            revoke_role(acting_user=acting_user, grant=grant, request=request)
        revoked.append(unit_id)
    return revoked


@transaction.atomic
def appoint(
    *,
    acting_user,
    alliance: Alliance,
    role: str,
    user,
    unit=None,
    followed_units: Iterable = (),
    started_on: date | None = None,
    request=None,
) -> AlliancePost:
    """The lead gives a person a post in the alliance."""
    alliance = lock(alliance)
    require_lead(acting_user, alliance)
    if role not in PostRole.values:
        raise ValidationError(_("Choose the post."))
    role = PostRole(role)
    if user is None:
        raise ValidationError(_("Choose who holds the post."))
    if role in UNIT_REQUIRED and unit is None:
        raise ValidationError(_("A %(post)s comes from a member unit: choose it.") % {"post": role.label})
    if role in UNIT_NOT_ALLOWED and unit is not None:
        raise ValidationError(_("A %(post)s is not appointed for one unit.") % {"post": role.label})
    if (
        unit is not None
        and not AllianceMember.objects.current().filter(alliance=alliance, unit=unit).exists()
    ):
        raise ValidationError(
            _("%(unit)s is not a member unit of %(alliance)s.")
            % {"unit": unit.name, "alliance": alliance.name}
        )
    followed = list(followed_units)
    if role == PostRole.INSPECTOR:
        followed = _check_followed(alliance, followed)
    elif followed:
        raise ValidationError(_("Only inspectors follow units."))
    current = alliance.posts.current()
    if role == PostRole.ENVOY and current.filter(role=role, unit=unit).exists():
        raise ValidationError(_("%(unit)s already has an envoy: end that post first.") % {"unit": unit.name})
    if role == PostRole.SECRETARY and current.filter(role=role).exists():
        raise ValidationError(_("The alliance already has a secretary: end that post first."))
    if current.filter(role=role, user=user, unit=unit).exists():
        raise ValidationError(_("This person already holds this post."))
    if role == PostRole.INFORMANT and not is_grid_worker_in(user, alliance):
        raise ValidationError(_("An informant is a grid worker of %(area)s.") % {"area": alliance.area.name})
    started_on = started_on or timezone.localdate()
    try:
        with transaction.atomic():
            post = AlliancePost.objects.create(
                alliance=alliance,
                role=role,
                user=user,
                holder_name=(user.full_name or user.username)[:32],
                unit=unit,
                started_on=started_on,
            )
    except IntegrityError:
        raise ValidationError(_("This post is already held.")) from None
    granted: list[int] = []
    if followed:
        post.followed_units.set(followed)
        granted = _grant(acting_user, post, followed, request)
    event(post, "appoint", acting_user, role=role.value, holder=post.holder_name, granted=granted)
    record_event(
        actor=acting_user,
        action="alliances.post_appointed",
        request=request,
        target=post,
        detail={"alliance": str(alliance.public_id), "role": role.value, "holder": post.holder_name},
    )
    return post


@transaction.atomic
def end_post(*, acting_user, post: AlliancePost, ended_on: date | None = None, request=None) -> AlliancePost:
    """The lead ends a post; an inspector's grants made by it are revoked."""
    post = lock(post)
    require_lead(acting_user, post.alliance)
    if post.ended_on is not None:
        raise ValidationError(_("This post has already ended."))
    ended_on = ended_on or timezone.localdate()
    if ended_on < post.started_on:
        raise ValidationError(_("A post cannot end before it starts."))
    post.ended_on = ended_on
    post.save(update_fields=["ended_on"])
    revoked: list[int] = []
    if post.role == PostRole.INSPECTOR:
        revoked = _revoke(acting_user, post, granted_units(post), request)
    event(post, "end", acting_user, revoked=revoked)
    record_event(
        actor=acting_user,
        action="alliances.post_ended",
        request=request,
        target=post,
        detail={"role": post.role, "holder": post.holder_name},
    )
    return post


@transaction.atomic
def change_followed_units(
    *, acting_user, post: AlliancePost, followed_units: Iterable, request=None
) -> AlliancePost:
    """The lead changes which member units an inspector follows: new units are granted, dropped ones
    revoked (only what this post granted)."""
    post = lock(post)
    require_lead(acting_user, post.alliance)
    if post.role != PostRole.INSPECTOR:
        raise ValidationError(_("Only inspectors follow units."))
    if post.ended_on is not None:
        raise PermissionDenied(_("This post has already ended."))
    followed = _check_followed(post.alliance, followed_units)
    before = set(post.followed_units.values_list("pk", flat=True))
    after = {unit.pk for unit in followed}
    post.followed_units.set(followed)
    granted = _grant(acting_user, post, [u for u in followed if u.pk not in before], request)
    revoked = _revoke(acting_user, post, sorted(before - after), request)
    event(post, "follow", acting_user, granted=granted, revoked=revoked, units=sorted(after))
    record_event(
        actor=acting_user,
        action="alliances.post_units_changed",
        request=request,
        target=post,
        detail={"units": sorted(after)},
    )
    return post
