from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "service"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Service")
