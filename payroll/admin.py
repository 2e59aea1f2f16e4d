"""HR's admin for payroll accruals: the list (read-only but for `counts`, HR's call under Regulation 922 items
2–3) and the upload form, which runs the same import as `manage.py import_payroll` — every bad row listed and
nothing written, unless HR asks for a partial import."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payroll.models import PayrollAccrual
from payroll.services import payroll_import
from staff import access


class PayrollUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Payroll file (CSV or XLSX)"),
        help_text=gettext_lazy(
            "Columns personnel_number;month;kind;amount;period_start;period_end;document (docs/payroll-import.md)."
        ),
    )
    partial = forms.BooleanField(
        label=gettext_lazy("Import the good rows even if some rows are bad"),
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > settings.HRPORTAL["PAYROLL_UPLOAD_MAX_BYTES"]:
            raise forms.ValidationError(_("The file is too large for the upload; use manage.py import_payroll."))
        return upload


@admin.register(PayrollAccrual)
class PayrollAccrualAdmin(admin.ModelAdmin):
    change_list_template = "admin/payroll/payrollaccrual/change_list.html"
    list_display = ["employee", "month", "kind", "amount", "period_start", "period_end", "document", "counts"]
    list_select_related = ["employee"]
    list_filter = ["kind", "counts", "month"]
    search_fields = ["employee__personnel_number", "employee__last_name", "document"]
    date_hierarchy = "month"
    fields = [
        "employee",
        "month",
        "kind",
        "amount",
        "period_start",
        "period_end",
        "document",
        "counts",
        "imported_at",
        "updated_at",
    ]
    readonly_fields = [f for f in fields if f != "counts"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PayrollAccrual]:
        return access.visible_in_admin(request.user, super().get_queryset(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_hr(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_hr(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_hr(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows come from the payroll system through the import

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a wrong row is corrected by importing it again (same document) from the payroll system

    def get_urls(self) -> list[URLPattern]:
        upload = path("import/", self.admin_site.admin_view(self.import_view), name="payroll_payrollaccrual_import")
        return [upload, *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (access.is_hr(request.user) and super().has_add_permission(request)):
            raise PermissionDenied
        form = PayrollUploadForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            # A file on disk for the two passes, whatever Django kept the upload in.
            with tempfile.NamedTemporaryFile(suffix=os.path.splitext(upload.name)[1].lower()) as copy:
                for chunk in upload.chunks():
                    copy.write(chunk)
                copy.flush()
                copy.seek(0)
                result = payroll_import(file=copy, name=copy.name, partial=form.cleaned_data["partial"])
            if not result.errors:
                messages.success(
                    request,
                    _("%(written)s rows imported from %(name)s.") % {"written": result.written, "name": upload.name},
                )
                return redirect(reverse("admin:payroll_payrollaccrual_changelist"))
            if result.written:
                messages.warning(
                    request,
                    _(
                        "PARTIAL IMPORT: %(written)s good rows of %(rows)s written; %(bad)s bad rows NOT imported "
                        "(listed below). Fix them and import the file again."
                    )
                    % {"written": result.written, "rows": result.rows, "bad": result.skipped},
                )
            else:
                messages.error(
                    request,
                    _("Nothing imported: %(errors)s errors in %(bad)s rows.")
                    % {"errors": len(result.errors), "bad": result.skipped},
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import payroll accruals"),
            "form": form,
            "result": result,
        }
        status = 400 if result is not None and result.errors and not result.written else 200
        return TemplateResponse(request, "admin/payroll/payrollaccrual/import.html", context, status=status)
