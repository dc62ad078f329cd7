from django.contrib import admin

from audit.admin import AuditedModelAdmin
from jobs.models import Job, TaskFailure


@admin.register(Job)
class JobAdmin(AuditedModelAdmin):
    list_display = ["title", "kind", "status", "created_by", "created_at", "done", "total"]
    list_filter = ["kind", "status"]
    readonly_fields = [
        "kind",
        "created_by",
        "params",
        "errors",
        "summary",
        "input_file",
        "result_file",
        "heartbeat_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(TaskFailure)
class TaskFailureAdmin(AuditedModelAdmin):
    list_display = ["failed_at", "task_name", "error_class"]
    list_filter = ["task_name"]
    readonly_fields = ["task_name", "task_id", "failed_at", "error_class", "error_message"]

    def has_add_permission(self, request):
        return False
