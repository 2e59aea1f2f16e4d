from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = pgettext_lazy("admin section", "Leave")

    def ready(self) -> None:
        from leave import imports  # noqa: F401  (registers the absence and opening-balance imports)
