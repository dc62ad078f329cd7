from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        # Sign-ins through every door (pages, admin, API) are audited from Django's auth hooks; the SMS
        # settings are checked when the process starts (accounts/checks.py).
        from accounts import audit_hooks, checks  # noqa: F401
        from accounts.backends import check_backend_settings

        # A misspelt single sign-on backend stops the process here, not at the first sign-in.
        check_backend_settings()
