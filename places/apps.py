from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "places"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Areas and grids")
