from django.urls import path

from staff import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
]
