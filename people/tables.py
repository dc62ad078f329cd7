"""Tables for the people pages (django-tables2). Lists always show masked numbers, never decrypt."""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from people.models import (
    Applicant,
    ApplicantStage,
    CommercialBuilding,
    Member,
    MemberTransfer,
    Resident,
    TradeUnion,
    YouthLeagueOrg,
)

if TYPE_CHECKING:
    from places.models import Building

# Secondary columns disappear on narrow phones (see static/css/gongjian.css).
SECONDARY = {"th": {"class": "gj-hide-sm"}, "td": {"class": "gj-hide-sm"}}
NUMERIC = {"th": {"class": "gj-num"}, "td": {"class": "gj-num"}}
NUMERIC_SECONDARY = {"th": {"class": "gj-num gj-hide-sm"}, "td": {"class": "gj-num gj-hide-sm"}}
STAGES = list(ApplicantStage.values)


def _link(viewname: str, record, text) -> str:
    return format_html('<a href="{}">{}</a>', reverse(viewname, args=[record.public_id]), text)


def _masked(value: str) -> str:
    return format_html('<span class="gj-masked">{}</span>', value) if value else "—"


def stage_badge(stage: str, label) -> str:
    """The applicant's stage as a step badge: "2/5 Activist"."""
    step = STAGES.index(stage) + 1 if stage in STAGES else 0
    colour = "text-bg-success" if stage == ApplicantStage.FULL else "text-bg-primary"
    return format_html(
        '<span class="badge {}"><span class="opacity-75">{}/{}</span> {}</span>',
        colour,
        step,
        len(STAGES),
        label,
    )


class IntColumn(tables.Column):
    """A count, right-aligned with thousands separators."""

    def render(self, value):
        return intcomma(value)


class PeopleTable(tables.Table):
    """Shared options: compact, hoverable, plain empty text."""

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle mb-2 bg-white"}
        empty_text = _("Nothing matches.")


class MemberTable(PeopleTable):
    name = tables.Column(verbose_name=_("Full name"), order_by=("name_initials",))
    gender = tables.Column(verbose_name=_("Gender"), attrs=SECONDARY)
    phone = tables.Column(verbose_name=_("Phone"), accessor="phone_hint", orderable=False)
    unit = tables.Column(verbose_name=_("Unit"), attrs=SECONDARY, order_by=("unit__name",))
    party_org = tables.Column(
        verbose_name=_("Party organisation"), attrs=SECONDARY, order_by=("party_org__name",)
    )
    residence_area = tables.Column(
        verbose_name=_("Community of residence"), attrs=SECONDARY, order_by=("residence_area__path",)
    )
    in_service = tables.Column(verbose_name=_("In service"))
    status = tables.Column(verbose_name=_("Status"), attrs=SECONDARY)

    class Meta(PeopleTable.Meta):
        model = Member
        fields = ("name", "gender", "phone", "unit", "party_org", "residence_area", "in_service", "status")
        empty_text = _("No members match.")

    def render_name(self, record: Member, value):
        return _link("people:member_detail", record, value)

    def render_phone(self, record: Member):
        return _masked(record.masked_phone)

    def render_in_service(self, value: bool):
        if value:
            return format_html('<span class="badge text-bg-danger">{}</span>', _("In service"))
        return format_html('<span class="badge text-bg-light border">{}</span>', _("Not in service"))


class ResidentTable(PeopleTable):
    name = tables.Column(verbose_name=_("Full name"), order_by=("name_initials",))
    gender = tables.Column(verbose_name=_("Gender"), attrs=SECONDARY)
    phone = tables.Column(verbose_name=_("Phone"), accessor="phone_hint", orderable=False)
    residence_area = tables.Column(verbose_name=_("Community"), order_by=("residence_area__path",))
    residence_building = tables.Column(verbose_name=_("Building"), attrs=SECONDARY, orderable=False)

    class Meta(PeopleTable.Meta):
        model = Resident
        fields = ("name", "gender", "phone", "residence_area", "residence_building")
        empty_text = _("No residents match.")

    def render_name(self, record: Resident, value):
        return _link("people:resident_detail", record, value)

    def render_phone(self, record: Resident):
        return _masked(record.masked_phone)

    def render_residence_building(self, record: Resident, value: Building):
        return f"{record.residence_compound.name if record.residence_compound else ''} {value.name}"


