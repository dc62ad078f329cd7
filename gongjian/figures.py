"""Every figure the product shows about an area, defined once: its name, what it counts (who is counted,
as of when), how it is counted and which list it opens onto.

An app that owns a figure defines it in its ``figures.py``: a :class:`Definition` and one counting
function per group of figures that one grouped query answers, registered with ``@counts(...)``. The
function takes the user, the areas (an area and its children, say) and the day the figures are as of,
and answers ``{area.pk: {key: value}}`` in a fixed number of queries however many areas. The home page,
the area page, the reconciliation page and the exports ask :func:`area_figures` (or the app's own
function behind it), so a figure has one value wherever it appears; docs/FIGURES.md lists them.

    define(Definition("in_service", _("In-service members"), _("…who is counted…"), url=...))

    @counts("in_service", "reported", "rate")
    def check_in_figures(user, areas, on): ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Counter = Callable[[Any, Sequence[Any], date], dict[int, dict[str, Any]]]


@dataclass(frozen=True)
class Definition:
    """A figure: ``key``, its label, what it counts, and the list behind it for an area as a user may
    open it (``url(user, area)``, empty when there is none or the user may not open it). ``percent``
    figures are rates shown with a % sign (``None`` = nobody to count)."""

    key: str
    label: StrOrPromise
    means: StrOrPromise
    url: Callable[[Any, Any], str] | None = None
    percent: bool = False


@dataclass(frozen=True)
class Shown:
    """A figure's value for one area, with its definition and the link to its records."""

    definition: Definition
    value: Any
    url: str

    @property
    def key(self) -> str:
        return self.definition.key


_DEFINITIONS: dict[str, Definition] = {}
_COUNTERS: list[tuple[tuple[str, ...], Counter]] = []
_discovered = False


def define(definition: Definition) -> Definition:
    """Register a figure's definition (once; a second definition of one key is a mistake)."""
    known = _DEFINITIONS.get(definition.key)
    if known is not None and known != definition:
        raise ValueError(f"figure {definition.key!r} is defined twice")
    _DEFINITIONS[definition.key] = definition
    return definition


def counts(*keys: str) -> Callable[[Counter], Counter]:
    """Register the function that counts the figures ``keys`` for a list of areas."""

    def register(counter: Counter) -> Counter:
        if all(counter is not known for _, known in _COUNTERS):
            _COUNTERS.append((keys, counter))
        return counter

    return register


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("figures")
        _discovered = True


def definitions() -> dict[str, Definition]:
    """Every figure's definition, by key."""
    _discover()
    return dict(_DEFINITIONS)


def _url(definition: Definition, user: Any, area: Any) -> str:
    return definition.url(user, area) if definition.url is not None else ""


def area_figures(
    user: Any, areas: Iterable[Any], keys: Sequence[str], *, on: date | None = None
) -> dict[int, list[Shown]]:
    """The figures ``keys`` of each area, in the order asked, each with its link; only the counting
    functions that answer one of ``keys`` run."""
    _discover()
    areas = list(areas)
    on = on or timezone.localdate()
    values: dict[int, dict[str, Any]] = {area.pk: {} for area in areas}
    for answered, counter in _COUNTERS:
        if areas and set(answered) & set(keys):
            for pk, found in counter(user, areas, on).items():
                values[pk].update(found)
    missing = [key for key in keys if key not in _DEFINITIONS]
    if missing:
        raise KeyError(f"no figure defined for {missing}")
    return {
        area.pk: [
            Shown(
                _DEFINITIONS[key],
                values[area.pk].get(key),
                _url(_DEFINITIONS[key], user, area),
            )
            for key in keys
        ]
        for area in areas
    }
