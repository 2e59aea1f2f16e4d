from django.urls import path

from schedule import views

urlpatterns = [
    path("schedule/", views.index, name="schedule-index"),
    path("schedule/<int:year>/", views.my_year, name="schedule-year"),
    path("schedule/<int:year>/preview/", views.part_preview, name="schedule-part-preview"),
    path("schedule/<int:year>/team/", views.team, name="schedule-team"),
    path("schedule/<int:year>/hr/", views.hr_progress, name="schedule-hr"),
    path("schedule/<int:year>/parts/<int:part_id>/<str:action>/", views.part_action, name="schedule-part-action"),
    path("schedule/<int:year>/changes/<int:change_id>/", views.change_action, name="schedule-change-action"),
    path("schedule/notices/", views.notice_list, name="schedule-notices"),
    path("schedule/notices/<int:notice_id>/", views.notice_detail, name="schedule-notice"),
    path("schedule/notices/<int:notice_id>/print/", views.notice_print, name="schedule-notice-print"),
    path("schedule/payroll/<int:list_id>/", views.payroll_list, name="schedule-payroll"),
]
