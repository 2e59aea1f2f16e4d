"""The admin's imports: an "Import from a file" button on each list that takes one, the upload form, the job page
(progress, then the preview of every row — new / update / no change / error with its line — and the confirm
button), all HR only. The checking and writing run in Celery tasks (staff/tasks.py), never in the request.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from hrportal.errors import ApplicationError
from staff import access
from staff.imports import engine, services
from staff.imports.models import ImportJob

RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.PLANNING, ImportJob.Status.CONFIRMED, ImportJob.Status.APPLYING)


class ImportButtonMixin:
    """Adds "Import from a file" to a model's list, for the import kind named by `import_kind`."""

    import_kind: str = ""
    change_list_template = "admin/imports/change_list.html"

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra_context = extra_context or {}
        if self.import_kind and access.is_hr(request.user):
            extra_context["import_url"] = f"{reverse('admin:staff_importjob_add')}?kind={self.import_kind}"
        return super().changelist_view(request, extra_context)  # type: ignore[misc]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("what the file holds"))
    file = forms.FileField(label=_("file (CSV UTF-8 with “;”, or XLSX)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(code, kind.label) for code, kind in engine.KINDS.items()]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["file_name", "kind_display", "status", "counts_display", "created_by", "confirmed_by", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["created_by", "confirmed_by"]
    search_fields = ["file_name"]
    date_hierarchy = "created_at"

    @admin.display(description=_("what"))
    def kind_display(self, obj: ImportJob) -> str:
        kind = engine.KINDS.get(obj.kind)
        return str(kind.label) if kind else obj.kind

    @admin.display(description=_("rows"))
    def counts_display(self, obj: ImportJob) -> str:
        if not obj.counts:
            return "—"
        return " · ".join(f"{engine.STATUS_LABELS[k]}: {v}" for k, v in obj.counts.items() if v)

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request).select_related("created_by", "confirmed_by")
        return access.visible_in_admin(request.user, queryset)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_hr(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_hr(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.is_hr(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a job is read; its one action is "confirm"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record of who imported what stays

    def get_urls(self) -> list[Any]:
        confirm = path(
            "<int:job_id>/confirm/", self.admin_site.admin_view(self.confirm_view), name="staff_importjob_confirm"
        )
        return [confirm, *super().get_urls()]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")})
        if request.method == "POST" and form.is_valid():
            try:
                job = services.import_job_create(
                    kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"], actor=request.user
                )
            except ApplicationError as exc:
                for field, errors in exc.detail.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                return HttpResponseRedirect(reverse("admin:staff_importjob_change", args=[job.pk]))
        kinds = [(kind.label, ";".join(kind.columns), kind.required, kind.sample) for kind in engine.KINDS.values()]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import from a file"),
            "form": form,
            "kinds": kinds,
            "max_mb": settings.HRPORTAL["IMPORT_MAX_BYTES"] // 2**20,
        }
        return TemplateResponse(request, "admin/imports/upload.html", context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = self.get_object(request, object_id)
        if job is None:  # as Django's own change view: back to the list with a message
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        shown = request.GET.get("status", "")
        rows = [r for r in job.rows if not shown or r["status"] == shown]
        page = Paginator(rows, settings.HRPORTAL["IMPORT_PREVIEW_PAGE"]).get_page(request.GET.get("page"))
        kind = engine.KINDS.get(job.kind)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import of %(file)s") % {"file": job.file_name},
            "job": job,
            "kind_label": kind.label if kind else job.kind,
            "running": job.status in RUNNING,
            "page": page,
            "shown": shown,
            "statuses": [(code, label, job.counts.get(code, 0)) for code, label in engine.STATUS_LABELS.items()],
            "status_labels": {code: str(label) for code, label in engine.STATUS_LABELS.items()},
            "error_rows": [r for r in job.rows if r["status"] == engine.ERROR],
            "can_confirm": job.status == ImportJob.Status.READY
            and not (kind and kind.changes_pay and job.created_by_id == request.user.pk),
            "needs_second_person": bool(kind and kind.changes_pay),
        }
        return TemplateResponse(request, "admin/imports/job.html", context)

    def confirm_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(self.get_queryset(request), pk=job_id)
        try:
            services.import_job_confirm(job=job, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Confirmed: the file is being written."))
        return HttpResponseRedirect(reverse("admin:staff_importjob_change", args=[job.pk]))
