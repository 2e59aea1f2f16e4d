from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.reports_page, name="reports"),
    path("reports/<int:job_id>/progress/", views.report_progress, name="report-progress"),
]
