"""The city keeps its case categories in the admin (deadlines, time to accept, default handler); cases
themselves change only through cases.actions, so the admin shows them read-only."""

from django.contrib import admin

from audit.admin import AuditedModelAdmin
from cases.models import Case, CaseCategory


@admin.register(CaseCategory)
class CaseCategoryAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "parent", "deadline_days", "accept_days", "default_handler", "active"]
    list_filter = ["active", "parent"]
    search_fields = ["name", "code", "keywords"]
    autocomplete_fields = ["default_handler"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "state", "holder_level", "reported_at", "due_at"]
    list_filter = ["state", "source", "holder_level"]
    search_fields = ["number", "title"]
    exclude = ["reporter_phone_cipher"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
