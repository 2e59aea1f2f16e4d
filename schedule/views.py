"""The schedule's pages: the employee's year, the manager's team year, HR's progress page, the notices (with a
print page for a paper signature) and the payroll lists. Every change goes through schedule.services or
schedule.notices; what a user sees is scoped by them and staff.access. HR's export buttons post to the reports
page (reports sits above this app), which queues the job like any other report.

Past 400 lines: the pages of one feature (employee, manager, HR, notices) share the forms and the
refusal-to-message helper; they are thin, each a form and one service call.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrportal.errors import ApplicationError, NotFound
from hrportal.pages import DateInput, add_service_errors, attempt, page_view
from hrportal.ui_errors import error_text
from leave import selectors as leave_selectors
from schedule import notices, selectors, services
from schedule.models import Campaign, Change, PayrollList
from staff import access
from staff.models import Department


class CampaignForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1992, max_value=2100)
    proposal_deadline = forms.DateField(label=gettext_lazy("Proposals until"), widget=DateInput())
    approval_deadline = forms.DateField(
        label=gettext_lazy("Approve by"),
        widget=DateInput(),
        required=False,
        help_text=gettext_lazy("Empty: 17 December of the year before (art. 123: two weeks before the year)."),
    )


class PartForm(forms.Form):
    start_date = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("To"), widget=DateInput())
    leave_type = forms.ChoiceField(
        label=gettext_lazy("Leave type"),
        choices=[("annual", gettext_lazy("annual paid leave")), ("additional", gettext_lazy("additional paid leave"))],
    )


class MoveForm(forms.Form):
    start_date = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    end_date = forms.DateField(label=gettext_lazy("To"), widget=DateInput())
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=2000)


class CommentForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000)


class UnionForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date of the opinion"), widget=DateInput())
    note = forms.CharField(label=gettext_lazy("Opinion"), required=False, max_length=5000, widget=forms.Textarea)


def _campaign(year: int) -> Campaign:
    return services.campaign_of(year)


# --- the list of years, and opening one --------------------------------------------------------------------


@page_view
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    is_hr = access.is_hr(request.user)
    form = CampaignForm(request.POST or None, initial={"year": timezone.localdate().year + 1}) if is_hr else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                campaign = services.campaign_open(
                    actor=request.user,
                    year=data["year"],
                    proposal_deadline=data["proposal_deadline"],
                    approval_deadline=data["approval_deadline"],
                )
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The leave schedule for %(year)s is open.") % {"year": campaign.year})
                return redirect("schedule-hr", year=campaign.year)
    context = {
        "campaigns": Campaign.objects.all(),
        "form": form,
        "manages": access.manages_anyone(request.user),
        "is_hr": is_hr,
    }
    return render(request, "schedule/index.html", context, status=400 if form is not None and form.errors else 200)


# --- the employee's year -----------------------------------------------------------------------------------


@page_view
@require_http_methods(["GET", "POST"])
def my_year(request: HttpRequest, year: int) -> HttpResponse:
    campaign = _campaign(year)
    me = access.employee_of(request.user)
    if me is None:
        raise NotFound("No employee record.")
    form = PartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.part_add(
                actor=request.user,
                year=campaign.year,
                start_date=data["start_date"],
                end_date=data["end_date"],
                leave_type=data["leave_type"],
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The part is added."))
            return redirect("schedule-year", year=campaign.year)
    parts = list(selectors.visible_parts(request.user, campaign).filter(employee=me))
    changes = selectors.open_changes(selectors.visible_parts(request.user, campaign).filter(employee=me))
    entitlement = []
    for code in services.SCHEDULED_TYPES:
        leave_type = leave_selectors.leave_type_by_code(code)
        available = services.available_for_year(employee=me, leave_type=leave_type, year=campaign.year)
        planned = sum((p.days for p in parts if p.leave_type_id == leave_type.pk and p.request_id is None), Decimal(0))
        if available or planned:
            entitlement.append(
                {"leave_type": leave_type, "available": available, "planned": planned, "left": available - planned}
            )
    context = {
        "campaign": campaign,
        "parts": [(p, changes.get(p.pk)) for p in parts],
        "form": form,
        "entitlement": entitlement,
        "has_long_part": any(p.calendar_days >= selectors.LONG_PART_DAYS for p in parts),
        "open": campaign.status == Campaign.Status.OPEN and timezone.localdate() <= campaign.proposal_deadline,
        "approved": campaign.status == Campaign.Status.APPROVED,
        "employee": me,
    }
    return render(request, "schedule/my_year.html", context, status=400 if form.errors else 200)


@page_view
@require_POST
def part_preview(request: HttpRequest, year: int) -> HttpResponse:
    """The add form's live answer (htmx): the part's length, the days charged and the entitlement left, or the
    rule it breaks — the same checks as adding it, nothing saved."""
    campaign = _campaign(year)
    me = access.employee_of(request.user)
    form = PartForm(request.POST)
    context: dict[str, Any] = {"days": None}
    if me is not None and form.is_valid():
        data = form.cleaned_data
        try:
            leave_type = leave_selectors.leave_type_by_code(data["leave_type"])
            days = services.check_part(
                campaign=campaign,
                employee=me,
                leave_type=leave_type,
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        except ApplicationError as exc:
            context["error"] = error_text(exc)
        else:
            parts = list(campaign.parts.filter(employee=me))
            planned = sum((p.days for p in parts if p.leave_type_id == leave_type.pk and p.request_id is None), days)
            available = services.available_for_year(employee=me, leave_type=leave_type, year=campaign.year)
            context.update(
                days=days,
                calendar_days=(data["end_date"] - data["start_date"]).days + 1,
                left=available - planned,
                has_long_part=any(p.calendar_days >= selectors.LONG_PART_DAYS for p in parts),
            )
    return render(request, "schedule/_preview.html", context)


@page_view
@require_POST
def part_action(request: HttpRequest, year: int, part_id: int, action: str) -> HttpResponse:
    """The buttons of a part: move, comment, delete, confirm as a leave request."""
    back = request.POST.get("back") or reverse("schedule-year", kwargs={"year": year})
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("schedule-year", kwargs={"year": year})
    if action == "move":
        form = MoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give both dates of the move."))
            return redirect(back)
        data = form.cleaned_data

        def move() -> Any:
            return services.part_move(
                actor=request.user,
                part_id=part_id,
                start_date=data["start_date"],
                end_date=data["end_date"],
                reason=data["reason"],
            )

        attempt(request, move, _("The move is recorded."))
    elif action == "comment":
        comment = CommentForm(request.POST)
        text = comment.cleaned_data["comment"] if comment.is_valid() else ""
        attempt(
            request,
            lambda: services.part_comment(actor=request.user, part_id=part_id, comment=text),
            _("The comment is saved."),
        )
    elif action == "delete":
        attempt(request, lambda: services.part_delete(actor=request.user, part_id=part_id), _("The part is removed."))
    elif action == "request":
        try:
            leave_request = services.part_to_request(actor=request.user, part_id=part_id)
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The leave request is filed from the schedule."))
            return redirect(leave_request.get_absolute_url())
    else:
        raise NotFound("No such action.")
    return redirect(back)


@page_view
@require_POST
def change_action(request: HttpRequest, year: int, change_id: int) -> HttpResponse:
    consent = request.POST.get("consent") == "yes"
    back = request.POST.get("back") or reverse("schedule-year", kwargs={"year": year})
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("schedule-year", kwargs={"year": year})
    attempt(
        request,
        lambda: services.change_decide(actor=request.user, change_id=change_id, consent=consent),
        _("The move is agreed.") if consent else _("The move is declined."),
    )
    return redirect(back)


# --- the manager's team year --------------------------------------------------------------------------------


MONTHS = [
    gettext_lazy("January"),
    gettext_lazy("February"),
    gettext_lazy("March"),
    gettext_lazy("April"),
    gettext_lazy("May"),
    gettext_lazy("June"),
    gettext_lazy("July"),
    gettext_lazy("August"),
    gettext_lazy("September"),
    gettext_lazy("October"),
    gettext_lazy("November"),
    gettext_lazy("December"),
]


@page_view
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, year: int) -> HttpResponse:
    """One calendar of the team's year: each employee's parts with the colleagues they overlap, the share of the
    team away on each day (a strip per month), and the department's submission."""
    campaign = _campaign(year)
    if not (access.manages_anyone(request.user) or access.is_hr(request.user)):
        raise PermissionDenied
    me = access.employee_of(request.user)
    department = None
    if request.GET.get("department"):
        try:
            department = access.visible_departments(request.user).get(pk=int(request.GET["department"]))
        except (Department.DoesNotExist, ValueError):
            raise NotFound("Unknown department.") from None
    headed = list(Department.objects.filter(head=me)) if me is not None else []
    if request.method == "POST":
        target = get_object_or_404(access.visible_departments(request.user), pk=request.POST.get("department") or 0)
        attempt(
            request,
            lambda: services.department_submit(actor=request.user, year=campaign.year, department=target),
            _("The department's schedule is submitted to HR."),
        )
        return redirect("schedule-team", year=campaign.year)
    team_year = selectors.team_year(request.user, campaign, department=department)
    days = team_year.days()
    months = []
    for index, name in enumerate(MONTHS, start=1):
        months.append({"name": name, "days": [d for d in days if d[0].month == index]})
    rows = [{"row": row, "parts": [(p, team_year.overlaps(p)) for p in row.parts]} for row in team_year.rows]
    submitted = set(campaign.submissions.values_list("department_id", flat=True))
    context = {
        "campaign": campaign,
        "rows": rows,
        "months": months,
        "size": team_year.size,
        "peak": max((d[2] for d in days), default=0),
        "headed": [(d, d.pk in submitted) for d in headed],
        "approved": campaign.status == Campaign.Status.APPROVED,
        "back": request.get_full_path(),
    }
    return render(request, "schedule/team.html", context)


