"""What every page does the same way: page through a list, look an object up by its public id through
the user's scope, and run an action, turning a refusal into a message for the person who tried.

    checkin = get_visible_or_404(CheckIn.objects.select_related("member"), request.user, public_id)
    done = run_action(request, actions.confirm_checkin, checkin=checkin, success=_("Confirmed."))
    context["pending"] = paginate(request, rows, param="p1")   # {% include "parts/pager.html" with pager=pending only %}
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, Page
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext as _
from django_tables2.paginators import LazyPaginator

from gongjian.counting import COUNT_CAP, bounded_count
from gongjian.refusals import refusal_message

if TYPE_CHECKING:
    from django.forms import BaseForm

    from accounts.models import User

M = TypeVar("M", bound=Model)
T = TypeVar("T")

PER_PAGE = 50


class AuthedRequest(HttpRequest):
    """A request that passed ``role_required`` or ``login_required``, so its user is signed in.

    Only for annotations (django-stubs' advice): ``def view(request: AuthedRequest)`` lets a type
    checker pass ``request.user`` as an action's ``acting_user``.
    """

    user: User


# --- paging ---------------------------------------------------------------------------------------


class CappedPaginator(LazyPaginator):
    """Pages of a list that may hold millions of rows, without counting them all.

    A page is fetched with one row more, which says whether a next page exists (django-tables2's
    LazyPaginator). The total is ``total`` when the caller knows it cheaply and exactly (a hook for the
    roll-up counters of an unfiltered list), else counted up to ``cap`` (``bounded_count``):
    ``count_exact`` says which, ``total_label`` shows it ("1,234" or "1,000+"), and ``num_pages`` is
    the last page when the count is exact, else the pages known so far.
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *,
        cap: int | None = None,
        total: int | None = None,
        **kwargs: Any,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.total = total

    @cached_property
    def count(self) -> int:
        if self.total is not None:
            return self.total
        items = self.object_list
        # django-tables2 hands its rows; count the queryset beneath them.
        rows = getattr(getattr(items, "data", None), "data", None)
        return bounded_count(rows if isinstance(rows, QuerySet) else items, self.cap)

    @property
    def count_exact(self) -> bool:
        return self.total is not None or self.count <= self.cap

    @property
    def total_label(self) -> str:
        """The total as a page shows it: exact with thousands separators, or the cap and a plus."""
        return f"{self.count:,}" if self.count_exact else f"{self.cap:,}+"

    @property
    def num_pages(self) -> int:
        if self.count_exact:
            return max(1, -(-self.count // self.per_page))
        return self._num_pages or 1

    @property
    def last_page(self) -> int | None:
        """The number of the last page, when it is known."""
        return self.num_pages if self.count_exact else None

    def is_last_page(self, number: int) -> bool:
        return number == self.num_pages if self.count_exact else super().is_last_page(number)

    def get_page(self, number: Any) -> Page:
        """As Django's, and past the end of a list whose length is not known: the first page."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(1)

    def validate_number(self, number: Any) -> int:
        number = super().validate_number(number)
        if self.count_exact and number > self.num_pages and number > 1:
            raise EmptyPage(_("That page contains no results"))
        return number


class Pager(TypedDict):
    """One page of a list, and what a pager needs to link the others: the query parameter holding the
    page number, and the rest of the query string, so filters and other pagers on the page survive.
    (A dict, so templates and tests read ``pager.page`` and ``pager["page"]`` alike.)"""

    page: Page[Any]
    param: str
    query: str


def paginate(
    request: HttpRequest,
    items: Any,
    *,
    param: str = "page",
    per_page: int = PER_PAGE,
    total: int | None = None,
) -> Pager:
    """The page of ``items`` that ``?<param>=`` asks for (the first or last page if it is out of range),
    never counting more than ``COUNT_CAP`` rows to draw it (``CappedPaginator``; ``total``: an exact
    count known cheaply, e.g. from roll-ups)."""
    page = CappedPaginator(items, per_page, total=total).get_page(request.GET.get(param))
    others = request.GET.copy()
    others.pop(param, None)
    return Pager(page=page, param=param, query=others.urlencode())


# --- looking objects up by public id --------------------------------------------------------------


def public_id_or_404(value: object) -> uuid.UUID:
    """A public id from a URL or a form field; anything that is not a UUID is simply not found."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def parse_uuids(values: Iterable[object]) -> list[uuid.UUID]:
    """The values that are UUIDs (a multiple choice posted by a page), the others dropped."""
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def lookup_or_404(queryset: QuerySet[M], public_id: object) -> M:
    """The object with this public id in an already scoped ``queryset``; 404 if it is not there."""
    return get_object_or_404(queryset, public_id=public_id_or_404(public_id))


def get_visible_or_404(source: type[M] | QuerySet[M], user: Any, public_id: object) -> M:
    """The object with this public id among those ``user`` may see, through the model's one door,
    ``visible_to(user)``. Missing, outside the scope or not even a UUID: all three are the same 404.

    ``source`` is the model, or a queryset of it with the joins the page needs (not yet scoped).
    """
    queryset: Any = source._default_manager.all() if isinstance(source, type) else source
    return lookup_or_404(queryset.visible_to(user), public_id)


def chosen_or_only(request: HttpRequest, queryset: QuerySet[M], param: str) -> M | None:
    """The object named by ``?<param>=<public id>`` in ``queryset`` (404 if not there); without the
    parameter, the only object of ``queryset``, or None when there are several to choose from."""
    wanted = request.GET.get(param)
    if wanted:
        return lookup_or_404(queryset, wanted)
    choices = list(queryset[:2])
    return choices[0] if len(choices) == 1 else None


# --- running an action ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What became of an action: done, with its result, or refused, with the message to show."""

    ok: bool
    result: T | None = None
    refusal: str = ""


def run_action(
    request: HttpRequest,
    action: Callable[..., T],
    /,
    *,
    success: str | Promise | Callable[[T], str] = "",
    form: BaseForm | None = None,
    field: str | None = None,
    flash_refusal: bool = True,
    **arguments: Any,
) -> Outcome[T]:
    """Call ``action(acting_user=request.user, request=request, **arguments)``.

    Done: ``success`` (a text, or a function of the action's result) is flashed. Refused
    (ValidationError or PermissionDenied): the action's own words (``refusal_message``) go onto
    ``form`` at ``field`` (None: above the fields) when a form is given, else they are flashed as an
    error, unless ``flash_refusal`` is off because the page shows them itself. Either way the caller
    decides where to go next from ``Outcome.ok``.
    """
    try:
        result = action(acting_user=request.user, request=request, **arguments)
    except (ValidationError, PermissionDenied) as exc:
        message = refusal_message(exc)
        if form is not None:
            form.add_error(field, message)
        elif flash_refusal:
            messages.error(request, message)
        return Outcome(ok=False, refusal=message)
    text = success if isinstance(success, str | Promise) else success(result)
    if text:
        messages.success(request, str(text))
    return Outcome(ok=True, result=result)
