"""Check-ins in the admin: browse and audit; state changes go through the pages and the API, which
call the actions (the ledger of events must stay consistent)."""

from django.contrib import admin

from audit.admin import AuditedModelAdmin
from checkin.models import Certificate, CheckIn, CheckInEvent, Team, TeamMembership, UnitPairing


@admin.register(UnitPairing)
class UnitPairingAdmin(AuditedModelAdmin):
    list_display = ["unit", "community", "started_on", "ended_on"]
    search_fields = ["unit__name", "community__name"]
    autocomplete_fields = ["unit", "community"]


class CheckInEventInline(admin.TabularInline):
    model = CheckInEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "from_state", "to_state", "actor", "reason", "via")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CheckIn)
class CheckInAdmin(AuditedModelAdmin):
    list_display = ["member", "unit", "community", "rule", "state", "submitted_at", "confirmed_at"]
    list_filter = ["state", "rule"]
    search_fields = ["member__name", "unit__name", "community__name"]
    list_select_related = ["member", "unit", "community"]
    inlines = [CheckInEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(AuditedModelAdmin):
    list_display = ["serial", "checkin", "party_org", "issued_at", "revoked_at"]
    search_fields = ["serial"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["member"]


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ["name", "community", "kind", "vanguard_kind"]
    search_fields = ["name"]
    autocomplete_fields = ["community"]
    inlines = [TeamMembershipInline]
