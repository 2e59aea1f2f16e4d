from django.urls import path

from staff import api

urlpatterns = [
    path("auth/token/", api.TokenApi.as_view(), name="api-token"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("departments/", api.DepartmentListApi.as_view(), name="api-department-list"),
    path("employees/", api.EmployeeListCreateApi.as_view(), name="api-employee-list"),
    path("employees/<int:pk>/", api.EmployeeDetailApi.as_view(), name="api-employee-detail"),
]
