"""Issue 17 end to end: payroll data and indexation reach the quote (API and page), the settlement, and the admin's
bulk indexation — the arithmetic of each case is in leave/tests/test_pay_922.py; here it is checked to arrive."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from conftest import make_employee
from documents.models import Document
from documents.services import signature_record_paper
from requests_app.models import Request
from staff.models import HR_GROUP, PayRate
from staff.services import hr_group_ensure, pay_rate_record

pytestmark = pytest.mark.django_db
HEADER = "personnel_number;month;kind;amount;period_start;period_end;document\n"
QUOTE = {"leave_type": "annual", "start_date": "2025-07-14", "end_date": "2025-07-27"}


@pytest.fixture
def second_hr(cast):
    person = make_employee(username="hr2", department=cast.hr_department, last_name="Зайцева")
    person.user.groups.add(Group.objects.get(name=HR_GROUP))
    return person


def _payroll(tmp_path: Path, number: str, bonus: str = "25000") -> None:
    """12 months (July 2024 – June 2025) of salary 100 000 and a monthly bonus, plus sick pay that never counts."""
    lines = [HEADER]
    for i in range(12):
        month = f"{2024 + (6 + i) // 12}-{(6 + i) % 12 + 1:02d}"
        lines.append(
            f"{number};{month};salary;100000;;;ZP-{month}\n{number};{month};bonus_month;{bonus};;;PR-{month}\n"
        )
    lines.append(f"{number};2025-02;sick_pay;3000;;;BL-1\n")
    path = tmp_path / "payroll.csv"
    path.write_text("".join(lines), encoding="utf-8")
    call_command("import_payroll", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_organisation_wide_raise_through_the_api(cast, leave_types, api, second_hr) -> None:
    """HR files 100 000 → 120 000 from 01.01.2025 as an indexation; the manager and another HR member approve.
    The quote of a 28-day leave from 07.07.2025: 1 440 000 / 351.6 = 4 095.5631… → 4 095.56; × 28 = 114 675.68
    (leave/tests/test_pay_922.py::test_organisation_wide_raise_inside_the_period)."""
    body = {
        "kind": "rate_change",
        "employee": cast.employee.pk,
        "effective_date": "2025-01-01",
        "fte": "1.00",
        "salary": "120000.00",
        "indexation": True,
    }
    filed = api(cast.hr).post("/api/v1/requests/", body, format="json")
    assert filed.status_code == 201, filed.json()
    assert filed.json()["indexation"] is True
    rid = filed.json()["id"]
    assert api(cast.manager).post(f"/api/v1/requests/{rid}/approve/").status_code == 200
    assert api(second_hr).post(f"/api/v1/requests/{rid}/approve/").json()["status"] == "approved"
    # Art. 72: the raise takes effect once the supplementary agreement is signed (HR records the paper signature).
    agreement = Document.objects.get(request_id=rid, kind="rate_agreement")
    signature_record_paper(document_id=agreement.pk, actor=second_hr.user)
    assert PayRate.objects.get(employee=cast.employee, effective_date=dt.date(2025, 1, 1)).indexation is True

    quote = api(cast.employee).post(
        "/api/v1/leave/quote/", {"leave_type": "annual", "start_date": "2025-07-07", "end_date": "2025-08-03"}
    )
    assert quote.status_code == 200, quote.json()
    data = quote.json()
    assert (data["average_daily_earnings"], data["vacation_pay"]) == ("4095.56", "114675.68")
    assert [m["indexation"] for m in data["breakdown"]] == ["1.2000"] * 6 + ["1.0000"] * 6
    assert {m["source"] for m in data["breakdown"]} == {"salary"}
    assert len(data["average_earnings"]["salary_months"]) == 12


def test_a_manager_may_not_mark_an_indexation(cast, api) -> None:
    body = {
        "kind": "rate_change",
        "employee": cast.employee.pk,
        "effective_date": "2030-01-01",
        "fte": "1.00",
        "salary": "120000.00",
        "indexation": True,
    }
    response = api(cast.manager).post("/api/v1/requests/", body, format="json")
    assert response.status_code == 403
    assert not Request.objects.filter(kind="rate_change").exists()


def test_quote_and_settlement_from_imported_payroll(cast, leave_types, api, tmp_path) -> None:
    """Salary 100 000 + monthly bonus 25 000 for 12 months: 1 500 000 / 351.6 = 4 266.2116… → 4 266.21;
    × 14 = 59 726.94. Sick pay is listed, not counted."""
    _payroll(tmp_path, cast.employee.personnel_number)
    data = api(cast.employee).post("/api/v1/leave/quote/", QUOTE).json()
    assert (data["average_daily_earnings"], data["vacation_pay"]) == ("4266.21", "59726.94")
    february = next(m for m in data["breakdown"] if m["month"] == "2025-02")
    assert february["source"] == "payroll" and february["counted_pay"] == "125000.00"
    assert {p["kind"]: p["status"] for p in february["payments"]} == {
        "salary": "counted",
        "bonus_month": "counted",
        "sick_pay": "not_counted",
    }
    assert data["average_earnings"]["salary_months"] == []
    settlement = api(cast.hr).get(
        "/api/v1/leave/settlement/", {"employee": cast.employee.pk, "on": "2025-07-14", "ground": "own_wish"}
    )
    assert settlement.status_code == 200, settlement.json()
    assert settlement.json()["average_daily_earnings"] == "4266.21"
    assert len(settlement.json()["breakdown"]) == 12


def test_the_quote_page_shows_the_working_in_russian(cast, leave_types, login, tmp_path) -> None:
    _payroll(tmp_path, cast.employee.personnel_number)
    page = login(cast.employee).get(reverse("leave-quote-fragment"), QUOTE)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-source="payroll"' in html and "данные расчёта зарплаты" in html
    assert "больничн" in html.lower() and "не учитывается" in html


def test_the_quote_page_says_when_a_month_has_no_payroll_data(cast, leave_types, login) -> None:
    html = login(cast.employee).get(reverse("leave-quote-fragment"), QUOTE).content.decode()
    assert "data-salary-months" in html and "Нет данных расчёта зарплаты" in html


def test_the_settlement_page_shows_the_average(cast, leave_types, login, tmp_path) -> None:
    _payroll(tmp_path, cast.employee.personnel_number)
    url = f"/leave/settlement/{cast.employee.pk}/?on=2025-07-14&ground=own_wish"
    html = login(cast.hr).get(url).content.decode()
    assert 'data-testid="settlement-average"' in html and html.count('data-source="payroll"') == 12


def test_bulk_indexation_in_the_admin_files_requests_the_four_eyes_way(cast, login, second_hr) -> None:
    """+10 % from 01.01.2026 for the sales department: 100 000 → 110 000 each, FTE kept; the HR filer is
    skipped for themself (nobody changes their own pay), and every request waits for its approvers."""
    cast.hr.user.is_staff = True
    cast.hr.user.save()
    cast.hr.user.groups.add(hr_group_ensure())
    client = login(cast.hr)
    chosen = [cast.employee.pk, cast.manager.pk, cast.hr.pk]
    url = reverse("admin:staff_employee_changelist")
    form = client.post(url, {"action": "index_salaries", "_selected_action": chosen})
    assert form.status_code == 200 and "percent" in form.content.decode()
    done = client.post(
        url,
        {
            "action": "index_salaries",
            "_selected_action": chosen,
            "apply": "1",
            "percent": "10",
            "effective_date": "2026-01-01",
            "comment": "Приказ № 5 об индексации",
        },
    )
    assert done.status_code == 302
    filed = Request.objects.filter(kind="rate_change").select_related("rate_change").order_by("employee_id")
    assert [(r.employee_id, r.rate_change.salary, r.rate_change.indexation, r.status) for r in filed] == [
        (pk, Decimal("110000.00"), True, "pending") for pk in sorted([cast.employee.pk, cast.manager.pk])
    ]
    assert not PayRate.objects.filter(effective_date=dt.date(2026, 1, 1)).exists()  # nothing until approved


def test_the_indexation_action_is_hr_only(cast, login) -> None:
    manager = cast.manager.user
    manager.is_staff = True
    manager.save()
    response = login(cast.manager).post(
        reverse("admin:staff_employee_changelist"),
        {"action": "index_salaries", "_selected_action": [cast.employee.pk], "apply": "1", "percent": "10"},
    )
    assert response.status_code in (302, 403)
    assert not Request.objects.exists()


def test_raises_after_the_period_and_during_the_leave_through_the_api(cast, leave_types, api) -> None:
    """An indexation to 110 000 on 01.07.2025 (recorded as approved). Leave 23.06–20.07.2025 (28 days): June 2024 –
    May 2025 at 100 000 → 3 412.97 a day; from 1 July × 1.1 → 3 754.27: 8 × 3 412.97 + 20 × 3 754.27 = 102 389.16
    (test_pay_922.py::test_raise_during_the_leave). A leave from 14.07.2025 is wholly after the raise: 3 754.27."""
    pay_rate_record(
        employee=cast.employee,
        effective_date=dt.date(2025, 7, 1),
        fte=Decimal(1),
        salary=Decimal(110000),
        indexation=True,
    )
    during = (
        api(cast.employee)
        .post("/api/v1/leave/quote/", {"leave_type": "annual", "start_date": "2025-06-23", "end_date": "2025-07-20"})
        .json()
    )
    assert (during["average_daily_earnings"], during["vacation_pay"]) == ("3412.97", "102389.16")
    assert [(p["start"], p["days"], p["daily"]) for p in during["average_earnings"]["parts"]] == [
        ("2025-06-23", 8, "3412.97"),
        ("2025-07-01", 20, "3754.27"),
    ]
    after = api(cast.employee).post("/api/v1/leave/quote/", QUOTE).json()
    assert after["average_earnings"]["indexation_after"] == "1.1000"
    assert (after["average_daily_earnings"], after["vacation_pay"]) == ("3754.27", "52559.78")
