from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = pgettext_lazy("admin section", "Staff")
