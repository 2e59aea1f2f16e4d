"""The schedule's pages: who may open each, what they show, and HR's progress page within its query budget at
5 000 employees (the count does not move with the size of the organisation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from leave.models import LeaveType
from schedule import notices, services
from schedule.models import Campaign, Notice, Part
from schedule.notices import campaign_employees
from schedule.tests.conftest import YEAR
from staff.models import Employee, PayRate

pytestmark = pytest.mark.django_db

HR_PAGE_BUDGET = 25


def add(cast: Any, who: Any, start: dt.date, end: dt.date) -> Part:
    return services.part_add(actor=who.user, year=YEAR, start_date=start, end_date=end)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/schedule/", {"employee", "manager", "hr", "outsider"}),
        (f"/schedule/{YEAR}/", {"employee", "manager", "hr", "outsider"}),
        (f"/schedule/{YEAR}/team/", {"manager", "hr", "outsider_no"}),
        (f"/schedule/{YEAR}/hr/", {"hr"}),
        ("/schedule/notices/", {"employee", "manager", "hr", "outsider"}),
    ],
)
def test_who_opens_each_page(cast: Any, campaign: Campaign, login: Any, path: str, allowed: set[str]) -> None:
    for role in ("employee", "manager", "hr", "outsider"):
        status = login(getattr(cast, role)).get(path).status_code
        assert status == (200 if role in allowed else 403), (role, path, status)


def test_the_employee_page_shows_parts_and_entitlement(cast: Any, campaign: Campaign, login: Any) -> None:
    client = login(cast.employee)
    response = client.post(
        f"/schedule/{YEAR}/", {"start_date": "2027-06-01", "end_date": "2027-06-05", "leave_type": "annual"}
    )
    assert response.status_code == 302
    page = client.get(f"/schedule/{YEAR}/").content.decode()
    assert "01.06.2027" in page
    assert 'id="art125"' in page  # 5 days only: no part of 14 days yet (art. 125)
    bad = client.post(
        f"/schedule/{YEAR}/", {"start_date": "2027-06-03", "end_date": "2027-06-20", "leave_type": "annual"}
    )
    assert bad.status_code == 400
    assert Part.objects.count() == 1


def test_the_preview_answers_with_days_or_the_rule(cast: Any, campaign: Campaign, login: Any) -> None:
    client = login(cast.employee)
    ok = client.post(
        f"/schedule/{YEAR}/preview/", {"start_date": "2027-06-01", "end_date": "2027-06-14", "leave_type": "annual"}
    )
    assert ok.status_code == 200
    assert "13" in ok.content.decode() and "14" in ok.content.decode()
    before = client.post(
        f"/schedule/{YEAR}/preview/", {"start_date": "2026-12-28", "end_date": "2027-01-10", "leave_type": "annual"}
    )
    assert "notice error" in before.content.decode()
    assert not Part.objects.exists()


def test_the_manager_sees_overlaps_and_moves_a_part(cast: Any, campaign: Campaign, login: Any) -> None:
    part = add(cast, cast.employee, dt.date(2027, 6, 1), dt.date(2027, 6, 14))
    add(cast, cast.sub_employee, dt.date(2027, 6, 10), dt.date(2027, 6, 23))
    client = login(cast.manager)
    page = client.get(f"/schedule/{YEAR}/team/").content.decode()
    assert "Волков" in page and 'data-date="2027-06-10" data-away="2"' in page
    moved = client.post(
        f"/schedule/{YEAR}/parts/{part.pk}/move/",
        {"start_date": "2027-07-01", "end_date": "2027-07-14", "reason": "overlap", "back": f"/schedule/{YEAR}/team/"},
    )
    assert moved.status_code == 302
    part.refresh_from_db()
    assert part.start_date == dt.date(2027, 7, 1)
    assert (
        login(cast.outsider)
        .post(f"/schedule/{YEAR}/parts/{part.pk}/move/", {"start_date": "2027-08-01", "end_date": "2027-08-14"})
        .status_code
        == 404
    )
    submitted = client.post(f"/schedule/{YEAR}/team/", {"department": cast.sales.pk})
    assert submitted.status_code == 302
    assert campaign.submissions.get().department == cast.sales


def test_hr_approves_records_the_union_opinion_and_prints_notices(cast: Any, campaign: Campaign, login: Any) -> None:
    add(cast, cast.employee, dt.date(2027, 6, 1), dt.date(2027, 6, 14))
    client = login(cast.hr)
    assert (
        client.post(f"/schedule/{YEAR}/hr/", {"action": "union", "date": "2026-12-10", "note": "agreed"}).status_code
        == 302
    )
    assert client.post(f"/schedule/{YEAR}/hr/", {"action": "approve"}).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.status, campaign.union_opinion_date) == ("approved", dt.date(2026, 12, 10))
    notices.send_due_notices(on=dt.date(2027, 5, 22))
    notice = Notice.objects.get()
    import time_machine

    with time_machine.travel(dt.datetime(2027, 5, 22, 9, tzinfo=dt.UTC), tick=False):
        page = login(cast.hr).get(f"/schedule/{YEAR}/hr/").content.decode()
    assert f'data-notice="{notice.pk}"' in page
    printed = client.get(f"/schedule/notices/{notice.pk}/print/")
    assert printed.status_code == 200 and "01.06.2027" in printed.content.decode()
    assert login(cast.outsider).get(f"/schedule/notices/{notice.pk}/print/").status_code == 404
    signed = login(cast.employee).post(f"/schedule/notices/{notice.pk}/", HTTP_USER_AGENT="Test/1")
    assert signed.status_code == 302
    assert Notice.objects.get().acknowledgement.user_agent == "Test/1"


def _bulk_people(cast: Any, count: int, tag: str) -> list[Employee]:
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [User(username=f"{tag}{i}", password=password, email=f"{tag}{i}@example.test") for i in range(count)]
    )
    departments = [cast.sales, cast.sales_east, cast.engineering, cast.hr_department]
    people = Employee.objects.bulk_create(
        [
            Employee(
                user=user,
                personnel_number=f"{tag}{i:05d}",
                last_name=f"Сотрудник{tag}{i}",
                first_name="Тест",
                email=user.email,
                department=departments[i % len(departments)],
                hire_date=dt.date(2023, 1, 9),
            )
            for i, user in enumerate(users)
        ]
    )
    PayRate.objects.bulk_create(
        [PayRate(employee=e, effective_date=e.hire_date, fte=Decimal(1), salary=Decimal(90000)) for e in people]
    )
    return people


def _bulk_parts(campaign: Campaign, people: list[Employee]) -> None:
    annual = LeaveType.objects.get(code="annual")
    rows = []
    for i, person in enumerate(people):
        if i % 5 == 0:
            continue  # one in five has not proposed
        start = dt.date(YEAR, 2 + i % 9, 1)
        length = 14 if i % 3 else 7  # some have parts under 14 days only
        rows.append(
            Part(
                campaign=campaign,
                employee=person,
                leave_type=annual,
                start_date=start,
                end_date=start + dt.timedelta(days=length - 1),
                days=Decimal(length),
            )
        )
    Part.objects.bulk_create(rows)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_hr_progress_page_stays_within_its_budget_at_5000_employees(
    cast: Any, campaign: Campaign, login: Any
) -> None:
    client = login(cast.hr)
    url = f"/schedule/{YEAR}/hr/"
    client.get(url)  # the session's first touch (renewed at most once a minute) is not the page's cost
    people = _bulk_people(cast, 200, "a")
    _bulk_parts(campaign, people)
    small = _queries(client, url)
    more = _bulk_people(cast, 4800, "b")
    _bulk_parts(campaign, more)
    assert Employee.objects.count() >= 5000
    large = _queries(client, url)
    assert large == small <= HR_PAGE_BUDGET
    # One in five of the 5 000 has not proposed (1 000), nor has anyone of the cast (eight active people).
    import re

    page = client.get(url).content.decode()
    assert re.search(r'id="campaign-status">.*?\b4000\b.*?\b5008\b', page, re.S), "the company's totals"
    # Each department's line counts the whole department, whichever page lists its names.
    short_people = {p.employee_id for p in Part.objects.filter(campaign=campaign)} - {
        p.employee_id for p in Part.objects.filter(campaign=campaign) if p.calendar_days >= 14
    }
    seen: set[str] = set()
    for number in (1, 2, 51, 101):  # 50 a page: the first, a cut department, the middle, the end
        page = client.get(f"{url}?page={number}").content.decode()
        for department, silent, short in re.findall(
            r'data-department="(\d+)">.*?class="silent" data-count="(\d+)".*?class="short" data-count="(\d+)"',
            page,
            re.S,
        ):
            people = campaign_employees(campaign).filter(department_id=int(department))
            assert int(silent) == people.exclude(schedule_parts__campaign=campaign).count()
            assert int(short) == people.filter(pk__in=short_people).count()
            seen.add(department)
    assert len(seen) >= 4


def test_hr_opens_and_approves_a_year_in_the_admin(cast: Any, autumn: Any) -> None:
    from django.test import Client

    from staff.services import hr_group_ensure

    hr_group_ensure()
    cast.hr.user.is_staff = True
    cast.hr.user.save()
    client = Client()
    client.force_login(cast.hr.user)
    form = {
        "year": "2027",
        "proposal_deadline": "2026-12-01",
        "submissions-TOTAL_FORMS": "0",
        "submissions-INITIAL_FORMS": "0",
    }
    added = client.post("/admin/schedule/campaign/add/", form)
    assert added.status_code == 302, added.content.decode()[:2000]
    campaign = Campaign.objects.get(year=2027)
    assert (campaign.approval_deadline, campaign.opened_by) == (dt.date(2026, 12, 17), cast.hr.user)
    again = client.post("/admin/schedule/campaign/add/", form)
    assert again.status_code == 200 and "уже открыт" in again.content.decode()
    approved = client.post(
        "/admin/schedule/campaign/", {"action": "approve", "_selected_action": [campaign.pk], "index": 0}
    )
    assert approved.status_code == 302
    assert Campaign.objects.get(year=2027).status == "approved"
    assert client.get(f"/admin/schedule/campaign/{campaign.pk}/change/").status_code == 200
