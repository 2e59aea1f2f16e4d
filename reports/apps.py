from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = pgettext_lazy("admin section", "Reports")

    def ready(self) -> None:
        from hrportal.metrics import register_source
        from reports import metrics

        register_source("reports", metrics.report_families)
        from reports import checks  # noqa: F401  (registers the system checks)
