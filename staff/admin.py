"""The admin is HR's workplace: employees, the department tree, positions, delegations, timesheets.

Rules kept here:
- querysets and permissions go through staff.access (HR sees everything, other staff users nothing);
- writes with invariants go through staff.services: a department through `department_save` (paths),
  a new employee through `employee_create` (user + employee + first rate); pay rates are read-only here:
  a change of pay, a correction included, is a rate-change request that another person approves
  (docs/decisions/four-eyes-on-pay.md);
- history (django-simple-history) is recorded with the admin user as the actor, and reverting a
  pay rate or a user from the history page is refused (it would edit a row in place).

Past 400 lines because it is the admin of five staff models with their forms; each class is short and splitting by
model would scatter one HR workplace.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from hrportal.admin_mixins import ReadOnlyAdmin
from staff import access
from staff.imports.admin import ImportButtonMixin  # also registers the import jobs' admin
from staff.models import Department, Employee, PayRate, Position, TimesheetEntry
from staff.selectors import employee_search_q, in_department_tree
from staff.services import FTE_MAX, FTE_MIN, department_save, employee_create

User = get_user_model()


class HRChangeList(ChangeList):
    """Django's change list, its rows' links carrying the list's filters without resolving each link.

    Django's `items_for_result` passes every row's change link through `add_preserved_filters`, which resolves the
    link against the URLconf to learn whether it is the change list's own URL, whose filters it would unwrap. A
    row's link never is: it opens the row. So the filters go on the link here (`url_for_result`) and the template
    tag is given none to add; the link is Django's to the byte (staff/tests/test_admin.py compares them) for 2.5×
    less CPU (bench/admin_rows.py: 3.4 against 1.4 ms a page of 50; docs/decisions/admin-list-pages.md)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `preserved_filters` is read by items_for_result alone (Django 5.2); the row links carry them instead.
        self.row_filters, self.preserved_filters = self.preserved_filters, ""

    def url_for_result(self, result: Any) -> str:
        url = super().url_for_result(result)
        return f"{url}?{self.row_filters}" if self.row_filters else url


