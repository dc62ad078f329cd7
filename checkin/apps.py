from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "checkin"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "check-in"
