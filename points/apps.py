from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Points")

    def ready(self) -> None:
        # points sits above service: service reaches the ledger only through what is plugged in here.
        from points.ledger import PointsLedger
        from service import ledger

        ledger.plug(PointsLedger())
