from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = pgettext_lazy("admin section", "Notifications")

    def ready(self) -> None:
        from hrportal.metrics import register_source
        from notifications import metrics

        register_source("mail", metrics.mail_families)
        register_source("outbox", metrics.outbox_families)
