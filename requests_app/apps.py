from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = pgettext_lazy("admin section", "Requests")