class HRAdminMixin:
    """Admin access through staff.access: HR (and superusers) only, on top of model permissions.

    Lists of 50 rows, not Django's 100: each row of a list costs the page its checkbox, its link and its cells
    (about half a millisecond a row in the employee list), and a search that finds a share of a 30,000-person
    company fills every page it shows (docs/decisions/admin-list-pages.md)."""

    list_per_page = 50

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return HRChangeList

    def action_checkbox(self, obj: Any) -> str:
        """Django's row checkbox, the same markup (tested against Django's own), formatted instead of rendered
        through the form templates: 6–8× less CPU (bench/admin_rows.py, docs/decisions/admin-list-pages.md)."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return access.visible_in_admin(request.user, super().get_queryset(request))  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_hr(request.user) and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_hr(request.user) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return access.is_hr(request.user) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_hr(request.user) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_hr(request.user) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class NoRevertHistoryMixin:
    """The history page of these models is for reading: a POST there would write an old version
    back over the current row (simple-history only hides the button), so it is refused."""

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_view_title(self, request: HttpRequest, obj: Any) -> str:
        return _("History: %s") % obj

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]


def _search(queryset: QuerySet[Any], search_term: str, prefix: str = "") -> tuple[QuerySet[Any], bool]:
    if not search_term.strip():
        return queryset, False
    return queryset.filter(employee_search_q(search_term, prefix=prefix)), False


# --- pay rates ----------------------------------------------------------------------------------


class PayRateHistoryInline(ReadOnlyAdmin, admin.TabularInline):
    """Every recorded row, newest first, read-only: rates are never edited or deleted."""

    model = PayRate
    fk_name = "employee"
    verbose_name = _("recorded rate")
    verbose_name_plural = _("pay-rate history (read-only; a correction is a new row below)")
    fields = ["effective_date", "fte", "salary", "indexation", "comment", "created_by", "created_at", "superseded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[PayRate]:
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            # The current row of a date first, then the rows it superseded.
            .order_by("-effective_date", F("superseded_at").desc(nulls_first=True), "-created_at")
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_hr(request.user) and super().has_view_permission(request, obj)


@admin.register(PayRate)
class PayRateAdmin(ImportButtonMixin, HRAdminMixin, NoRevertHistoryMixin, SimpleHistoryAdmin):
    import_kind = "pay_rates"
    list_display = [
        "employee",
        "effective_date",
        "fte",
        "salary",
        "indexation",
        "comment",
        "created_by",
        "created_at",
        "superseded_at",
    ]
    list_select_related = ["employee", "created_by"]
    list_filter = [
        ("superseded_at", admin.EmptyFieldListFilter),
        "indexation",
        "effective_date",
        "employee__department",
    ]
    search_fields = ["employee__last_name", "employee__personnel_number"]
    autocomplete_fields = ["employee"]
    date_hierarchy = "effective_date"
    readonly_fields = ["created_by", "created_at", "superseded_at"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[PayRate], search_term: str
    ) -> tuple[QuerySet[PayRate], bool]:
        return _search(queryset, search_term, prefix="employee__")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a pay change is a rate-change request, approved by a second person (four eyes)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # never edited in place: a correction is a new row

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- employees ----------------------------------------------------------------------------------


class EmployeeAddForm(forms.ModelForm):
    """A new employee with their login and first rate, created by staff.services.employee_create."""

    username = forms.CharField(label=_("login"), max_length=150, validators=[User.username_validator])
    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to create the account without a usable password."),
    )
    fte = forms.DecimalField(label=_("FTE"), max_digits=3, decimal_places=2, min_value=FTE_MIN, max_value=FTE_MAX)
    fte.initial = Decimal("1.00")
    salary = forms.DecimalField(label=_("monthly salary, RUB"), max_digits=12, decimal_places=2, min_value=0)

    class Meta:
        model = Employee
        fields = [
            "personnel_number",
            "last_name",
            "first_name",
            "patronymic",
            "email",
            "language",
            "department",
            "position",
            "hire_date",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["personnel_number"].required = False
        self.fields["personnel_number"].help_text = _("Leave empty to number automatically.")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = User(
                username=cleaned.get("username") or "",
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                validate_password(password, probe)
            except DjangoValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class ActiveFilter(admin.SimpleListFilter):
    """Active = the user may log in and the employee is not terminated (staff.access.is_active_user)."""

    title = _("active")
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Employee]) -> QuerySet[Employee]:
        today = timezone.localdate()
        active = Q(user__is_active=True) & (Q(termination_date__isnull=True) | Q(termination_date__gte=today))
        if self.value() == "yes":
            return queryset.filter(active)
        if self.value() == "no":
            return queryset.exclude(active)
        return queryset


class DepartmentTreeFilter(admin.RelatedFieldListFilter):
    """The department filter: a department with its sub-departments (as the API's `department_tree`), offering
    the top three levels of the tree. Listing every department would put 1,200 links on each page of a
    30,000-person company; a deeper one is still reachable by its id in the URL (`department__id__exact`)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        top = Department.objects.filter(
            Q(parent__isnull=True) | Q(parent__parent__isnull=True) | Q(parent__parent__parent__isnull=True)
        )
        return [(d.pk, str(d)) for d in top.order_by("path")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.lookup_val:
            return queryset
        try:
            return in_department_tree(queryset, int(self.lookup_val[-1]))
        except (TypeError, ValueError):
            return queryset.none()


@admin.register(Employee)
class EmployeeAdmin(ImportButtonMixin, HRAdminMixin, SimpleHistoryAdmin):
    import_kind = "employees"
    list_display = [
        "personnel_number",
        "full_name_display",
        "department",
        "position",
        "hire_date",
        "termination_date",
        "active_display",
    ]
    list_display_links = ["full_name_display"]  # one link a row: each costs a URL resolve for the kept filters
    list_select_related = ["department", "position", "user"]
    show_full_result_count = False  # "778 results (Show all)": no second COUNT of the whole company per search
    # ActiveFilter covers the login being enabled too: a second "active" filter on the user would repeat it.
    # The hire date is a filter (this year, this month...), not a date hierarchy: the hierarchy reads the hire
    # date of every employee listed, twice, on every page (55 ms of the page at 30,000 people).
    list_filter = [ActiveFilter, ("department", DepartmentTreeFilter), "position", "hire_date"]
    # The search itself is employee_search_q (Cyrillic-aware on SQLite too); these names show the box.
    search_fields = ["last_name", "first_name", "patronymic", "personnel_number", "email"]
    search_help_text = _("Surname, name, patronymic, personnel number or email.")
    autocomplete_fields = ["department", "position", "manager_override"]
    readonly_fields = ["user", "manager_display", "pay_change_link"]
    fieldsets = [
        (
            None,
            {"fields": ["user", "personnel_number", ("last_name", "first_name", "patronymic"), "email", "language"]},
        ),
        (
            _("Job"),
            {
                "fields": [
                    "department",
                    "position",
                    "manager_display",
                    "pay_change_link",
                    "manager_override",
                    ("hire_date", "termination_date"),
                    "weekly_hours",
                    "extra_leave_days",
                ]
            },
        ),
    ]
    add_fieldsets = [
        (None, {"fields": [("username", "password"), "personnel_number", ("last_name", "first_name", "patronymic")]}),
        (None, {"fields": ["email", "language", "department", "position", "hire_date", ("fte", "salary")]}),
    ]
    history_list_display = ["department", "termination_date"]
    inlines = [PayRateHistoryInline]

    @admin.display(description=_("full name"), ordering="last_name")
    def full_name_display(self, obj: Employee) -> str:
        return obj.full_name

    @admin.display(description=_("active"), boolean=True)
    def active_display(self, obj: Employee) -> bool:
        today = timezone.localdate()
        return obj.user.is_active and (obj.termination_date is None or obj.termination_date >= today)

    @admin.display(description=_("pay change"))
    def pay_change_link(self, obj: Employee) -> str:
        if not obj.pk:
            return "—"
        url = f"{reverse('rate-change-new')}?employee={obj.pk}"
        text = _("Propose a new pay rate (another person approves it)")
        return format_html('<a href="{}">{}</a>', url, text)

    @admin.display(description=_("manager"))
    def manager_display(self, obj: Employee) -> str:
        manager = access.manager_of(obj) if obj.pk else None
        return str(manager) if manager else "—"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Employee], search_term: str
    ) -> tuple[QuerySet[Employee], bool]:
        return _search(queryset, search_term)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = EmployeeAddForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return [] if obj is None else super().get_inline_instances(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # people leave (termination date), their records stay

    def save_model(self, request: HttpRequest, obj: Employee, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)  # SimpleHistoryAdmin sets the actor
            return
        data = form.cleaned_data
        created = employee_create(
            username=data["username"],
            full_name=" ".join(p for p in (data["last_name"], data["first_name"], data.get("patronymic")) if p),
            email=data["email"],
            department=data["department"],
            position=data.get("position"),
            hire_date=data["hire_date"],
            fte=data["fte"],
            salary=data["salary"],
            password=data.get("password") or None,
            personnel_number=data.get("personnel_number") or None,
            language=data.get("language") or Employee.Language.RU,
            actor=request.user,
        )
        obj.__dict__.update(created.__dict__)


# --- departments ----------------------------------------------------------------------------------


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "parent", "head"]

    def clean_parent(self) -> Department | None:
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk and parent.path.startswith(self.instance.path):
            raise forms.ValidationError(_("A department cannot be inside itself."))
        return parent


