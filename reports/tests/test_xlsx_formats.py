"""Excel that opens right: real date cells shown DD.MM.YYYY, money with two decimals and a thousands separator,
a frozen bold header, an autofilter over the data, columns as wide as their contents, totals as values — for
the writer alone and for every report kind as exported."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from reports.exporters import export_to_file
from reports.tests.conftest import HolidayFixture
from reports.tests.test_cli_and_kinds import _request
from reports.xlsx import DATE, DATETIME, MAX_WIDTH, MONEY, SAMPLE_ROWS, Report, SummaryRow, write_report
from requests_app.models import Request, RequestEvent

RU_DATE = "DD.MM.YYYY"
RU_DATETIME = "DD.MM.YYYY HH:MM"
MONEY_FORMAT = "#,##0.00"
ISO_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _sheet(path: Path) -> Any:
    return load_workbook(path).worksheets[0]


def test_dates_money_header_filter_and_widths(tmp_path: Path) -> None:
    rows: list[tuple[Any, ...]] = [
        ("Иванов Иван Иванович", dt.date(2025, 3, 8), dt.datetime(2025, 3, 7, 18, 5), Decimal("1234567.89"), 8),
        ("Петров", None, None, None, 4),
        SummaryRow(("Итого", None, None, Decimal("1234567.89"), 12)),
    ]
    header = ["Сотрудник", "Дата", "Подана", "Оплата, руб.", "Часы"]
    path = tmp_path / "r.xlsx"
    report = Report(kind="t", title="T", header=header, rows=iter(rows), total=2, formats=[None, DATE, DATETIME, MONEY])
    assert write_report(report, path) == 2

    sheet = _sheet(path)
    assert all(cell.font.b for cell in sheet[1])  # the header, bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E3"  # header and data; the totals line below stays out of the filter
    assert sheet.print_title_rows == "$1:$1"
    date, filed, pay, hours = sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"]
    assert date.is_date and date.value == dt.datetime(2025, 3, 8) and date.number_format == RU_DATE
    assert filed.is_date and filed.value == dt.datetime(2025, 3, 7, 18, 5) and filed.number_format == RU_DATETIME
    assert pay.data_type == "n" and pay.value == 1234567.89 and pay.number_format == MONEY_FORMAT
    assert hours.value == 8 and hours.number_format == "General"
    total = sheet["D4"]
    assert total.value == 1234567.89 and total.number_format == MONEY_FORMAT and total.font.b  # a value, no formula
    assert "<f>" not in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()

    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDE"}
    assert widths["A"] == len("Иванов Иван Иванович") + 2  # the longest value
    assert widths["B"] == len("08.03.2025") + 2
    assert widths["C"] == len("07.03.2025 18:05") + 2
    assert widths["D"] == len("1,234,567.89") + 2
    assert widths["E"] == 6  # at least MIN_WIDTH


def test_widths_are_measured_on_a_sample_and_capped(tmp_path: Path) -> None:
    """Past SAMPLE_ROWS rows nothing is held back: a longer value later does not widen its column, and no column
    grows past MAX_WIDTH; every row is still written."""
    rows = [("short", "x" * 200)] * SAMPLE_ROWS + [("a much longer value than the sample had", "y")] * 3
    path = tmp_path / "w.xlsx"
    assert write_report(Report(kind="t", title="T", header=["a", "b"], rows=iter(rows), total=len(rows)), path) == (
        SAMPLE_ROWS + 3
    )
    sheet = _sheet(path)
    assert sheet.column_dimensions["A"].width == len("short") + 2
    assert sheet.column_dimensions["B"].width == MAX_WIDTH
    assert sheet.max_row == SAMPLE_ROWS + 4
    assert sheet.cell(row=SAMPLE_ROWS + 4, column=1).value == "a much longer value than the sample had"


def test_a_long_header_wraps_instead_of_widening_its_column(tmp_path: Path) -> None:
    path = tmp_path / "h.xlsx"
    header = ["Стоимость неиспользованных дней, руб."]
    write_report(Report(kind="t", title="T", header=header, rows=iter([(Decimal("1.00"),)]), total=1), path)
    sheet = _sheet(path)
    assert sheet["A1"].alignment.wrap_text
    assert sheet.column_dimensions["A"].width == len("неиспользованных") + 2  # its longest word


def _assert_opens_right(path: Path, money_titles: set[str]) -> int:
    """Every date is a date cell in a Russian format, every money column's numbers carry the money format, no
    date is written as text; returns the number of date cells seen."""
    sheet = _sheet(path)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    header = [cell.value for cell in sheet[1]]
    money_columns = {index for index, title in enumerate(header) if title in money_titles}
    assert money_columns, header
    dates = 0
    for row in sheet.iter_rows(min_row=2):
        for index, cell in enumerate(row):
            if isinstance(cell.value, dt.datetime):
                assert cell.number_format in (RU_DATE, RU_DATETIME), (cell.coordinate, cell.number_format)
                dates += 1
            if isinstance(cell.value, str):
                assert not ISO_DATE_TEXT.match(cell.value), cell.coordinate
            if index in money_columns and isinstance(cell.value, (int, float)):
                assert cell.number_format == MONEY_FORMAT, (cell.coordinate, cell.number_format)
    return dates


def test_holiday_work_opens_right(holiday_fixture: HolidayFixture, hr: Any, tmp_path: Path) -> None:
    path = tmp_path / "holiday.xlsx"
    written, _ = export_to_file(
        kind="holiday_work",
        user=hr.user,
        date_from=holiday_fixture.date_from,
        date_to=holiday_fixture.date_to,
        department_id=None,
        path=path,
        language="ru",
    )
    assert written == 8  # 7 timesheet entries; one is split within/beyond the norm (test_holiday_work)
    assert _assert_opens_right(path, {"Ставка за час, руб.", "Оплата, руб."}) == 8
    sheet = _sheet(path)
    assert sheet["D2"].value == dt.datetime(2025, 10, 26)
    last = sheet.max_row
    assert sheet.cell(row=last, column=11).value == pytest.approx(
        38734.52
    )  # the report's total (test_holiday_work), as a value
    assert sheet.cell(row=last, column=11).number_format == MONEY_FORMAT


def test_leave_balances_open_right(cast: Any, hr: Any, calendar_2025: None, tmp_path: Path) -> None:
    path = tmp_path / "balances.xlsx"
    export_to_file(
        kind="leave_balances",
        user=hr.user,
        date_from=dt.date(2025, 11, 1),
        date_to=dt.date(2025, 11, 30),
        department_id=cast.sales.pk,
        path=path,
        language="ru",
    )
    _assert_opens_right(path, {"Средний дневной заработок, руб.", "Стоимость неиспользованных дней, руб."})


def test_requests_register_opens_right(cast: Any, hr: Any, manager: Any, tmp_path: Path) -> None:
    mine = _request(cast.employee, cast.employee.user, "")
    Request.objects.filter(pk=mine.pk).update(
        kind="business_trip", start_date=dt.date(2025, 12, 1), end_date=dt.date(2025, 12, 3)
    )
    RequestEvent.objects.create(
        request=mine, action="approved", actor=manager.user, from_status="pending", to_status="approved"
    )
    today = mine.created_at.date()
    path = tmp_path / "requests.xlsx"
    export_to_file(
        kind="requests",
        user=hr.user,
        date_from=today - dt.timedelta(days=1),
        date_to=today + dt.timedelta(days=1),
        department_id=None,
        path=path,
        language="ru",
    )
    sheet = _sheet(path)
    assert sheet["G2"].value == dt.datetime(2025, 12, 1) and sheet["G2"].number_format == RU_DATE  # the trip's start
    assert sheet["I2"].is_date and sheet["I2"].number_format == RU_DATETIME  # filed at
    dates = 0
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.datetime):
                assert cell.number_format in (RU_DATE, RU_DATETIME), cell.coordinate
                dates += 1
            assert not (isinstance(cell.value, str) and ISO_DATE_TEXT.match(cell.value)), cell.coordinate
    assert dates >= 6
