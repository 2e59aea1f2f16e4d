from django.urls import path

from leave import views

urlpatterns = [
    path("leave/overdue/", views.overdue_leave, name="leave-overdue"),
    path("leave/settlement/<int:employee_id>/", views.leave_settlement, name="leave-settlement-page"),
]
