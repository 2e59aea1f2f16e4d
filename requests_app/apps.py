from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = pgettext_lazy("admin section", "Requests")

    def ready(self) -> None:
        from hrportal.metrics import register_source
        from requests_app import metrics

        register_source("requests", metrics.request_families)
