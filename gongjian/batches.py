"""Doing one action per item of a batch (confirm the ticked check-ins, the ticked service records): each
item is still its own audited action, in its own transaction (the action's ``@transaction.atomic``, a
savepoint inside an outer one), so a refusal stays that item's and the others go through; then the
one message that says what happened: "N confirmed, M refused: who: why; …".

    outcomes = run_each(records, lambda r: confirm_as_organiser(acting_user=user, record=r), label_of)
    outcomes += not_found(missing)
    flash(request, outcomes)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gongjian.refusals import refusal_message

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """What became of one item: done, or refused with the action's own words. ``public_id`` is the
    item's (or the id asked for, when nothing was found); ``label`` names it for the person who asked."""

    public_id: UUID
    label: str
    ok: bool
    message: str


def split_found(found: Iterable[Any], asked: Sequence[UUID]) -> tuple[list[Any], list[UUID]]:
    """The objects ``found`` (by ``public_id``) in the order ``asked``, without repeats, and the ids
    asked for that are not among them."""
    by_id = {obj.public_id: obj for obj in found}
    wanted = list(dict.fromkeys(asked))
    return [by_id[i] for i in wanted if i in by_id], [i for i in wanted if i not in by_id]


def run_each(items: Iterable[T], action: Callable[[T], object], label: Callable[[T], str]) -> list[Outcome]:
    """Call ``action(item)`` for each item; a ValidationError or PermissionDenied is that item's outcome."""
    outcomes = []
    for item in items:
        public_id = getattr(item, "public_id")  # noqa: B009 — every batched model has one
        try:
            action(item)
        except (ValidationError, PermissionDenied) as exc:
            outcomes.append(Outcome(public_id, label(item), False, refusal_message(exc)))
        else:
            outcomes.append(Outcome(public_id, label(item), True, _("Confirmed.")))
    return outcomes


def not_found(public_ids: Iterable[UUID]) -> list[Outcome]:
    """The outcomes of ids that are not among the caller's objects (missing or out of scope alike)."""
    return [Outcome(public_id, "", False, _("Not found.")) for public_id in public_ids]


def summary(outcomes: Sequence[Outcome]) -> str:
    """ "N confirmed." or "N confirmed, M refused: label: why; …"."""
    done = sum(o.ok for o in outcomes)
    refused = [o for o in outcomes if not o.ok]
    if not refused:
        return _("%(confirmed)d confirmed.") % {"confirmed": done}
    return _("%(confirmed)d confirmed, %(refused)d refused: %(details)s") % {
        "confirmed": done,
        "refused": len(refused),
        "details": "; ".join(f"{o.label or o.public_id}: {o.message}" for o in refused),
    }


def flash(request: HttpRequest, outcomes: Sequence[Outcome]) -> None:
    """The summary as the page's message: a success when nothing was refused, else a warning."""
    text = summary(outcomes)
    if all(o.ok for o in outcomes):
        messages.success(request, text)
    else:
        messages.warning(request, text)
