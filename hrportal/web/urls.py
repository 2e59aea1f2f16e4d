from django.urls import path

from hrportal.web import dashboard, team_calendar

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("team/calendar/", team_calendar.team_calendar, name="team-calendar"),
]
