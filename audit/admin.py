"""Admin: every change made through the Django admin is also written to the audit log; the audit
log itself is read-only there."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.actions import record_event
from audit.labels import action_label
from audit.models import AuditEvent


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose additions, changes and deletions land in the audit log."""

    def log_addition(self, request, obj, message):
        record_event(
            actor=request.user,
            action="admin.add",
            target=obj,
            request=request,
            detail={"message": str(message)[:500]},
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        record_event(
            actor=request.user,
            action="admin.change",
            target=obj,
            request=request,
            detail={"message": str(message)[:500]},
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            record_event(actor=request.user, action="admin.delete", target=obj, request=request)
        return super().log_deletions(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action_words", "action", "target_label", "ip_address", "outcome"]
    list_filter = ["outcome", "action"]
    search_fields = ["actor_label", "action", "target_label", "target_id"]
    date_hierarchy = "at"

    @admin.display(description=_("action"), ordering="action")
    def action_words(self, event: AuditEvent) -> str:
        """The action code in words (audit/labels.py)."""
        return action_label(event.action)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
