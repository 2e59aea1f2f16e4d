"""HTML page of reports: order one (reports.services.report_request), watch its progress (an htmx fragment
polled while the job is queued or running; it reads the job row, never Celery), download the file."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from hrportal.errors import ApplicationError
from hrportal.pages import DateInput, add_service_errors, page_view
from reports import selectors, services
from reports.exporters import may_run_reports
from reports.models import ReportJob
from staff import access
from staff.models import Department

PAST_JOBS = 20


class DepartmentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Report"), choices=ReportJob.Kind.choices)
    date_from = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), widget=DateInput())
    department = DepartmentField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("All I may see"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = access.visible_departments(user).order_by("path")
        self.fields["kind"].choices = [(value, capfirst(label)) for value, label in ReportJob.Kind.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The period cannot end before it starts."))
        return data


@page_view
@require_http_methods(["GET", "POST"])
def reports_page(request: HttpRequest) -> HttpResponse:
    if not may_run_reports(request.user):
        raise PermissionDenied(_("Only HR and managers may run reports."))
    today = timezone.localdate()
    initial = {"date_from": dt.date(today.year, 1, 1), "date_to": today, "kind": ReportJob.Kind.HOLIDAY_WORK}
    form = ReportForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                job, created = services.report_request(
                    user=request.user,
                    kind=data["kind"],
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    department=data["department"],
                )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            if created:
                messages.success(request, _("Report #%(id)s is queued.") % {"id": job.pk})
            else:
                messages.info(request, _("The same report is already being built (#%(id)s).") % {"id": job.pk})
            return redirect("reports")
    jobs = _with_department_names(list(selectors.job_list(user=request.user)[:PAST_JOBS]))
    context = {"form": form, "jobs": jobs}
    status = 400 if (request.method == "POST" and form.errors) else 200
    return render(request, "reports/reports.html", context, status=status)


@page_view
@require_GET
def report_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """One job's row: polled by htmx every second while the job is queued or running."""
    job = _with_department_names([selectors.access_job(request.user, job_id)])[0]
    return render(request, "reports/_job.html", {"job": job})


def _with_department_names(jobs: list[ReportJob]) -> list[ReportJob]:
    """Name each job's department (one query for the lot)."""
    ids = {job.department_id for job in jobs if job.department_id}
    names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for job in jobs:
        job.department_name = names.get(job.department_id, "")  # type: ignore[attr-defined]
    return jobs
