"""What is rolled up: each app declares its groups of measures in its ``rollups.py`` (found by
discovery), with the function that recounts them from the source rows.

A group's ``recount(span, keys)`` answers ``(key, path, measure, value)`` rows for the place keys asked
(``None``: every key) in a fixed number of grouped queries however many keys. ``key`` is the place the
rows are filed under and marked by (``rollups.counting.mark_changed``); ``path`` is the area the count
lands in, the same as the key except for ``floating`` keys (``""``: rows with no place of their own,
counted where a rule sends them). ``per_period`` groups are counted for a span of days, and
``spans(today)`` names the periods the nightly rebuild counts ahead (this month, say).

    register(Group("people.members", ("members", "in_service"), recount_members))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.module_loading import autodiscover_modules

Span = tuple[date, date]
Row = tuple[str, str, str, int]
Recount = Callable[[Span | None, Sequence[str] | None], Iterable[Row]]


@dataclass(frozen=True)
class Group:
    """Measures counted together by one function, from one kind of source row."""

    name: str
    measures: tuple[str, ...]
    recount: Recount
    per_period: bool = False
    floating: tuple[str, ...] = ()
    spans: Callable[[date], list[Span]] = lambda today: []  # noqa: E731 (the periods rebuilt ahead)


_GROUPS: dict[str, Group] = {}
_discovered = False


def register(group: Group) -> Group:
    """Declare a group (once; two different groups of one name are a mistake)."""
    known = _GROUPS.get(group.name)
    if known is not None and known != group:
        raise ValueError(f"roll-up group {group.name!r} is registered twice")
    _GROUPS[group.name] = group
    return group


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("rollups")
        _discovered = True


def group(name: str) -> Group:
    """The registered group of that name."""
    _discover()
    return _GROUPS[name]


def groups() -> list[Group]:
    """Every registered group."""
    _discover()
    return list(_GROUPS.values())
