from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import AdminSignInForm
from accounts.models import ApiToken, RoleGrant, User
from accounts.second_factor_actions import reset_second_factor
from audit.admin import AuditedModelAdmin

# The admin's sign-in refuses a username longer than any account's, as the site's does.
admin.site.login_form = AdminSignInForm

# django-otp's own admin pages would show every authenticator's secret and let devices be deleted without
# an audit row: second factors are reset through the users' action below (and the user's security page).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ["role", "area", "unit", "grid"]
    autocomplete_fields = ["area", "unit", "grid"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    list_display = [
        "username",
        "full_name",
        "masked_phone",
        "is_active",
        "is_staff",
        "second_factor",
        "last_login",
    ]
    search_fields = ["username", "full_name"]
    actions = ["reset_second_factors"]
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

    def get_queryset(self, request):
        enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_second_factor=Exists(enrolled))

    @admin.display(description=_("second factor"), boolean=True)
    def second_factor(self, obj):
        return obj.has_second_factor

    @admin.action(description=_("Reset the second factor (they set it up again at their next sign-in)"))
    def reset_second_factors(self, request, queryset):
        others = [user for user in queryset if user.pk != request.user.pk]
        if len(others) < len(queryset):
            self.message_user(
                request, _("Reset your own second factor on your sign-in security page."), messages.WARNING
            )
        for user in others:
            reset_second_factor(acting_user=request.user, user=user, request=request)
        if others:
            self.message_user(
                request,
                _("Second factor reset for %(count)d account(s).") % {"count": len(others)},
                messages.SUCCESS,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["user", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["user", "digest", "created_at", "expires_at"]

    def has_add_permission(self, request):
        return False
