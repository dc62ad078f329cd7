from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoliveConfig(AppConfig):
    name = "golive"
    verbose_name = _("City set-up")

    def ready(self) -> None:
        from golive.running import run_sheet_job
        from jobs.models import JobKind
        from jobs.running import register_runner

        register_runner(JobKind.IMPORT_SETUP, run_sheet_job)
