"""What waits for a user: the to-do items every role's home starts with, fed by the apps.

Each app that gives people work keeps a ``work.py`` module with functions decorated ``@to_do``; each
takes the signed-in user and their scope and answers the items waiting for them (an item that counts
nothing is left out). The home page asks :func:`items_for`, which finds every app's module once, calls
each provider and orders what they answer: overdue first, then the longest waiting, then the most.
A capability adds its own work by adding its own ``work.py``; nothing here or in the home page changes.

    @to_do
    def checkins_to_confirm(user, scope):
        if Role.COMMUNITY not in scope.roles:
            return []
        waiting = CheckIn.objects.visible_to(user).filter(state=CheckInState.CERTIFIED)
        ...
        return [Item("checkin.confirm", _("Check-ins to confirm"), n, url, since=oldest)]

Providers read through ``visible_to`` and the rules of ``access`` like any page, with a fixed number
of queries each, so the home page costs the same for a community of 60 members and a city of two million.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Provider = Callable[[Any, Any], Iterable["Item"]]

_PROVIDERS: list[Provider] = []
_discovered = False


@dataclass(frozen=True)
class Item:
    """One kind of work waiting for the user: what it is, how many, where to do it, since when.

    ``key`` names the kind (``"<app>.<what>"``) for tests and the page's anchors; ``since`` is when the
    oldest of them started waiting (a date or a datetime); ``overdue`` puts it first and in red;
    ``note`` is one short line under the label (e.g. the oldest one's name)."""

    key: str
    label: StrOrPromise
    count: int
    url: str
    since: date | datetime | None = None
    overdue: bool = False
    note: StrOrPromise = ""

    @property
    def days_waiting(self) -> int | None:
        if self.since is None:
            return None
        since = self.since
        if isinstance(since, datetime):
            since = timezone.localtime(since).date()
        return max(0, (timezone.localdate() - since).days)


def to_do(provider: Provider) -> Provider:
    """Register a provider of to-do items (in an app's ``work.py``)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("work")
        _discovered = True


def providers() -> list[Provider]:
    """Every app's providers, in the order of INSTALLED_APPS."""
    _discover()
    return list(_PROVIDERS)


def _order(item: Item) -> tuple:
    waiting = item.days_waiting
    return (not item.overdue, -(waiting if waiting is not None else -1), -item.count, str(item.label))


def items_for(user: Any, scope: Any) -> list[Item]:
    """The work waiting for ``user``: overdue first, then the longest waiting, then the most."""
    found = [item for provider in providers() for item in provider(user, scope) if item.count > 0]
    return sorted(found, key=_order)
