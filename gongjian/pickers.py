"""Pickers: a form field choosing an area, a community, a unit or a party organisation from a set that
may be the whole city (6,000 communities) renders one page of options at most, never every object.

    unit = django_filters.ModelChoiceFilter(queryset=visible_units, widget=PickerSelect("units"), …)
    @picker("units")
    def visible_units(request): return Unit.objects.visible_to(request.user) if request else Unit.objects.none()

The source (a function of the request, the same one the field's queryset is) is registered under a
name; ``PickerSelect(name)`` renders:

- a plain ``<select>`` of every choice when the scope holds at most ``PAGE`` of them (a bounded
  query, ``LIMIT PAGE + 1``, decides);
- otherwise a search box above a ``<select>`` holding only the chosen option. Typing asks
  ``/pick/<name>/`` (htmx) for the first ``PAGE`` matches in the source, which replace the options.
  Without JavaScript the box is submitted with the form: one match is taken as the choice, several are
  offered in the select on the page that comes back, and the box keeps what was typed.

A match is a code beginning with the digits typed, pinyin initials (Latin letters; worked out here
for a scope of at most ``INITIALS_SCAN_MAX`` names, as no column stores them), or a name containing the
text. The source's queryset is the user's scope (``visible_to``), so the endpoint never shows an object
the form would not accept.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.module_loading import autodiscover_modules
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from gongjian.names import pinyin_initials

PAGE = 50
QUERY_MAX = 40
INITIALS_SCAN_MAX = 10_000

Source = Callable[[HttpRequest | None], QuerySet]


@dataclass(frozen=True)
class Picker:
    name: str
    source: Source
    label: Callable[[Any], str] = str
    public: bool = False  # asked by people not signed in (public registration): public names only


_PICKERS: dict[str, Picker] = {}


def picker(
    name: str, *, label: Callable[[Any], str] = str, public: bool = False
) -> Callable[[Source], Source]:
    """Register a field's choices (a function of the request giving a scoped queryset) as picker
    ``name``; ``label`` names an option as the field does; ``public``: answered without signing in."""

    def register(source: Source) -> Source:
        _PICKERS[name] = Picker(name=name, source=source, label=label, public=public)
        return source

    return register


def registered(name: str) -> Picker | None:
    """The picker called ``name`` (the forms and filters that register them imported, if not yet)."""
    if name not in _PICKERS:
        autodiscover_modules("filters", "forms")
    return _PICKERS.get(name)


def clean_text(raw: str) -> str:
    """What was typed, trimmed, printable characters only (PostgreSQL refuses a NUL), at most 40."""
    return "".join(ch for ch in raw if ch.isprintable()).strip()[:QUERY_MAX]


@lru_cache(maxsize=65536)
def _initials(name: str) -> str:
    return pinyin_initials(name)


def _has_field(model: type[Model], name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())


def search(queryset: QuerySet, text: str) -> QuerySet:
    """The objects of ``queryset`` matching ``text``: a code beginning with it (digits), pinyin
    initials (Latin letters), or a name containing it; all of them for no text."""
    text = clean_text(text)
    if not text:
        return queryset
    model = queryset.model
    codes = [name for name in ("code", "credit_code") if _has_field(model, name)]
    if text.isdigit() and codes:
        wanted = Q()
        for name in codes:
            wanted |= Q(**{f"{name}__startswith": text})
        return queryset.filter(wanted)
    by_name = Q(name__icontains=text)
    if text.isascii() and text.isalpha():
        if codes:
            by_name |= Q(**{f"{codes[0]}__istartswith": text})  # a credit code begins with letters too
        if _has_field(model, "name_initials"):
            return queryset.filter(by_name | Q(name_initials__startswith=text.lower()))
        names = list(queryset.order_by().values_list("pk", "name")[: INITIALS_SCAN_MAX + 1])
        if len(names) <= INITIALS_SCAN_MAX:
            lowered = text.lower()
            by_name |= Q(pk__in=[pk for pk, name in names if lowered in _initials(name)])
    return queryset.filter(by_name)


def _parse_choice(field: forms.ModelChoiceField, value: Any) -> Any:
    """A submitted value as the field's key, or None when it cannot be one (not a UUID, say)."""
    key = field.to_field_name or "pk"
    if key == "public_id":
        try:
            return uuid.UUID(str(value))
        except ValueError:
            return None
    return value


class PickerSelect(forms.Select):
    """A select that never lists more than ``PAGE`` options; see the module's docstring."""

    template_name = "parts/picker.html"

    def __init__(self, name: str | None = None, attrs: dict | None = None) -> None:
        """``name``: the registered source the search box asks as one types; without one (a form whose
        choices are no function of the request alone) the box is resolved when the form is sent."""
        super().__init__(attrs)
        self.picker_name = name
        self.typed = ""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        """Rendered by the site's template engine (the form renderer's does not see templates/)."""
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308

    def _field_and_queryset(self) -> tuple[forms.ModelChoiceField, QuerySet] | None:
        choices = self.choices
        if isinstance(choices, ModelChoiceIterator):
            return choices.field, choices.queryset
        return None

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        picked = super().value_from_datadict(data, files, name)
        self.typed = clean_text(data.get(f"{name}_find") or "")
        bound = self._field_and_queryset()
        if self.typed and not picked and bound is not None:
            field, queryset = bound
            found = list(search(queryset, self.typed)[:2])
            if len(found) == 1:  # typed without JavaScript, and only one answers: that is the choice
                return field.prepare_value(found[0])
        return picked

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        bound = self._field_and_queryset()
        if bound is None:
            return super().get_context(name, value, attrs)
        field, queryset = bound
        first = list(queryset[: PAGE + 1])
        searchable = len(first) > PAGE
        if not searchable:
            shown = first
        elif self.typed and not value:
            shown = list(search(queryset, self.typed)[:PAGE])
        else:
            keys = [key for key in (_parse_choice(field, v) for v in self.format_value(value)) if key]
            shown = list(queryset.filter(**{f"{field.to_field_name or 'pk'}__in": keys})) if keys else []
        options: list[tuple[Any, Any]] = [] if field.empty_label is None else [("", field.empty_label)]
        options += [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in shown]
        plain = copy.copy(self)
        plain.choices = options
        context = forms.Select.get_context(plain, name, value, attrs)
        context["widget"].update(
            searchable=searchable,
            typed=self.typed,
            search_url=""
            if self.picker_name is None
            else reverse("picker_options", args=[self.picker_name])
            + "?"
            + urlencode({"field": name, "empty": "" if field.empty_label is None else field.empty_label}),
        )
        return context


@require_GET
def picker_options(request: HttpRequest, name: str) -> HttpResponse:
    """htmx: the options of picker ``name`` matching what was typed, the first ``PAGE`` of them, in the
    user's scope (the source is ``visible_to``-based: nothing outside it is ever listed). Signed-in
    users only, but for the public pickers (the communities of public registration)."""
    found = registered(name)
    if found is None:
        raise Http404
    if not found.public and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    field = request.GET.get("field", "")
    text = request.GET.get(f"{field}_find", "") if field else ""
    rows = list(search(found.source(request), text)[: PAGE + 1])
    return render(
        request,
        "parts/picker_options.html",
        {
            "rows": [(row.public_id, found.label(row)) for row in rows[:PAGE]],
            "more": len(rows) > PAGE,
            "empty": request.GET.get("empty", "")[:QUERY_MAX],
        },
    )
