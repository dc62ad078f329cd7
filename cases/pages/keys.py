"""Open311 API keys (cases/open311.py), kept by the platform administrator: the list (system, prefix,
area, created, last used, revoked), a new key — its raw value shown once, on the page that made it, and
never again (only its hash is kept) — and revoking one. Each change is an action of cases/actions.py,
audited there."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from cases import keys
from cases.models import Open311Key
from gongjian.pickers import PickerSelect
from gongjian.refusals import refusal_message
from places.models import Area


class KeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("System"),
        max_length=64,
        help_text=gettext_lazy("The system that will file cases with the key, e.g. the 12345 hotline."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    area = forms.ModelChoiceField(
        queryset=Area.objects.order_by("path"),
        to_field_name="public_id",
        label=gettext_lazy("May file in"),
        help_text=gettext_lazy("A street or community lets the system file without naming the place."),
        widget=PickerSelect("areas", attrs={"class": "form-select"}),
    )


def _page(
    request: HttpRequest, form: KeyForm, *, raw_key: str = "", made=None, status: int = 200
) -> HttpResponse:
    keys = Open311Key.objects.select_related("area", "created_by").order_by("revoked_at", "name", "id")
    context = {"form": form, "keys": keys, "raw_key": raw_key, "made": made}
    return render(request, "cases/keys.html", context, status=status)


@role_required(Role.PLATFORM_ADMIN)
def key_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, KeyForm())
    form = KeyForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        key, raw = keys.create_open311_key(
            acting_user=request.user,
            name=form.cleaned_data["name"],
            area=form.cleaned_data["area"],
            request=request,
        )
    except (ValidationError, PermissionDenied) as exc:
        form.add_error(None, refusal_message(exc))
        return _page(request, form, status=400)
    # Shown once, on this page only: a reload does not post again, and nothing keeps the raw key.
    return _page(request, KeyForm(), raw_key=raw, made=key)


@require_POST
@role_required(Role.PLATFORM_ADMIN)
def key_revoke(request: HttpRequest, public_id) -> HttpResponse:
    key = get_object_or_404(Open311Key, public_id=public_id)
    keys.revoke_open311_key(acting_user=request.user, key=key, request=request)
    messages.success(
        request, _("The key of %(name)s is revoked: it files nothing more.") % {"name": key.name}
    )
    return redirect("cases:keys")


urlpatterns = [
    path("cases/open311-keys/", key_list, name="keys"),
    path("cases/open311-keys/<uuid:public_id>/revoke/", key_revoke, name="key_revoke"),
]
