from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = pgettext_lazy("admin section", "Leave")
