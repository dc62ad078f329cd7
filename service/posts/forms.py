"""Input shape of the desk's service-post page: publishing a post. The rules live in
service/posts/actions.py."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from checkin.forms import PublicIdChoiceField
from places.models import Area
from service.forms import date_widget, style_form
from service.menu.choices import category_choices
from service.models import ServiceCategory


class PostForm(forms.Form):
    community = PublicIdChoiceField(Area.objects.none(), label=_("Community"), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=80)
    category = PublicIdChoiceField(ServiceCategory.objects.none(), label=_("Category"))
    schedule = forms.CharField(
        label=_("Schedule"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("For example: Saturdays 9:00–11:00")}),
    )
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=999, initial=5)
    starts_on = forms.DateField(label=pgettext_lazy("date range", "From"), widget=date_widget())
    ends_on = forms.DateField(
        label=pgettext_lazy("date range", "Until"),
        required=False,
        widget=date_widget(),
    )
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, communities, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("starts_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["category"].queryset = ServiceCategory.objects.active().items()
        self.fields["category"].widget.choices = category_choices()
        style_form(self)
