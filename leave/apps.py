from django.apps import AppConfig


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = "Leave"

    def ready(self) -> None:
        from leave import imports  # noqa: F401  (registers the absence and opening-balance imports)
