import pytest
from django.test import Client
from leave.services import load_calendar

@pytest.mark.django_db
def test_scratch(cast):
    load_calendar(year=2026); load_calendar(year=2025)
    from requests_app.services import request_create
    from leave.models import LeaveType
    import datetime as dt
    r = request_create(actor=cast.employee.user, kind="leave", leave_type=LeaveType.objects.get(code="annual"), start_date=dt.date(2026,4,27), end_date=dt.date(2026,5,15))
    for who in ("employee", "manager", "hr", "outsider"):
        c = Client(); c.force_login(getattr(cast, who).user)
        for url in ["/", "/profile/", "/requests/", "/requests/new/", "/requests/new/leave/", "/requests/new/business_trip/", "/requests/new/certificate/",
                    f"/requests/{r.pk}/", "/approvals/", "/team/calendar/?month=2026-05", "/rates/new/", "/reports/", "/delegations/",
                    "/leave/quote/?leave_type=annual&start_date=2026-04-27&end_date=2026-05-15", "/requests/?scope=team"]:
            resp = c.get(url)
            print(who, url, resp.status_code)
            assert resp.status_code in (200, 403, 404), resp.content[:3000]
