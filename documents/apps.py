from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = pgettext_lazy("admin section", "HR documents")

    def ready(self) -> None:
        # documents sits above requests_app: it reacts to an approval through the signal requests_app sends
        # inside the approval's transaction (requests_app.signals), so the order and the approval commit together.
        from documents import receivers  # noqa: F401
