"""The annual leave schedule (art. 123, form T-7) and the notices the law requires around it.

A `Campaign` is one calendar year's schedule: HR opens it, employees propose their `Part`s, managers move and
comment on them and submit their department (`Submission`), HR approves it. After the approval a part moves only
through a `Change` with a reason that the other side consents to. From 14 days before a part starts the employee
gets a `Notice` (art. 123 part 3) and signs it (`Acknowledgement`: a simple electronic signature record); 3 days
before, payroll gets a `PayrollList` of the leave starting (art. 136). Every row is written by
schedule.services.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from requests_app.models import Request
from staff.models import Department, Employee


def default_approval_deadline(year: int) -> dt.date:
    """Art. 123: approved at least two weeks before the year starts — 17 December of the year before."""
    return dt.date(year - 1, 12, 17)


class Campaign(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open for proposals")
        APPROVED = "approved", _("approved")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # Empty: every department.
    departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("departments (empty: all)")
    )
    proposal_deadline = models.DateField(_("proposals until"))
    approval_deadline = models.DateField(_("approve by"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # Art. 372: the opinion of the trade union body, taken into account at the approval.
    union_opinion_date = models.DateField(_("trade union opinion of"), null=True, blank=True)
    union_opinion_note = models.TextField(_("trade union opinion"), blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("leave schedule")
        verbose_name_plural = _("leave schedules")

    def __str__(self) -> str:
        return str(_("Leave schedule %(year)s") % {"year": self.year})

    def get_absolute_url(self) -> str:
        return reverse("schedule-hr", kwargs={"year": self.year})

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 12, 31)


class Submission(models.Model):
    """A manager's submission of their department's part of the schedule."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="submissions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("department submission")
        verbose_name_plural = _("department submissions")
        constraints = [models.UniqueConstraint(fields=["campaign", "department"], name="schedule_one_submission")]

    def __str__(self) -> str:
        return f"{self.campaign.year} {self.department}"


class Part(models.Model):
    """One part of an employee's leave in the schedule (art. 125: one part at least 14 days)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="parts", verbose_name=_("schedule"))
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="schedule_parts", verbose_name=_("employee")
    )
    leave_type = models.ForeignKey("leave.LeaveType", on_delete=models.PROTECT, verbose_name=_("leave type"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    days = models.DecimalField(_("days"), max_digits=6, decimal_places=2)
    # The dates as approved (form T-7's "planned date"); set once, at the approval.
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    comment = models.TextField(_("manager's comment"), blank=True)
    # The leave request made from this part when the employee confirms it.
    request = models.OneToOneField(
        Request,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schedule_part",
        verbose_name=_("request"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["start_date", "id"]
        verbose_name = _("schedule part")
        verbose_name_plural = _("schedule parts")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="schedule_part_dates"),
        ]
        indexes = [models.Index(fields=["campaign", "employee"], name="schedule_part_campaign_emp_idx")]

    def __str__(self) -> str:
        return f"{self.employee} {self.start_date:%d.%m.%Y}–{self.end_date:%d.%m.%Y}"

    @property
    def calendar_days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class Change(models.Model):
    """A move of a part: applied at once before the approval (a manager, HR, the employee before the deadline);
    after it proposed by one side and applied only when the other consents (the employee, or their manager)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        PROPOSED = "proposed", _("awaiting consent")
        DECLINED = "declined", _("declined")

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    old_start = models.DateField(_("from (old)"))
    old_end = models.DateField(_("to (old)"))
    new_start = models.DateField(_("from (new)"))
    new_end = models.DateField(_("to (new)"))
    reason = models.TextField(_("reason"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    after_approval = models.BooleanField(_("after the approval"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consented by"),
    )
    decided_at = models.DateTimeField(_("consented at"), null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("schedule change")
        verbose_name_plural = _("schedule changes")
        constraints = [
            # One open proposal per part at a time.
            models.UniqueConstraint(fields=["part"], condition=Q(status="proposed"), name="schedule_one_open_change"),
        ]

    def __str__(self) -> str:
        return f"{self.part}: {self.old_start:%d.%m.%Y} → {self.new_start:%d.%m.%Y}"


class Notice(models.Model):
    """The art. 123 part 3 notice of one part's start: one per part and start date (a moved part gets a new one)."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="notices")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="leave_notices")
    start_date = models.DateField(_("leave starts"))
    end_date = models.DateField(_("leave ends"))
    days = models.DecimalField(_("days"), max_digits=6, decimal_places=2)
    issued_on = models.DateField(_("issued on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("leave notice")
        verbose_name_plural = _("leave notices")
        constraints = [models.UniqueConstraint(fields=["part", "start_date"], name="schedule_one_notice_per_start")]

    def __str__(self) -> str:
        return f"{self.employee} {self.start_date:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("schedule-notice", kwargs={"notice_id": self.pk})

    @property
    def late(self) -> bool:
        """Issued less than 14 days before the start (art. 124: the employee may ask to move the leave)."""
        return (self.start_date - self.issued_on).days < settings.HRPORTAL["SCHEDULE_NOTICE_DAYS"]


class Acknowledgement(models.Model):
    """The employee's signature under a notice: who, when, from which address and browser."""

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="acknowledgement")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")

    def __str__(self) -> str:
        return f"{self.notice} — {self.at:%d.%m.%Y %H:%M}"


class PayrollList(models.Model):
    """The art. 136 list sent to payroll on one date: the leave starting within three days."""

    date = models.DateField(_("date"), unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("payroll list")
        verbose_name_plural = _("payroll lists")

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}"

    def get_absolute_url(self) -> str:
        return reverse("schedule-payroll", kwargs={"list_id": self.pk})


class PayrollLine(models.Model):
    payroll_list = models.ForeignKey(PayrollList, on_delete=models.CASCADE, related_name="lines")
    # "part:<id>:<start>" or "request:<id>": each leave is listed once, whatever the runs.
    key = models.CharField(max_length=60, unique=True)
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("leave starts"))
    end_date = models.DateField(_("leave ends"))
    days = models.DecimalField(_("days"), max_digits=6, decimal_places=2)
    vacation_pay = models.DecimalField(_("vacation pay"), max_digits=12, decimal_places=2, null=True)
    # Approved (or listed) less than three days before the start: the pay is late (art. 136; art. 124 part 2).
    late = models.BooleanField(_("late payment risk"), default=False)

    class Meta:
        ordering = ["start_date", "id"]
        verbose_name = _("payroll line")
        verbose_name_plural = _("payroll lines")

    def __str__(self) -> str:
        return self.key
