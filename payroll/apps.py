from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PayrollConfig(AppConfig):
    name = "payroll"
    verbose_name = pgettext_lazy("admin section", "Payroll")
