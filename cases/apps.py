from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Cases (the whistle)")

    def ready(self) -> None:
        from cases import checks  # noqa: F401  (registers the working-day calendar check)
