from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from staff.access import employee_of, roles_of


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "staff/dashboard.html",
        {"employee": employee_of(request.user), "roles": roles_of(request.user)},
    )
