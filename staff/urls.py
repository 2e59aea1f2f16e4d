from django.urls import path

from staff import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:delegation_id>/delete/", views.delegation_remove, name="delegation-delete"),
]
