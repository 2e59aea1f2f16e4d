"""Payroll accruals imported from the payroll system (1С:ЗУП): what each employee was paid, month by month.

Rows are written only by `payroll.services.payroll_import` (one row per employee, month, kind and payroll
document: a re-import updates the amount); HR may tick or untick `counts` in the admin.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payroll import kinds
from staff.models import Employee


class PayrollAccrual(models.Model):
    class Kind(models.TextChoices):
        SALARY = kinds.SALARY, _("salary")
        BONUS_MONTH = kinds.BONUS_MONTH, _("monthly bonus")
        BONUS_QUARTER = kinds.BONUS_QUARTER, _("quarterly bonus")
        BONUS_YEAR = kinds.BONUS_YEAR, _("annual bonus")
        ALLOWANCE = kinds.ALLOWANCE, _("allowance")
        HOLIDAY_WORK = kinds.HOLIDAY_WORK, _("holiday and weekend work")
        SICK_PAY = kinds.SICK_PAY, _("sick pay")
        VACATION_PAY = kinds.VACATION_PAY, _("vacation pay")
        OTHER = kinds.OTHER, _("other")

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="payroll_accruals", verbose_name=_("employee")
    )
    month = models.DateField(_("month accrued"), help_text=_("The first day of the month."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount, RUB"), max_digits=12, decimal_places=2)
    period_start = models.DateField(_("bonus period from"), null=True, blank=True)
    period_end = models.DateField(_("bonus period to"), null=True, blank=True)
    document = models.CharField(_("payroll document"), max_length=100, blank=True)
    counts = models.BooleanField(
        _("counts for average earnings"),
        help_text=_("Regulation 922 items 2–3: set from the kind on import; untick a payment that is not pay."),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["employee", "-month", "kind"]
        verbose_name = _("payroll accrual")
        verbose_name_plural = _("payroll accruals")
        constraints = [
            models.UniqueConstraint(fields=["employee", "month", "kind", "document"], name="payroll_accrual_key"),
            models.CheckConstraint(
                condition=(Q(period_start__isnull=True) & Q(period_end__isnull=True))
                | (Q(period_start__isnull=False) & Q(period_end__gte=models.F("period_start"))),
                name="payroll_accrual_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["employee", "month"], name="payroll_accrual_emp_month")]

    def __str__(self) -> str:
        return f"{self.employee} {self.month:%Y-%m} {self.get_kind_display()} {self.amount}"
