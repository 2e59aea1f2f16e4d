"""Report jobs in the admin: a read-only list for HR (filters by kind and status)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hrportal.admin_mixins import ReadOnlyAdmin
from reports import files
from reports.models import ReportJob
from staff.admin import HRAdminMixin


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin, HRAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "requester",
        "params_key",
        "status",
        "progress",
        "row_count",
        "attempts",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["requester__username", "params_key", "error"]
    date_hierarchy = "created_at"
    list_select_related = ["requester"]
    readonly_fields = [
        "requester",
        "kind",
        "params",
        "params_key",
        "status",
        "progress",
        "row_count",
        "download",
        "file_size",
        "error",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "attempts",
        "task_id",
        "worker",
        "file_purged_at",
    ]
    fields = readonly_fields

    @admin.display(description=_("file"))
    def download(self, job: ReportJob) -> str:
        if job.status != ReportJob.Status.DONE or not job.file:
            return "—"
        return format_html('<a href="{}">{}</a>', job.download_path(), files.download_name(job))


# Every admin list can export its selection (querysets are already scoped by each ModelAdmin).
from reports.admin_export import export_selected_xlsx  # noqa: E402

admin.site.add_action(export_selected_xlsx, "export_selected_xlsx")
