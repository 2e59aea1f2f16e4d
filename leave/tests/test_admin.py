"""HR's admin: calendar edits report the leave they touch; the ledger is read-only but for adjustments."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.test import Client

from conftest import Cast
from leave import selectors, services
from leave.models import Absence, CalendarDay, LeaveAccount, LeaveEntry, LeaveType
from leave.tests.conftest import D, d

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_hr(cast: Cast) -> Client:
    user = User.objects.create_superuser("boss", "boss@example.test", "x")
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in get_messages(response.wsgi_request)]


def _book(cast: Cast) -> None:
    # 9–22 June 2025 holds 12 June, a public holiday: 13 days charged.
    services.leave_reserve(
        request_id=77,
        employee=cast.employee,
        leave_type="annual",
        start_date=d("2025-06-09"),
        end_date=d("2025-06-22"),
        days=D(13),
    )
    services.leave_reserve(
        request_id=78,
        employee=cast.outsider,
        leave_type="annual",
        start_date=d("2025-06-13"),
        end_date=d("2025-06-13"),
        days=D(1),
    )
    services.leave_use(request_id=78)


def test_calendar_edit_lists_and_requotes_the_leave_it_touches(
    cast: Cast, leave_types: dict[str, LeaveType], admin_client_hr: Client
) -> None:
    services.load_calendar(year=2025)
    _book(cast)
    day = CalendarDay.objects.get(date=d("2025-06-12"))
    response = admin_client_hr.post(
        f"/admin/leave/calendarday/{day.pk}/change/",
        {"date": "2025-06-12", "kind": "working_day", "shortened": "", "name": "", "moved_from": ""},
        follow=True,
    )
    assert response.status_code == 200
    text = " ".join(_messages(response))
    assert "Request #77" in text and "13.00 days booked, 14.00 days by the new calendar" in text
    assert "Re-quote needed" in text
    day.refresh_from_db()
    assert (day.kind, day.source) == ("working_day", "manual")


def test_affected_leave_selector(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    _book(cast)
    affected = selectors.affected_leave(dates=[d("2025-06-13")])
    assert [(a.request_id, a.status, a.days_booked, a.days_charged_now, a.changed) for a in affected] == [
        (77, "pending", D("13.00"), D("13.00"), False),
        (78, "approved", D("1.00"), D("1.00"), False),
    ]
    assert selectors.affected_leave(dates=[d("2025-07-01")]) == []
    assert selectors.affected_leave(dates=[]) == []
    services.leave_release(request_id=77)
    assert [a.request_id for a in selectors.affected_leave(dates=[d("2025-06-13")])] == [78]


def test_calendar_add_and_delete(cast: Cast, leave_types: dict[str, LeaveType], admin_client_hr: Client) -> None:
    _book(cast)
    response = admin_client_hr.post(
        "/admin/leave/calendarday/add/",
        {"date": "2025-06-13", "kind": "public_holiday", "shortened": "", "name": "Test", "moved_from": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "1.00 days booked, 0.00 days by the new calendar" in " ".join(_messages(response))
    day = CalendarDay.objects.get(date=d("2025-06-13"))
    response = admin_client_hr.post(f"/admin/leave/calendarday/{day.pk}/delete/", {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert "Request #78" in " ".join(_messages(response))
    other = CalendarDay.objects.create(date=d("2030-07-01"), kind="day_off")
    response = admin_client_hr.post(
        "/admin/leave/calendarday/",
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
        follow=True,
    )
    assert not CalendarDay.objects.filter(pk=other.pk).exists()
    assert "No pending or approved leave touches this date." in " ".join(_messages(response))
    assert admin_client_hr.get("/admin/leave/calendarday/?date__year=2025").status_code == 200


def test_hr_adjusts_a_balance_in_the_admin(
    cast: Cast, leave_types: dict[str, LeaveType], admin_client_hr: Client
) -> None:
    response = admin_client_hr.get("/admin/leave/leaveentry/add/")
    assert response.status_code == 200
    response = admin_client_hr.post(
        "/admin/leave/leaveentry/add/",
        {
            "employee": cast.employee.pk,
            "leave_type": leave_types["annual"].pk,
            "days": "3",
            "effective_date": "2025-01-01",
            "comment": "granted in advance",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LeaveEntry.objects.get(kind="adjustment")
    assert (entry.days, entry.comment, entry.account.employee_id) == (D(3), "granted in advance", cast.employee.pk)
    assert entry.actor.username == "boss"
    # Zero is refused by the form.
    response = admin_client_hr.post(
        "/admin/leave/leaveentry/add/",
        {
            "employee": cast.employee.pk,
            "leave_type": leave_types["annual"].pk,
            "days": "0",
            "effective_date": "2025-01-01",
            "comment": "x",
        },
    )
    assert response.status_code == 200 and LeaveEntry.objects.count() == 1
    # The entry is read-only: the change page shows it, a POST changes nothing, delete is forbidden.
    assert admin_client_hr.get(f"/admin/leave/leaveentry/{entry.pk}/change/").status_code == 200
    admin_client_hr.post(f"/admin/leave/leaveentry/{entry.pk}/change/", {"days": "30"})
    entry.refresh_from_db()
    assert entry.days == D(3)
    assert admin_client_hr.post(f"/admin/leave/leaveentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client_hr.get("/admin/leave/leaveentry/").status_code == 200
    account = LeaveAccount.objects.get()
    page = admin_client_hr.get(f"/admin/leave/leaveaccount/{account.pk}/change/")
    assert page.status_code == 200 and "available" in page.content.decode()
    assert admin_client_hr.get("/admin/leave/leaveaccount/").status_code == 200


def test_absences_and_types_in_the_admin(
    cast: Cast, leave_types: dict[str, LeaveType], admin_client_hr: Client
) -> None:
    absence = services.absence_record(
        employee=cast.employee, kind="sick", start_date=d("2025-03-03"), end_date=d("2025-03-07")
    )
    assert admin_client_hr.get("/admin/leave/absence/").status_code == 200
    assert admin_client_hr.get(f"/admin/leave/absence/{absence.pk}/change/").status_code == 200
    # HR records the absences of art. 121 and 255 here (sick, maternity, child care, no good cause, suspension).
    assert admin_client_hr.get("/admin/leave/absence/add/").status_code == 200
    annual = leave_types["annual"]
    page = admin_client_hr.get(f"/admin/leave/leavetype/{annual.pk}/change/")
    assert page.status_code == 200
    assert admin_client_hr.get("/admin/leave/leavetype/add/").status_code == 200
    assert Absence.objects.count() == 1


def test_other_staff_see_no_employee_rows(cast: Cast, leave_types: dict[str, LeaveType]) -> None:
    services.leave_adjust(employee=cast.employee, leave_type="annual", days=D(1), actor=None, comment="x")
    clerk = cast.outsider.user
    clerk.is_staff = True
    clerk.save()
    for codename in ("view_leaveentry", "add_leaveentry", "view_leaveaccount", "view_absence"):
        clerk.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    client.force_login(clerk)
    page = client.get("/admin/leave/leaveentry/")
    assert page.status_code == 200 and "0 leave ledger" in page.content.decode().replace("\xa0", " ")
    assert client.get("/admin/leave/leaveentry/add/").status_code == 403


def test_the_adjustment_form_finds_the_employee_as_hr_types(cast: Cast, admin_client_hr: Client) -> None:
    """Thousands of people: the form's employee field is the admin's autocomplete, answered by the employee
    admin's search."""
    html = admin_client_hr.get("/admin/leave/leaveentry/add/").content.decode()
    assert 'data-model-name="leaveaccount"' in html and 'data-field-name="employee"' in html
    response = admin_client_hr.get(
        "/admin/autocomplete/",
        {"app_label": "leave", "model_name": "leaveaccount", "field_name": "employee", "term": "кузнец"},
    )
    assert response.status_code == 200
    assert [int(item["id"]) for item in response.json()["results"]] == [cast.employee.pk]


def test_lists_show_leave_types_and_weekdays_by_name(cast: Cast, admin_client_hr: Client) -> None:
    _book(cast)
    html = admin_client_hr.get("/admin/leave/leaveentry/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<td class="field-leave_type">Ежегодный основной оплачиваемый отпуск</td>' in html
    assert ">annual<" not in html
    CalendarDay.objects.create(date=d("2025-06-12"), kind="public_holiday", name="День России")
    html = admin_client_hr.get("/admin/leave/calendarday/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<td class="field-weekday">Чт</td>' in html  # Thursday, 12 June 2025
