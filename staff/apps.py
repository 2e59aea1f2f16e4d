from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = pgettext_lazy("admin section", "Staff")

    def ready(self) -> None:
        # The import kinds register themselves with staff.imports.engine (leave's in LeaveConfig.ready).
        from staff.imports import employees, staff_kinds  # noqa: F401
