from django.urls import path

from requests_app import delegation_views, views

urlpatterns = [
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_new, name="request-new"),
    # One URL per kind (/requests/new/<kind>/), each named, so links and tests need no parameter.
    path("requests/new/leave/", views.request_create, {"kind": "leave"}, name="request-new-leave"),
    path("requests/new/business_trip/", views.request_create, {"kind": "business_trip"}, name="request-new-trip"),
    path("requests/new/certificate/", views.request_create, {"kind": "certificate"}, name="request-new-certificate"),
    path("requests/<int:request_id>/", views.request_detail, name="request-detail"),
    path("requests/<int:request_id>/approve/", views.request_approve, name="request-approve"),
    path("requests/<int:request_id>/reject/", views.request_reject, name="request-reject"),
    path("requests/<int:request_id>/cancel/", views.request_cancel, name="request-cancel"),
    path(
        "requests/<int:request_id>/decline-cancellation/",
        views.request_decline_cancellation,
        name="request-decline-cancellation",
    ),
    path("approvals/", views.approvals, name="approvals"),
    path("rates/new/", views.rate_change_new, name="rate-change-new"),
    path("leave/quote/", views.leave_quote, name="leave-quote-fragment"),
    # A delegation is the authority to decide requests on a manager's behalf (requests_app/delegations.py).
    path("delegations/", delegation_views.delegations, name="delegations"),
    path("delegations/<int:delegation_id>/delete/", delegation_views.delegation_remove, name="delegation-delete"),
]
