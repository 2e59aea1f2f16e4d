from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Staff"

    def ready(self) -> None:
        # The import kinds register themselves with staff.imports.engine (leave's in LeaveConfig.ready).
        from staff.imports import employees, staff_kinds  # noqa: F401
