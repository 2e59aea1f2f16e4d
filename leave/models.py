"""The production calendar, leave types, the append-only leave ledger and absences.

Balances are never stored: they are sums over `LeaveEntry` rows (see leave.selectors). Ledger rows are
written only by leave.services, under a lock on the `LeaveAccount` row of the employee and leave type,
and are never edited or deleted (a correction is a new entry; the database refuses UPDATE, and DELETE
on PostgreSQL, see migration 0003). The one running figure kept is the accrual's own (the last month posted
and its days, on `LeaveAccount`), written with the entries it sums.

Past 400 lines: the calendar, the types, the ledger and the absences are the tables one leave rule reads
together; each model is short.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    # What the account's accrual entries add up to, kept by the accrual service in the transaction that posts
    # them (the ledger is append-only, and only that service writes accrual entries): a monthly run reads one
    # row per account instead of re-reading every month posted so far.
    accrued_months = models.PositiveIntegerField(_("last month of service accrued"), default=0)
    accrued_days = models.DecimalField(_("days accrued"), max_digits=9, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        ordering = ["employee", "leave_type"]
        verbose_name = _("leave account")
        verbose_name_plural = _("leave accounts")
        constraints = [
            models.UniqueConstraint(fields=["employee", "leave_type"], name="leaveaccount_one_per_employee_type"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} · {self.leave_type}"


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
    """A period the employee did not work. What each kind counts toward — the service that earns annual
    leave (art. 121: child care, absence without good cause and suspension do not; unpaid leave beyond 14 days
    a working year does not) and the 12-month pay period (Regulation 922 item 5) — is stated once, in
    `leave.calc.absences.ABSENCE_RULES`. Rows are never deleted: a cancelled
    absence gets `cancelled_at`.
    """

    class Kind(models.TextChoices):
        LEAVE = calc.absences.LEAVE, _("leave")
        BUSINESS_TRIP = calc.absences.BUSINESS_TRIP, _("business trip")
        SICK = calc.absences.SICK, _("sick leave")
        UNPAID = calc.absences.UNPAID, _("unpaid leave")
        MATERNITY = calc.absences.MATERNITY, _("maternity leave (art. 255)")
        CHILD_CARE = calc.absences.CHILD_CARE, _("child-care leave until the child is three (art. 256)")
        NO_GOOD_CAUSE = calc.absences.ABSENCE_WITHOUT_CAUSE, _("absence without good cause")
        SUSPENSION = calc.absences.SUSPENSION, _("suspension from work (art. 76)")

    class UnpaidReason(models.TextChoices):
        AGREEMENT = "agreement", _("by agreement (art. 128 part 1)")
        WWII_PARTICIPANT = "wwii_participant", _("WWII participant, up to 35 days a year (art. 128)")
        OLD_AGE_PENSIONER = "old_age_pensioner", _("old-age pensioner, up to 14 days a year (art. 128)")
        SERVICEMAN_FAMILY = "serviceman_family", _("family of a serviceman killed in service, up to 14 days (art. 128)")
        DISABLED = "disabled", _("disabled employee, up to 60 days a year (art. 128)")
        CHILD_BIRTH = "child_birth", _("birth of a child, up to 5 days (art. 128)")
        MARRIAGE = "marriage", _("marriage, up to 5 days (art. 128)")
        RELATIVE_DEATH = "relative_death", _("death of a close relative, up to 5 days (art. 128)")
        PARENT_263 = "parent_263", _("parent under art. 263, up to 14 days a year")

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="absences", verbose_name=_("employee")
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    keeps_average = models.BooleanField(_("average earnings kept"), default=False)
    # Art. 128: why an unpaid leave was taken; the statutory reasons have yearly limits (leave.selectors).
    unpaid_reason = models.CharField(_("unpaid leave reason"), max_length=20, choices=UnpaidReason.choices, blank=True)
    request_id = models.BigIntegerField(_("request"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["employee", "start_date"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="absence_dates_ordered"),
            models.CheckConstraint(condition=Q(kind__in=list(calc.absences.KINDS)), name="absence_kind_valid"),
            models.CheckConstraint(
                condition=Q(unpaid_reason="") | Q(kind=calc.absences.UNPAID), name="absence_reason_only_unpaid"
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


class EarlyLeaveRight(models.Model):
    """HR's note that an employee may take the first year's leave before six months on request (art. 122
    part 3, art. 123 part 4): the quote then does not route such a leave to HR."""

    class Category(models.TextChoices):
        BEFORE_MATERNITY = "before_maternity", _("woman, before maternity leave or right after it (art. 122, 260)")
        UNDER_18 = "under_18", _("employee under 18 (art. 122, 267)")
        ADOPTER = "adopter", _("adopted a child under three months (art. 122)")
        SPOUSE_ON_MATERNITY = (
            "spouse_on_maternity",
            _("husband, while his wife is on maternity leave (art. 123 part 4)"),
        )
        OTHER_LAW = "other_law", _("other federal law")

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="early_leave_rights", verbose_name=_("employee")
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)
    comment = models.CharField(_("document"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["employee", "valid_from"]
        verbose_name = _("early leave right (art. 122)")
        verbose_name_plural = _("early leave rights (art. 122)")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="earlyleaveright_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.get_category_display()}"


class LeaveSettlement(models.Model):
    """What leave was settled on a dismissal (art. 127, rules 28 and 35, art. 137), as HR recorded it.

    Written once per employee and dismissal date by leave.services.settlement_record; the figures are kept
    as computed then (a later calendar or pay change does not rewrite a paid settlement).
    """

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="leave_settlements", verbose_name=_("employee")
    )
    termination_date = models.DateField(_("dismissal date"))
    ground = models.CharField(_("ground"), max_length=30)
    unused_days = models.DecimalField(_("unused days"), max_digits=7, decimal_places=2)
    compensated_days = models.DecimalField(_("days compensated"), max_digits=7, decimal_places=2)
    deductible_days = models.DecimalField(_("days deductible (art. 137)"), max_digits=7, decimal_places=2)
    average_daily_earnings = models.DecimalField(_("average daily earnings"), max_digits=14, decimal_places=2)
    compensation = models.DecimalField(_("compensation"), max_digits=14, decimal_places=2)
    lines = models.JSONField(_("breakdown"), default=list)
    notes = models.TextField(_("notes"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-termination_date", "employee"]
        verbose_name = _("leave settlement on dismissal")
        verbose_name_plural = _("leave settlements on dismissal")
        constraints = [
            models.UniqueConstraint(fields=["employee", "termination_date"], name="leavesettlement_one_per_dismissal"),
            models.CheckConstraint(condition=Q(compensated_days__gte=0), name="leavesettlement_days_not_negative"),
            models.CheckConstraint(condition=Q(deductible_days__gte=0), name="leavesettlement_deduction_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.termination_date}"


class LeaveReminder(models.Model):
    """One reminder sent for one month: the row `notify` hangs the mail on, and the claim that makes the monthly
    job idempotent (a second run in the same month finds the row and sends nothing).

    Art. 124 part 4: leave not granted two working years running. `employee` is the employee reminded; None
    for HR's digest of the month."""

    class Kind(models.TextChoices):
        ART124_EMPLOYEE = "art124", _("art. 124: leave not used two working years running")
        ART124_HR = "art124_hr", _("art. 124: HR's monthly list")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("employee")
    )
    details = models.JSONField(_("details"), default=list)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-month", "kind"]
        verbose_name = _("leave reminder")
        verbose_name_plural = _("leave reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "month", "employee"],
                condition=Q(employee__isnull=False),
                name="leavereminder_one_per_employee_month",
            ),
            models.UniqueConstraint(
                fields=["kind", "month"], condition=Q(employee__isnull=True), name="leavereminder_one_digest_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m} {self.employee or 'HR'}"

    def get_absolute_url(self) -> str:
        return "/" if self.employee_id else "/leave/overdue/"
