"""People in the admin: the registries are edited through the pages and the roster import (which
validate and seal ID and phone numbers); here platform administrators browse them, masked."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedModelAdmin
from people.models import Applicant, CommercialBuilding, Member, Resident, TradeUnion, YouthLeagueOrg


class MaskedPersonAdmin(AuditedModelAdmin):
    search_fields = ["name", "name_initials"]

    @admin.display(description=_("ID number"))
    def id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("phone"))
    def phone(self, obj):
        return obj.masked_phone

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(MaskedPersonAdmin):
    list_display = [
        "name",
        "id_number",
        "phone",
        "unit",
        "party_org",
        "residence_area",
        "in_service",
        "status",
    ]
    list_filter = ["status", "in_service"]
    list_select_related = ["unit", "party_org", "residence_area"]


@admin.register(Resident)
class ResidentAdmin(MaskedPersonAdmin):
    list_display = ["name", "phone", "residence_area"]
    list_select_related = ["residence_area"]


@admin.register(Applicant)
class ApplicantAdmin(MaskedPersonAdmin):
    list_display = ["name", "stage", "applied_on", "party_org"]
    list_filter = ["stage"]


@admin.register(CommercialBuilding, TradeUnion, YouthLeagueOrg)
class RegistryAdmin(AuditedModelAdmin):
    list_display = ["name", "area"]
    search_fields = ["name"]
    autocomplete_fields = ["area", "unit"]
