from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Sign-ins through every door (pages, admin, API) are audited from Django's auth hooks.
        from accounts import audit_hooks  # noqa: F401
