"""The unit table (django-tables2): sortable, paginated, light on small screens."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from orgs.models import Unit

_HIDE_SM = {"th": {"class": "gj-hide-sm"}, "td": {"class": "gj-hide-sm"}}
_NUM = {"th": {"class": "gj-num"}, "td": {"class": "gj-num"}}


class UnitTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"))
    kind = tables.Column(verbose_name=_("Kind"), attrs=_HIDE_SM)
    address_area = tables.Column(
        verbose_name=_("Located in"), attrs=_HIDE_SM, order_by=("address_area__path",)
    )
    member_count = tables.Column(verbose_name=_("Members"), attrs=_NUM)
    in_service_count = tables.Column(verbose_name=_("In service"), attrs=_NUM)

    class Meta:
        model = Unit
        fields = ("name", "kind", "address_area", "member_count", "in_service_count")
        attrs = {"class": "table table-sm table-hover bg-white mb-2"}
        empty_text = _("No units match these filters.")

    def render_name(self, value, record):
        """The name links to the unit; on a phone, kind and place follow under it (their columns hide)."""
        return format_html(
            '<a href="{}">{}</a><div class="small text-muted d-sm-none">{} · {}</div>',
            reverse("orgs:unit_detail", args=[record.public_id]),
            value,
            record.get_kind_display(),
            record.address_area.name,
        )
