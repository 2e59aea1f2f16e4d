from django.urls import path

from reports import api

urlpatterns = [
    path("reports/", api.ReportListCreateApi.as_view(), name="api-reports"),
    path("reports/<int:job_id>/", api.ReportDetailApi.as_view(), name="api-report-detail"),
    path("reports/<int:job_id>/download/", api.ReportDownloadApi.as_view(), name="api-report-download"),
    # The leave schedule's export (form T-7) lives with the other report jobs.
    path("schedule/<int:year>/export/", api.ScheduleExportApi.as_view(), name="api-schedule-export"),
]