@admin.register(Department)
class DepartmentAdmin(ImportButtonMixin, HRAdminMixin, admin.ModelAdmin):
    import_kind = "departments"
    form = DepartmentForm
    list_display = ["tree_name", "head", "employee_count"]
    list_select_related = ["head"]
    ordering = ["path"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "head"]
    list_per_page = 200

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        return super().get_queryset(request).annotate(staff_count=Count("employees"))

    @admin.display(description=_("department"), ordering="path")
    def tree_name(self, obj: Department) -> str:
        return format_html('<span style="padding-left: {}em">{}</span>', obj.depth * 1.5, obj.name)

    @admin.display(description=_("employees"), ordering="staff_count")
    def employee_count(self, obj: Department) -> int:
        return obj.staff_count

    def save_model(self, request: HttpRequest, obj: Department, form: forms.ModelForm, change: bool) -> None:
        department_save(department=obj)


# --- the rest -------------------------------------------------------------------------------------


@admin.register(Position)
class PositionAdmin(ImportButtonMixin, HRAdminMixin, admin.ModelAdmin):
    import_kind = "positions"
    list_display = ["name", "extra_leave_days"]
    search_fields = ["name"]


@admin.register(TimesheetEntry)
class TimesheetEntryAdmin(HRAdminMixin, admin.ModelAdmin):
    list_display = ["employee", "date", "kind", "hours", "day_off_instead"]
    list_select_related = ["employee"]
    list_filter = ["kind", "day_off_instead", "employee__department"]
    date_hierarchy = "date"
    autocomplete_fields = ["employee"]
    search_fields = ["employee__last_name", "employee__personnel_number"]
    show_full_result_count = False  # a year of timesheets is millions of rows: skip the second COUNT
    ordering = ["-date", "employee"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[TimesheetEntry], search_term: str
    ) -> tuple[QuerySet[TimesheetEntry], bool]:
        return _search(queryset, search_term, prefix="employee__")


# --- users: the stock admin plus their history (group membership = the HR role) -------------------

if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserWithHistoryAdmin(NoRevertHistoryMixin, SimpleHistoryAdmin, UserAdmin):
    """Django's user admin (superusers: HR holds no auth permissions) with the audited history of
    each user, group membership included (staff.HistoricalUser)."""

    history_list_display = ["is_active", "is_staff"]