class ApplicantTable(PeopleTable):
    name = tables.Column(verbose_name=_("Full name"), order_by=("name_initials",))
    gender = tables.Column(verbose_name=_("Gender"), attrs=SECONDARY)
    stage = tables.Column(verbose_name=_("Stage"))
    applied_on = tables.DateColumn(verbose_name=_("Applied on"), format="Y-m-d", attrs=SECONDARY)
    party_org = tables.Column(
        verbose_name=_("Party organisation"), attrs=SECONDARY, order_by=("party_org__name",)
    )
    area = tables.Column(verbose_name=_("Area"), attrs=SECONDARY, order_by=("area__path",))

    class Meta(PeopleTable.Meta):
        model = Applicant
        fields = ("name", "gender", "stage", "applied_on", "party_org", "area")
        empty_text = _("No applicants match.")

    def render_name(self, record: Applicant, value):
        return _link("people:applicant_detail", record, value)

    def render_stage(self, record: Applicant):
        return stage_badge(record.stage, record.get_stage_display())


class RegistryTable(PeopleTable):
    """A registry kept by the area: the name opens the entry's form; a retired entry says so."""

    kind = ""  # people.registries.REGISTRY_KINDS key

    def render_name(self, record, value):
        link = format_html(
            '<a href="{}">{}</a>', reverse("people:registry_edit", args=[self.kind, record.public_id]), value
        )
        if record.retired_on is None:
            return link
        return format_html(
            '{} <span class="badge text-bg-light border">{}</span>',
            link,
            _("retired %(on)s") % {"on": record.retired_on.isoformat()},
        )


class CommercialBuildingTable(RegistryTable):
    kind = "commercial_building"
    name = tables.Column(verbose_name=_("Name"))
    area = tables.Column(verbose_name=_("Area"), attrs=SECONDARY, order_by=("area__path",))
    party_org = tables.Column(
        verbose_name=_("Party organisation"), attrs=SECONDARY, default="—", order_by=("party_org__name",)
    )
    floors = IntColumn(verbose_name=_("Floors"), attrs=NUMERIC_SECONDARY)
    tenant_count = IntColumn(verbose_name=_("Tenant firms"), attrs=NUMERIC)
    member_count = IntColumn(verbose_name=_("Members working here"), attrs=NUMERIC)

    class Meta(PeopleTable.Meta):
        model = CommercialBuilding
        fields = ("name", "area", "party_org", "floors", "tenant_count", "member_count")
        empty_text = _("No commercial buildings match.")


class TradeUnionTable(RegistryTable):
    kind = "trade_union"
    name = tables.Column(verbose_name=_("Name"))
    area = tables.Column(verbose_name=_("Area"), attrs=SECONDARY, order_by=("area__path",))
    unit = tables.Column(verbose_name=_("Unit"), attrs=SECONDARY, default="—", order_by=("unit__name",))
    chair_name = tables.Column(verbose_name=_("Chair"), attrs=SECONDARY, default="—")
    member_count = IntColumn(verbose_name=_("Members"), attrs=NUMERIC)

    class Meta(PeopleTable.Meta):
        model = TradeUnion
        fields = ("name", "area", "unit", "chair_name", "member_count")
        empty_text = _("No trade unions match.")


class YouthLeagueOrgTable(RegistryTable):
    kind = "youth_league_org"
    name = tables.Column(verbose_name=_("Name"))
    area = tables.Column(verbose_name=_("Area"), attrs=SECONDARY, order_by=("area__path",))
    unit = tables.Column(verbose_name=_("Unit"), attrs=SECONDARY, default="—", order_by=("unit__name",))
    secretary_name = tables.Column(verbose_name=_("Secretary"), attrs=SECONDARY, default="—")
    member_count = IntColumn(verbose_name=_("League members"), attrs=NUMERIC)

    class Meta(PeopleTable.Meta):
        model = YouthLeagueOrg
        fields = ("name", "area", "unit", "secretary_name", "member_count")
        empty_text = _("No youth league organisations match.")


class TransferTable(PeopleTable):
    member = tables.Column(verbose_name=_("Full name"), accessor="member__name", order_by=("member__name",))
    from_org = tables.Column(verbose_name=_("From"), attrs=SECONDARY, order_by=("from_org__name",))
    to_org = tables.Column(verbose_name=_("To"), order_by=("to_org__name",))
    state = tables.Column(verbose_name=_("State"))
    started_at = tables.DateColumn(verbose_name=_("Started"), format="Y-m-d", attrs=SECONDARY)

    class Meta(PeopleTable.Meta):
        model = MemberTransfer
        fields = ("member", "from_org", "to_org", "state", "started_at")
        empty_text = _("No transfers match.")

    def render_member(self, record: MemberTransfer, value):
        return _link("people:transfer_detail", record, value)
