"""The live quote fragment and the team calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from leave.models import Absence
from requests_app.services import request_approve, request_create
from tests.ui.pages import subject_request

pytestmark = pytest.mark.django_db

QUOTE = {"leave_type": "annual", "start_date": "2026-04-27", "end_date": "2026-05-15"}


def test_the_quote_fragment_skips_public_holidays_and_shows_the_pay(cast, calendars, login) -> None:
    response = login(cast.employee).get(reverse("leave-quote-fragment"), QUOTE, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment
    assert "data-calendar-days>19<" in html and "data-days-charged>17<" in html
    assert html.count("<time") == 2 and "День Победы" in html
    assert "data-vacation-pay" in html and "data-available-after" in html


def test_the_quote_fragment_explains_what_is_missing_or_wrong(cast, calendars, login) -> None:
    client = login(cast.employee)
    assert "data-days-charged" not in client.get(reverse("leave-quote-fragment")).content.decode()
    wrong = client.get(reverse("leave-quote-fragment"), {**QUOTE, "end_date": "2026-04-01"}).content.decode()
    assert 'role="alert"' in wrong and "data-days-charged" not in wrong


def test_the_quote_fragment_is_for_logged_in_people(client) -> None:
    assert client.get(reverse("leave-quote-fragment"), QUOTE).status_code == 302


def _row(html: str, username: str) -> str:
    return html.split(f'data-employee="{username}"')[1].split("</tr>")[0]


def test_the_team_calendar_shows_the_subtrees_absences_by_day(cast, calendars, login) -> None:
    leave = subject_request(cast)  # 27.04–15.05, pending
    trip = request_create(
        actor=cast.sub_employee.user,
        kind="business_trip",
        start_date=dt.date(2026, 5, 4),
        end_date=dt.date(2026, 5, 6),
        destination="Казань",
        purpose="Выставка",
    )
    request_approve(request_id=trip.pk, actor=cast.sub_manager.user)
    Absence.objects.create(employee=cast.manager, kind="sick", start_date="2026-05-05", end_date="2026-05-05")
    request_create(  # outside the manager's subtree
        actor=cast.outsider.user,
        kind="business_trip",
        start_date=dt.date(2026, 5, 4),
        end_date=dt.date(2026, 5, 6),
        destination="Омск",
        purpose="Монтаж",
    )
    html = login(cast.manager).get(reverse("team-calendar"), {"month": "2026-05"}).content.decode()
    employee_row = _row(html, "employee")
    assert employee_row.count("absent k-leave pending") == 15  # 1–15 May
    assert reverse("request-detail", args=[leave.pk]) in employee_row
    assert _row(html, "sub_employee").count("absent k-business_trip approved") == 3
    assert _row(html, "manager").count("absent k-sick") == 1
    assert 'data-employee="outsider"' not in html
    footer = html.split("<tfoot>")[1]
    assert 'class="many">3<' in footer  # 5 May: three people away at once
    assert 'data-month="2026-05"' in html


def test_the_team_calendar_for_hr_filters_by_department_and_an_employee_sees_only_themself(
    cast, calendars, login
) -> None:
    hr = login(cast.hr)
    everyone = hr.get(reverse("team-calendar"), {"month": "2026-05"}).content.decode()
    assert 'data-employee="outsider"' in everyone and 'data-employee="employee"' in everyone
    engineering = hr.get(reverse("team-calendar"), {"month": "2026-05", "department": cast.engineering.pk})
    assert 'data-employee="employee"' not in engineering.content.decode()
    assert 'data-employee="outsider"' in engineering.content.decode()
    own = login(cast.employee).get(reverse("team-calendar"), {"month": "2026-05"}).content.decode()
    assert own.count("data-employee=") == 1
    # A department the user may not see is ignored, not shown.
    sneaky = login(cast.manager).get(reverse("team-calendar"), {"department": cast.engineering.pk}).content.decode()
    assert 'data-employee="outsider"' not in sneaky


def test_the_team_calendar_survives_a_bad_month(cast, calendars, login) -> None:
    assert login(cast.manager).get(reverse("team-calendar"), {"month": "2026-13"}).status_code == 200
    assert login(cast.manager).get(reverse("team-calendar"), {"month": "soon"}).status_code == 200
