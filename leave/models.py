"""The production calendar, leave types, the append-only leave ledger and absences.

Balances are never stored: they are sums over `LeaveEntry` rows (see leave.selectors). Ledger rows are
written only by leave.services, under a lock on the `LeaveAccount` row of the employee and leave type,
and are never edited or deleted (a correction is a new entry; the database refuses UPDATE, and DELETE
on PostgreSQL, see migration 0003).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leave import calc
from staff.models import Employee


class CalendarDay(models.Model):
    """A date that differs from a plain Monday–Friday week (one row of the production calendar)."""

    class Kind(models.TextChoices):
        PUBLIC_HOLIDAY = calc.PUBLIC_HOLIDAY, _("public holiday")
        DAY_OFF = calc.DAY_OFF, _("transferred day off")
        WORKING_WEEKEND = calc.WORKING_WEEKEND, _("working weekend")
        WORKING_DAY = calc.WORKING_DAY, _("working day")

    class Source(models.TextChoices):
        OFFICIAL = "official", _("official table")
        LIBRARY = "holidays", _("holidays package")
        MANUAL = "manual", _("edited by HR")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    shortened = models.BooleanField(
        _("shortened"), default=False, help_text=_("A pre-holiday working day one hour shorter (art. 95).")
    )
    name = models.CharField(_("holiday"), max_length=200, blank=True)
    moved_from = models.DateField(_("moved from"), null=True, blank=True)
    # load_calendar never overwrites a row HR edited in the admin.
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("production calendar")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=calc.KINDS), name="calendarday_kind_valid"),
            models.CheckConstraint(
                condition=Q(shortened=False) | Q(kind__in=[calc.WORKING_DAY, calc.WORKING_WEEKEND]),
                name="calendarday_only_working_days_shortened",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    def as_special_day(self) -> calc.SpecialDay:
        return calc.SpecialDay(
            date=self.date, kind=self.kind, shortened=self.shortened, name=self.name, moved_from=self.moved_from
        )


class LeaveType(models.Model):
    class Counting(models.TextChoices):
        CALENDAR_EXCLUDING_HOLIDAYS = calc.CALENDAR_EXCLUDING_HOLIDAYS, _("calendar days without public holidays")
        CALENDAR = calc.CALENDAR, _("calendar days")
        WORKING_DAYS = calc.WORKING_DAYS, _("working days")

    class AbsenceKind(models.TextChoices):
        LEAVE = "leave", _("leave")
        UNPAID = "unpaid", _("unpaid leave")
        SICK = "sick", _("sick leave")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    paid = models.BooleanField(_("paid"), default=True)
    counting = models.CharField(
        _("how days are counted"), max_length=30, choices=Counting.choices, default=Counting.CALENDAR
    )
    yearly_entitlement = models.DecimalField(
        _("days a year"), max_digits=5, decimal_places=2, default=Decimal("0"), help_text=_("Accrued monthly.")
    )
    # Additional leave (art. 116, 119): the days set on the employee and on their position are added.
    adds_personal_days = models.BooleanField(_("adds the employee's and position's additional days"), default=False)
    needs_balance = models.BooleanField(_("needs a balance"), default=False)
    keeps_average_earnings = models.BooleanField(_("paid by average earnings"), default=False)
    absence_kind = models.CharField(
        _("absence kind"), max_length=10, choices=AbsenceKind.choices, default=AbsenceKind.LEAVE
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("leave type")
        verbose_name_plural = _("leave types")
        constraints = [
            models.CheckConstraint(condition=Q(yearly_entitlement__gte=0), name="leavetype_entitlement_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name_ru

    def name_for(self, language: str) -> str:
        return self.name_en if language.startswith("en") else self.name_ru


class LeaveAccount(models.Model):
    """One row per employee and leave type: the row every ledger write locks (select_for_update)."""

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="leave_accounts", verbose_name=_("employee")
    )
    leave_type = models.ForeignKey(
        LeaveType, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("leave type")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee", "leave_type"]
        verbose_name = _("leave account")
        verbose_name_plural = _("leave accounts")
        constraints = [
            models.UniqueConstraint(fields=["employee", "leave_type"], name="leaveaccount_one_per_employee_type"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} · {self.leave_type.code}"


class LeaveEntry(models.Model):
    """One append-only ledger line. `days` is signed: the balance is the sum.

    accrual +, adjustment ±, reserve − (a pending request), release + (undoes a reserve), use − (an
    approved leave; + to give back a cancelled one). Approving writes release(+d) and use(−d) together.
    """

    class Kind(models.TextChoices):
        ACCRUAL = "accrual", _("accrual")
        RESERVE = "reserve", _("reserve")
        RELEASE = "release", _("release")
        USE = "use", _("use")
        ADJUSTMENT = "adjustment", _("adjustment")

    account = models.ForeignKey(
        LeaveAccount, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    days = models.DecimalField(_("days"), max_digits=7, decimal_places=2)
    effective_date = models.DateField(_("effective date"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    request_id = models.BigIntegerField(_("request"), null=True, blank=True)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["account", "effective_date", "id"]
        verbose_name = _("leave ledger entry")
        verbose_name_plural = _("leave ledger")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["accrual", "reserve", "release", "use", "adjustment"]),
                name="leaveentry_kind_valid",
            ),
            models.CheckConstraint(condition=~Q(kind="reserve") | Q(days__lt=0), name="leaveentry_reserve_negative"),
            models.CheckConstraint(condition=~Q(kind="release") | Q(days__gt=0), name="leaveentry_release_positive"),
            models.CheckConstraint(condition=~Q(days=0), name="leaveentry_days_not_zero"),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="leaveentry_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["reserve", "release", "use"]) | Q(request_id__isnull=False),
                name="leaveentry_request_entries_have_request",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "kind", "effective_date"], name="leaveentry_account_kind_idx"),
            models.Index(fields=["request_id"], name="leaveentry_request_idx"),
            models.Index(fields=["period_start", "period_end"], name="leaveentry_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.days} ({self.effective_date})"


class Absence(models.Model):
    """A period the employee did not work: excluded, with its pay, from vacation pay (Regulation 922 item 5).

    Unpaid absences also feed the art. 121 shift of the working year. Rows are never deleted: a cancelled
    absence gets `cancelled_at`.
    """

    class Kind(models.TextChoices):
        LEAVE = "leave", _("leave")
        BUSINESS_TRIP = "business_trip", _("business trip")
        SICK = "sick", _("sick leave")
        UNPAID = "unpaid", _("unpaid leave")

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="absences", verbose_name=_("employee")
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    keeps_average = models.BooleanField(_("average earnings kept"), default=False)
    request_id = models.BigIntegerField(_("request"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["employee", "start_date"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="absence_dates_ordered"),
            models.CheckConstraint(
                condition=Q(kind__in=["leave", "business_trip", "sick", "unpaid"]), name="absence_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["request_id"],
                condition=Q(cancelled_at__isnull=True, request_id__isnull=False),
                name="absence_one_active_per_request",
            ),
        ]
        indexes = [
            models.Index(
                fields=["employee", "start_date", "end_date"],
                condition=Q(cancelled_at__isnull=True),
                name="absence_active_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.get_kind_display()} {self.start_date}–{self.end_date}"
