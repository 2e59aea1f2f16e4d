from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "Requests"

    def ready(self) -> None:
        from hrportal.metrics import register_source
        from requests_app import metrics

        register_source("requests", metrics.request_families)
