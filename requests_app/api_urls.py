from django.urls import path

from requests_app import api

urlpatterns = [
    path("employees/<int:pk>/rates/", api.EmployeeRatesCorrectionApi.as_view(), name="api-employee-rates"),
    path("requests/", api.RequestListCreateApi.as_view(), name="api-requests"),
    path("requests/<int:request_id>/", api.RequestDetailApi.as_view(), name="api-request-detail"),
    path("requests/<int:request_id>/approve/", api.RequestApproveApi.as_view(), name="api-request-approve"),
    path("requests/<int:request_id>/reject/", api.RequestRejectApi.as_view(), name="api-request-reject"),
    path("requests/<int:request_id>/cancel/", api.RequestCancelApi.as_view(), name="api-request-cancel"),
    path(
        "requests/<int:request_id>/decline-cancellation/",
        api.RequestDeclineCancellationApi.as_view(),
        name="api-request-decline-cancellation",
    ),
]
