"""Who works where, who manages whom, and what each person is paid."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Upper
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken, AuthTokenManager
from simple_history.models import HistoricalRecords

HR_GROUP = "hr"


class Department(models.Model):
    name = models.CharField(_("name"), max_length=200)
    # The code payroll and the import files know the department by (unique when given).
    code = models.CharField(_("code"), max_length=50, blank=True, default="")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    head = models.ForeignKey(
        "Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
        verbose_name=_("head"),
    )
    # Materialised path "/1/4/9/": a subtree is one indexed `path LIKE '/1/4/%'` query.
    # Maintained by staff.services (department_save), never by hand.
    path = models.CharField(_("path in the tree"), max_length=500, db_index=True, editable=False, default="")
    history = HistoricalRecords(excluded_fields=["path"])

    class Meta:
        ordering = ["path"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="department_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class Position(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    # Additional paid leave for the position (e.g. irregular working day, art. 119), days a year.
    extra_leave_days = models.DecimalField(
        _("additional leave days a year"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return self.name


class Employee(models.Model):
    class Language(models.TextChoices):
        RU = "ru", _("Russian")
        EN = "en", _("English")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee", verbose_name=_("user")
    )
    personnel_number = models.CharField(_("personnel number"), max_length=20, unique=True)
    last_name = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    email = models.EmailField(_("email"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.RU)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="employees", verbose_name=_("department")
    )
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.PROTECT, related_name="employees", verbose_name=_("position")
    )
    hire_date = models.DateField(_("hire date"))
    termination_date = models.DateField(_("termination date"), null=True, blank=True)
    # The employee's own working week: the one field the hour norm of their month follows (art. 153 hourly rate,
    # docs/decisions/holiday-work-rate.md). Empty: the normal 40-hour week scaled by the FTE of the rate in force.
    weekly_hours = models.DecimalField(
        _("own working week, hours"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("40"))],
        help_text=_(
            "The hours this employee works a week under their contract: 20 for a half-time job on a 40-hour week, "
            "36 for reduced working time (art. 92), 18 for half of a 36-hour week. Leave empty for the normal "
            "40-hour week × the FTE of the pay rate in force (a half-timer then works 20 hours). The FTE only "
            "says which share of the salary is paid; it does not shorten this week a second time."
        ),
    )
    manager_override = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("manager (override)"),
        help_text=_("Leave empty to use the head of the department."),
    )
    extra_leave_days = models.DecimalField(
        _("personal additional leave days a year"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    # What the employee search reads (staff.selectors.employee_search_q): the five searched fields in capitals,
    # one trigram index on PostgreSQL (staff migration 0008). A searched word never holds a space, so it never
    # matches across two fields.
    search_text = models.GeneratedField(
        expression=Upper(
            Concat(
                "last_name",
                Value(" "),
                "first_name",
                Value(" "),
                "patronymic",
                Value(" "),
                "personnel_number",
                Value(" "),
                "email",
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["last_name", "first_name", "patronymic"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        # The lists' order: a page of 100 walks the index instead of sorting the whole company (issue 20).
        indexes = [models.Index(fields=["last_name", "first_name", "patronymic"], name="employee_name_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(termination_date__isnull=True) | Q(termination_date__gte=models.F("hire_date")),
                name="employee_termination_after_hire",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}".strip()


class PayRate(models.Model):
    """An effective-dated pay rate. Rows are never edited: a correction supersedes a row."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="rates", verbose_name=_("employee"))
    effective_date = models.DateField(_("effective date"))
    fte = models.DecimalField(
        _("FTE"),
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.50"))],
    )
    salary = models.DecimalField(
        _("monthly salary, RUB"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    # Regulation 922 item 16: this raise is part of an organisation- or department-wide indexation, so average
    # earnings before it are indexed (docs/decisions/0011-regulation-922-indexation.md).
    indexation = models.BooleanField(
        _("indexation"),
        default=False,
        help_text=_("Part of an organisation- or department-wide raise of salaries (Regulation 922 item 16)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Set when a later correction for the same effective date replaces this row.
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["employee", "-effective_date"]
        verbose_name = _("pay rate")
        verbose_name_plural = _("pay rates")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "effective_date"],
                condition=Q(superseded_at__isnull=True),
                name="payrate_one_current_per_employee_date",
            ),
            models.CheckConstraint(condition=Q(fte__gt=0) & Q(fte__lte=Decimal("1.5")), name="payrate_fte_range"),
            models.CheckConstraint(condition=Q(salary__gte=0), name="payrate_salary_not_negative"),
        ]
        indexes = [
            models.Index(
                fields=["employee", "-effective_date"],
                condition=Q(superseded_at__isnull=True),
                name="payrate_current_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.effective_date}: {self.fte} × {self.salary}"


class Delegation(models.Model):
    """A manager's deputy for a date range: the deputy approves on the manager's behalf."""

    manager = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="delegations_given", verbose_name=_("manager")
    )
    deputy = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="delegations_taken", verbose_name=_("deputy")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="delegation_dates_ordered"),
            models.CheckConstraint(condition=~Q(manager=models.F("deputy")), name="delegation_not_self"),
        ]

    def __str__(self) -> str:
        return _("%(deputy)s for %(manager)s, %(start)s – %(end)s") % {
            "deputy": self.deputy,
            "manager": self.manager,
            "start": date_format(self.start_date, "SHORT_DATE_FORMAT"),
            "end": date_format(self.end_date, "SHORT_DATE_FORMAT"),
        }