# --- HR ------------------------------------------------------------------------------------------------------


@page_view
@require_http_methods(["GET", "POST"])
def hr_progress(request: HttpRequest, year: int) -> HttpResponse:
    """HR's page: progress per department, approval, the trade union's opinion, the exports, unsigned notices and
    the payroll lists."""
    if not access.is_hr(request.user):
        raise PermissionDenied
    campaign = _campaign(year)
    union = UnionForm(
        request.POST if request.POST.get("action") == "union" else None,
        initial={"date": campaign.union_opinion_date, "note": campaign.union_opinion_note},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "approve":
            attempt(
                request,
                lambda: services.campaign_approve(actor=request.user, year=campaign.year),
                _("The leave schedule for %(year)s is approved.") % {"year": campaign.year},
            )
            return redirect("schedule-hr", year=campaign.year)
        if action == "union" and union.is_valid():
            data = union.cleaned_data
            try:
                services.union_opinion_record(
                    actor=request.user, year=campaign.year, date=data["date"], note=data["note"]
                )
            except ApplicationError as exc:
                add_service_errors(union, exc)
            else:
                messages.success(request, _("The trade union's opinion is recorded."))
                return redirect("schedule-hr", year=campaign.year)
    today = timezone.localdate()
    progress = selectors.progress(campaign, page=request.GET.get("page"))
    context = {
        "campaign": campaign,
        "rows": progress.rows,
        "page": progress.page,
        "totals": {"employees": progress.employees, "proposed": progress.proposed, "submitted": progress.submitted},
        "shown": selectors.SHOWN_NAMES,
        "per_page": selectors.PAGE_EMPLOYEES,
        "union": union,
        "unsigned": list(notices.unacknowledged(on=today)[:200]),
        "payroll_lists": list(PayrollList.objects.prefetch_related("lines")[:10]),
        "late_lines": list(
            notices.PayrollLine.objects.filter(late=True, start_date__gte=today).select_related("employee")[:200]
        ),
        "open_changes": Change.objects.filter(part__campaign=campaign, status=Change.Status.PROPOSED).count(),
        "today": today,
    }
    return render(request, "schedule/hr.html", context, status=400 if union.errors else 200)


@page_view
@require_GET
def payroll_list(request: HttpRequest, list_id: int) -> HttpResponse:
    if not access.is_hr(request.user):
        raise PermissionDenied
    payroll = get_object_or_404(PayrollList, pk=list_id)
    lines = payroll.lines.select_related("employee", "employee__department")
    return render(request, "schedule/payroll.html", {"payroll": payroll, "lines": lines})


# --- notices ---------------------------------------------------------------------------------------------------


@page_view
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    me = access.employee_of(request.user)
    own = notices.visible_notices(request.user).filter(employee=me) if me is not None else []
    return render(request, "schedule/notices.html", {"notices": own})


@page_view
@require_http_methods(["GET", "POST"])
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = notices.notice_fetch(request.user, notice_id)
    if request.method == "POST":
        attempt(
            request,
            lambda: notices.notice_acknowledge(
                actor=request.user,
                notice_id=notice.pk,
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ),
            _("You have acknowledged the notice."),
        )
        return redirect("schedule-notice", notice_id=notice.pk)
    me = access.employee_of(request.user)
    context = {"notice": notice, "own": me is not None and me.pk == notice.employee_id}
    return render(request, "schedule/notice.html", context)


@page_view
@require_GET
def notice_print(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The notice on one page, for a paper signature when the employee has not signed it in the portal."""
    notice = notices.notice_fetch(request.user, notice_id)
    return render(request, "schedule/notice_print.html", {"notice": notice, "today": timezone.localdate()})
