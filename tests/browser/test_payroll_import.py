"""Issue 17 in a real browser (Debian's chromium through Playwright, pytest-django's live server; no worker):
HR uploads a small payroll file with bad rows in the admin, sees every bad row with its line number and nothing
imported; then uploads the corrected file and sees the accruals in the list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD, Cast
from payroll.models import PayrollAccrual
from staff.services import hr_group_ensure
from tests.browser.test_flows import CHROMIUM, TIMEOUT_MS, VIEWPORT, browser, settled, shots  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM} (apt)"),
]
HEADER = "personnel_number;month;kind;amount;period_start;period_end;document\n"


@pytest.fixture
def cast(db: None) -> Cast:
    cast = Cast()
    cast.hr.user.is_staff = True
    cast.hr.user.save()
    cast.hr.user.groups.add(hr_group_ensure())
    return cast


def _login(browser: Any, base_url: str, username: str) -> Any:  # noqa: F811
    context = browser.new_context(viewport=VIEWPORT, locale="ru-RU", timezone_id="Europe/Moscow", base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")  # not a click: the header's RU/EN switch is a submit button too
    page.wait_for_url(f"{base_url}/")
    return page


def test_hr_imports_a_payroll_file_in_the_admin(
    cast: Cast,
    live_server: Any,
    browser: Any,  # noqa: F811
    shots: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    number = cast.employee.personnel_number
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + f"{number};2025-01;salary;100000;;;ZP-1\n"
        + "X-404;2025-01;salary;100000;;;ZP-1\n"
        + f"{number};2025-1;allowance;5000;;;ZP-2\n"
        + f"{number};2025-02;bonus_month;-10;;;ZP-3\n"
        + f"{number};2025-01;salary;100000;;;ZP-1\n",
        encoding="utf-8",
    )
    page = _login(browser, live_server.url, "hr")
    page.goto("/admin/payroll/payrollaccrual/")
    page.click("text=Загрузить файл начислений")
    page.set_input_files("#id_file", str(bad))
    page.click("input[type=submit][value='Загрузить']")
    errors = page.locator("[data-testid=import-errors] li").all_inner_texts()
    shots(page, "20-payroll-import-errors")
    assert errors == [
        "строка 3, personnel_number: неизвестный табельный номер 'X-404'",
        "строка 4, month: ожидается ГГГГ-ММ, получено '2025-1'",
        "строка 5, amount: начисление вида bonus_month не может быть отрицательным",
        "строка 6, document: повторяет строку 2",
    ]
    assert "Ничего не загружено" in page.inner_text("body")
    assert PayrollAccrual.objects.count() == 0

    good = tmp_path / "good.csv"
    good.write_text(
        HEADER + f"{number};2025-01;salary;100000;;;ZP-1\n{number};2025-02;bonus_month;10000,50;;;ZP-3\n",
        encoding="utf-8",
    )
    page.set_input_files("#id_file", str(good))
    page.click("input[type=submit][value='Загрузить']")
    page.wait_for_url(f"{live_server.url}/admin/payroll/payrollaccrual/")
    assert "Загружено строк из good.csv: 2." in page.inner_text("body")
    assert page.locator("#result_list tbody tr").count() == 2
    shots(page, "21-payroll-import-done")
    assert PayrollAccrual.objects.count() == 2


def test_the_quote_shows_the_payroll_working_within_its_card(
    cast: Cast,
    live_server: Any,
    browser: Any,  # noqa: F811
    shots: Any,  # noqa: F811
) -> None:
    """Payroll months with every kind of line (a long document id, a second monthly bonus, sick pay), a month below
    the minimum wage and an indexation: the working is on the page in Russian, inside the quote's card at 1280 px."""
    import datetime as dt
    from decimal import Decimal

    from conftest import ensure_leave_types
    from leave.services import load_calendar
    from staff.services import pay_rate_record

    ensure_leave_types()
    for year in (2025, 2026):
        load_calendar(year=year)
    employee = cast.employee
    pay_rate_record(
        employee=employee, effective_date=dt.date(2025, 9, 1), fte=Decimal(1), salary=Decimal(120000), indexation=True
    )
    for month in range(1, 13):
        day = dt.date(2025, month, 1)
        salary = Decimal(15000) if month == 3 else Decimal(100000)
        PayrollAccrual.objects.create(employee=employee, month=day, kind="salary", amount=salary, counts=True)
        if month == 3:
            continue  # March: 15 000 alone, below the minimum wage of 22 440
        PayrollAccrual.objects.create(
            employee=employee, month=day, kind="bonus_month", amount=Decimal(20000), counts=True, document="П" * 100
        )
    PayrollAccrual.objects.create(
        employee=employee, month=dt.date(2025, 4, 1), kind="bonus_month", amount=1, counts=True, document="extra"
    )
    PayrollAccrual.objects.create(
        employee=employee, month=dt.date(2025, 5, 1), kind="sick_pay", amount=Decimal(3000), counts=False
    )
    page = _login(browser, live_server.url, "employee")
    page.goto("/requests/new/leave/")
    page.select_option("#id_leave_type", "annual")
    page.fill("#id_start_date", "2026-02-02")
    page.fill("#id_end_date", "2026-02-15")
    page.locator("#id_end_date").dispatch_event("change")
    settled(page)
    page.wait_for_selector("#quote [data-testid=average-breakdown]", state="attached")
    page.click("#quote details summary")
    table = page.locator("#quote [data-testid=average-breakdown]")
    text = table.inner_text()
    assert "данные расчёта зарплаты" in text and "не учитывается: одна ежемесячная премия за месяц" in text
    assert "больничный" in text and "МРОТ" in text
    table.scroll_into_view_if_needed()
    shots(page, "22-leave-quote-payroll-ru")
    geometry = table.evaluate(
        """(table) => ({scrollWidth: table.parentElement.scrollWidth, clientWidth: table.parentElement.clientWidth,
                       pageWide: document.documentElement.scrollWidth > document.documentElement.clientWidth})"""
    )
    assert geometry["scrollWidth"] <= geometry["clientWidth"] and not geometry["pageWide"], geometry
