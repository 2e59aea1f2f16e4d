from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from hrportal.metrics import register_source
        from notifications import metrics

        register_source("mail", metrics.mail_families)
        register_source("outbox", metrics.outbox_families)
