"""The alliance board (信息共享): the lead posts work updates, tasks from above and plans; a member unit's
admin posts its unit's work updates. Each member unit's receipt is recorded by the first of its people to
open a post (``mark_read``; the post's page does it)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.scope import scope_for
from alliances.access import leads, spoken_units
from alliances.models import Alliance, AllianceState, BoardPost, BoardPostKind, BoardRead
from alliances.steps import clean_text, event
from audit.actions import record_event


def member_unit_ids(user, alliance: Alliance) -> list[int]:
    """The alliance's current member units the user belongs to (any role over the unit)."""
    mine = scope_for(user).unit_ids
    if not mine:
        return []
    return list(alliance.members.current().filter(unit_id__in=mine).values_list("unit_id", flat=True))


def posting_units(user, alliance: Alliance) -> list[int]:
    """The member units the user posts work updates for (those they speak for)."""
    spoken = spoken_units(user)
    return [unit_id for unit_id in member_unit_ids(user, alliance) if unit_id in spoken]


@transaction.atomic
def publish_post(
    *,
    acting_user,
    alliance: Alliance,
    kind: str,
    title: str,
    body: str,
    due_on: date | None = None,
    unit=None,
    request=None,
) -> BoardPost:
    """The lead posts any kind; a member unit's admin posts work updates for its unit (``unit``: which, when
    they speak for several)."""
    if alliance.state != AllianceState.ACTIVE:
        raise ValidationError(_("The alliance is dissolved."))
    if kind not in BoardPostKind.values:
        raise ValidationError(_("Choose the kind of post."))
    author_unit_id = None
    if not leads(acting_user, alliance):
        units = posting_units(acting_user, alliance)
        if unit is not None:
            units = [u for u in units if u == unit.pk]
        if not units:
            raise PermissionDenied(
                _("Only the alliance's lead or a member unit's admin can post on its board.")
            )
        if kind != BoardPostKind.UPDATE:
            raise PermissionDenied(_("A member unit posts work updates; tasks and plans come from the lead."))
        author_unit_id = units[0]
    elif unit is not None and unit.pk in posting_units(acting_user, alliance):
        author_unit_id = unit.pk
    post = BoardPost.objects.create(
        alliance=alliance,
        kind=kind,
        title=clean_text(title, field=_("Title"), max_length=100),
        body=clean_text(body, field=_("Text"), max_length=8000),
        due_on=due_on if kind == BoardPostKind.TASK else None,
        author=acting_user,
        author_unit_id=author_unit_id,
    )
    event(post, "publish", acting_user, kind=kind)
    record_event(actor=acting_user, action="alliances.board_posted", request=request, target=post)
    return post


@transaction.atomic
def mark_read(*, acting_user, post: BoardPost, request=None) -> list[BoardRead]:
    """The user opened the post: each member unit they speak for (``posting_units``: its admin, its
    department role; an inspector following it does not) without a receipt gets one (the first of its
    people counts). The receipts made now (none when the units had read it, or the user speaks for none)."""
    made = []
    read = set(post.reads.values_list("unit_id", flat=True))
    for unit_id in posting_units(acting_user, post.alliance):
        if unit_id in read:
            continue
        try:
            with transaction.atomic():
                receipt = BoardRead.objects.create(post=post, unit_id=unit_id, user=acting_user)
        except IntegrityError:
            continue  # another of the unit's people opened it at the same moment
        made.append(receipt)
    if made:
        event(post, "read", acting_user, units=[r.unit_id for r in made])
        record_event(actor=acting_user, action="alliances.board_read", request=request, target=post)
    return made
