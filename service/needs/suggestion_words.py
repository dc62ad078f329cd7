"""The reasons of a suggestion (service/needs/suggestions.py) in plain words: each fact the scoring
found about a candidate ("same building", "2 tasks open"…) turned into the sentence the board shows.
Only the few candidates shown have their facts put into words."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from checkin.models import VanguardKind
from service.models import Resource

# --- the facts in words ---------------------------------------------------------------------------


def _focus_label(kind: str) -> str:
    return str(VanguardKind(kind).label) if kind in VanguardKind.values else kind


def _quantity(value) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _load(n: int) -> str:
    if n == 0:
        return _("No open tasks")
    return ngettext("%(n)d task open", "%(n)d tasks open", n) % {"n": n}


def _rated(average: float, n: int, unit: bool) -> str:
    values = {"score": average, "n": n}
    if unit:
        return _("Its members rated %(score).1f (%(n)d)") % values
    return _("Rated %(score).1f (%(n)d)") % values


def _recent(ctx, n: int, unit: bool) -> str:
    values = {"item": ctx.category.name, "n": n}
    if unit:
        return (
            ngettext(
                "%(n)d service of %(item)s by its members in the last 6 months",
                "%(n)d services of %(item)s by its members in the last 6 months",
                n,
            )
            % values
        )
    return (
        ngettext(
            "%(n)d service of %(item)s in the last 6 months",
            "%(n)d services of %(item)s in the last 6 months",
            n,
        )
        % values
    )


def _resource(ctx, r: Resource) -> str:
    return _("%(unit)s: %(title)s (%(kind)s)") % {
        "unit": r.unit.name,
        "title": r.title,
        "kind": r.get_kind_display(),
    }


WORDS: dict[str, Callable[..., str]] = {
    "skills": lambda ctx, target, words: _("Skills: %(skills)s") % {"skills": "、".join(words)},
    "signed_up": lambda ctx, target, kind: _("Signed up for %(focus)s") % {"focus": _focus_label(kind)},
    "building": lambda ctx, target: _("Same building"),
    "compound": lambda ctx, target: _("Same compound"),
    "grid": lambda ctx, target: _("Same grid"),
    "lives": lambda ctx, target: _("Lives in %(community)s") % {"community": ctx.need.community.name},
    "reports": lambda ctx, target: _("Reports to %(community)s") % {"community": ctx.need.community.name},
    "team": lambda ctx, target: _("Team of %(community)s") % {"community": ctx.need.community.name},
    "focus": lambda ctx, target, kind: _("Focus: %(focus)s") % {"focus": _focus_label(kind)},
    "size": lambda ctx, target, n: ngettext("%(n)d member", "%(n)d members", n) % {"n": n},
    "resource": lambda ctx, target: _resource(ctx, target),
    "filed": lambda ctx, target: _("Filed under %(category)s") % {"category": target.category.name},
    "offered": lambda ctx, target: _("Offered to %(community)s") % {"community": ctx.need.community.name},
    "paired": lambda ctx, target: _("Paired with %(community)s") % {"community": ctx.need.community.name},
    "located": lambda ctx, target: _("Located in %(community)s") % {"community": ctx.need.community.name},
    "available": lambda ctx, target: (
        _("%(quantity)s %(measure)s available")
        % {"quantity": _quantity(target.quantity), "measure": target.measure}
    ),
    "load": lambda ctx, target, n: _load(n),
    "rated": lambda ctx, target, average, n, unit: _rated(average, n, unit),
    "recent": lambda ctx, target, n, unit: _recent(ctx, n, unit),
}
