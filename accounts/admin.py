from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminSignInForm
from accounts.models import ApiToken, RoleGrant, User
from audit.admin import AuditedModelAdmin

# The admin's sign-in refuses a username longer than any account's, as the site's does.
admin.site.login_form = AdminSignInForm


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ["role", "area", "unit", "grid"]
    autocomplete_fields = ["area", "unit", "grid"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    list_display = ["username", "full_name", "masked_phone", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "full_name"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    inlines = [RoleGrantInline]

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return obj.masked_phone


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["user", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["user", "digest", "created_at", "expires_at"]

    def has_add_permission(self, request):
        return False
