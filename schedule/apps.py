from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ScheduleConfig(AppConfig):
    name = "schedule"
    verbose_name = pgettext_lazy("admin section", "Leave schedule")