class TimesheetEntry(models.Model):
    """Hours worked by an employee on one day, by kind (feeds the holiday-work report)."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("regular")
        OVERTIME = "overtime", _("overtime")
        WEEKEND = "weekend", _("work on a weekend")
        HOLIDAY = "holiday", _("work on a public holiday")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="timesheet", verbose_name=_("employee")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )
    # Art. 153: work on a day off is paid double, or single plus another day off if the employee wishes.
    day_off_instead = models.BooleanField(_("day off instead of double pay"), default=False)

    class Meta:
        ordering = ["employee", "date"]
        verbose_name = _("timesheet entry")
        verbose_name_plural = _("timesheet entries")
        constraints = [
            models.UniqueConstraint(fields=["employee", "date", "kind"], name="timesheet_one_per_kind_day"),
            models.CheckConstraint(condition=Q(hours__gte=0) & Q(hours__lte=24), name="timesheet_hours_range"),
        ]
        indexes = [models.Index(fields=["date", "kind"], name="timesheet_date_kind_idx")]

    def __str__(self) -> str:
        day = date_format(self.date, "SHORT_DATE_FORMAT")
        return f"{self.employee} · {day} · {self.get_kind_display()} · {self.hours}"


def _register_user_history() -> None:
    """Audit group membership (the `hr` role) with the user's own history."""
    from django.contrib.auth.models import User
    from simple_history import register

    if not hasattr(User, "history"):
        register(User, app="staff", m2m_fields=["groups"], table_name="staff_historicaluser")


_register_user_history()


class ApiTokenManager(AuthTokenManager):
    def get_queryset(self) -> models.QuerySet[ApiToken]:
        # Knox finds a token with its user; the caller's employee record comes in the same query (as
        # staff.access.principal_users() loads a session's user).
        return super().get_queryset().select_related("user__employee__department", "user__employee__position")


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox: stored as a digest, with an expiry). It also holds the fingerprint of its
    owner's password when it was issued, so a password change revokes every token issued before it, whatever
    path changed the password (docs/decisions/api-tokens.md)."""

    password_fingerprint = models.CharField(max_length=128, editable=False)

    objects = ApiTokenManager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


from staff.imports.models import ImportJob  # noqa: E402, F401  (the model of staff/imports/, registered with staff)
