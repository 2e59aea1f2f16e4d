"""The payroll import (CONTRACT.md `import_payroll`): the command and the admin's upload form share one service."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from payroll.models import PayrollAccrual
from staff.services import hr_group_ensure

HEADER = "personnel_number;month;kind;amount;period_start;period_end;document\n"
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "payroll.csv"


def _csv(tmp_path: Path, body: str, name: str = "payroll.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _run(path: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_payroll", str(path), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def _good(cast) -> str:
    e, m = cast.employee.personnel_number, cast.manager.personnel_number
    return (
        f"{e};2025-01;salary;100000,00;;;ZP-01\n"
        f"{e};2025-01;bonus_month;20 000.50;;;ZP-01\n"
        f"{e};2025-04;bonus_quarter;60000;2025-01-01;2025-03-31;PR-Q1\n"
        f"{m};2025-01;salary;-1500.00;;;STORNO-7\n"
        f"{m};2025-03;bonus_year;120000;01.01.2024;31.12.2024;PR-Y\n"
    )


@pytest.mark.django_db
def test_a_good_file_is_imported_and_a_second_import_changes_nothing(cast, tmp_path) -> None:
    path = _csv(tmp_path, _good(cast))
    code, out, err = _run(path)
    assert (code, err) == (0, "")
    assert "5 of 5 rows imported" in out and "checked 5 rows" in out
    rows = {(a.employee_id, a.kind): a for a in PayrollAccrual.objects.all()}
    assert rows[(cast.employee.pk, "bonus_month")].amount == Decimal("20000.50")  # space, dot
    assert rows[(cast.employee.pk, "salary")].amount == Decimal("100000.00")  # comma
    assert rows[(cast.manager.pk, "salary")].amount == Decimal("-1500.00")  # a reversal may be negative
    year = rows[(cast.manager.pk, "bonus_year")]
    assert (year.period_start, year.period_end, year.month) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
        dt.date(2025, 3, 1),
    )
    assert all(a.counts for a in rows.values())
    # HR unticks one; importing again (one amount changed) updates in place and keeps HR's choice.
    PayrollAccrual.objects.filter(pk=rows[(cast.employee.pk, "bonus_month")].pk).update(counts=False)
    path.write_text(HEADER + _good(cast).replace("20 000.50", "21000"), encoding="utf-8")
    assert _run(path)[0] == 0
    assert PayrollAccrual.objects.count() == 5
    bonus = PayrollAccrual.objects.get(employee=cast.employee, kind="bonus_month")
    assert (bonus.amount, bonus.counts) == (Decimal("21000.00"), False)


@pytest.mark.django_db
def test_sick_pay_and_other_do_not_count_by_default(cast, tmp_path) -> None:
    e = cast.employee.personnel_number
    _run(_csv(tmp_path, f"{e};2025-02;sick_pay;8000;;;B-1\n{e};2025-02;other;3000;;;MA-1\n"))
    assert dict(PayrollAccrual.objects.values_list("kind", "counts")) == {"sick_pay": False, "other": False}


BAD = (
    "{e};2025-01;salary;100000;;;ZP-01\n"  # line 2: good
    "X-404;2025-01;salary;100000;;;ZP-01\n"  # line 3: unknown personnel number
    "{e};2025-13;salary;100000;;;ZP-02\n"  # line 4: bad month
    "{e};января 2025;allowance;5000;;;ZP-03\n"  # line 5: bad month
    "{e};2025-02;bonus_month;-500;;;ZP-04\n"  # line 6: a bonus cannot be negative
    "{e};2025-01;salary;100000;;;ZP-01\n"  # line 7: duplicate of line 2
    "{e};2025-02;premium;1;;;ZP-05\n"  # line 8: unknown kind
    "{e};2025-03;bonus_quarter;9000;;;ZP-06\n"  # line 9: a quarterly bonus without its period
    "{e};2025-03;allowance;12,345;;;ZP-07\n"  # line 10: three decimal places
)


@pytest.mark.django_db
def test_a_bad_file_lists_every_error_and_writes_nothing(cast, tmp_path) -> None:
    path = _csv(tmp_path, BAD.format(e=cast.employee.personnel_number))
    code, _out, err = _run(path)
    assert code == 1
    assert PayrollAccrual.objects.count() == 0
    lines = err.splitlines()
    assert lines[:8] == [
        "line 3, personnel_number: unknown personnel number 'X-404'",
        "line 4, month: expected YYYY-MM, got '2025-13'",
        "line 5, month: expected YYYY-MM, got 'января 2025'",
        "line 6, amount: a bonus_month cannot be negative",
        "line 7, document: duplicates line 2",
        "line 8, kind: unknown kind 'premium'; one of salary, bonus_month, bonus_quarter, bonus_year, allowance, "
        "holiday_work, sick_pay, vacation_pay, other",
        "line 9, period_start: a quarterly or annual bonus needs the period it is for",
        "line 10, amount: at most two decimal places: '12,345'",
    ]
    assert "Nothing imported: 8 errors in 8 rows" in lines[-1]


@pytest.mark.django_db
def test_partial_writes_the_good_rows_and_says_so(cast, tmp_path) -> None:
    path = _csv(tmp_path, BAD.format(e=cast.employee.personnel_number))
    code, _out, err = _run(path, "--partial")
    assert code == 1
    assert "PARTIAL IMPORT: 1 good rows of 9 written; 8 bad rows NOT imported" in err
    assert list(PayrollAccrual.objects.values_list("document", flat=True)) == ["ZP-01"]


@pytest.mark.django_db
def test_unreadable_files(cast, tmp_path) -> None:
    header_only = tmp_path / "x.csv"
    header_only.write_text("personnel_number;month;amount\n", encoding="utf-8")
    assert "the header has no column kind" in _run(header_only)[2]
    latin = tmp_path / "cp1251.csv"
    latin.write_bytes((HEADER + f"{cast.employee.personnel_number};2025-01;other;1;;;Премия\n").encode("cp1251"))
    code, _out, err = _run(latin)
    assert code == 1 and "not UTF-8" in err
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a zip")
    assert "not a readable XLSX file" in _run(fake)[2]
    assert PayrollAccrual.objects.count() == 0


@pytest.mark.django_db
def test_xlsx_with_excel_types(cast, tmp_path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(";"))
    number = cast.employee.personnel_number
    sheet.append([number, "2025-05", "salary", 100000.5, None, None, "ZP-5"])
    sheet.append(
        [number, dt.datetime(2025, 6, 1), "bonus_year", 50000, dt.datetime(2024, 1, 1), dt.datetime(2024, 12, 31), 77]
    )
    path = tmp_path / "payroll.xlsx"
    book.save(path)
    code, _out, err = _run(path)
    assert (code, err) == (0, "")
    assert set(PayrollAccrual.objects.values_list("month", "amount", "document")) == {
        (dt.date(2025, 5, 1), Decimal("100000.50"), "ZP-5"),
        (dt.date(2025, 6, 1), Decimal("50000.00"), "77"),
    }


@pytest.mark.django_db
def test_the_sample_file_in_docs_imports(cast, tmp_path) -> None:
    """docs/samples/payroll.csv names personnel numbers P90001…; give two employees those numbers."""
    cast.employee.personnel_number = "P90001"
    cast.employee.save()
    cast.manager.personnel_number = "P90002"
    cast.manager.save()
    code, _out, err = _run(SAMPLE)
    assert (code, err) == (0, ""), err
    assert PayrollAccrual.objects.filter(employee=cast.employee).exists()


@pytest.fixture
def hr_client(cast, login):
    cast.hr.user.is_staff = True
    cast.hr.user.save()
    cast.hr.user.groups.add(hr_group_ensure())
    return login(cast.hr)


@pytest.mark.django_db
def test_admin_upload_lists_errors_and_writes_nothing(cast, hr_client) -> None:
    url = reverse("admin:payroll_payrollaccrual_import")
    body = (HEADER + BAD.format(e=cast.employee.personnel_number)).encode()
    response = hr_client.post(url, {"file": SimpleUploadedFile("payroll.csv", body)})
    assert response.status_code == 400
    errors = [str(e) for e in response.context["result"].errors]
    assert len(errors) == 8 and errors[0].startswith("строка 3")
    assert "X-404" in response.content.decode()
    assert PayrollAccrual.objects.count() == 0


@pytest.mark.django_db
def test_admin_upload_imports_a_good_file(cast, hr_client) -> None:
    url = reverse("admin:payroll_payrollaccrual_import")
    response = hr_client.post(url, {"file": SimpleUploadedFile("p.csv", (HEADER + _good(cast)).encode())})
    assert response.status_code == 302
    assert PayrollAccrual.objects.count() == 5
    listing = hr_client.get(reverse("admin:payroll_payrollaccrual_changelist"))
    assert listing.status_code == 200 and "Загрузить файл начислений" in listing.content.decode()


@pytest.mark.django_db
def test_admin_upload_partial(cast, hr_client) -> None:
    url = reverse("admin:payroll_payrollaccrual_import")
    body = (HEADER + BAD.format(e=cast.employee.personnel_number)).encode()
    response = hr_client.post(url, {"file": SimpleUploadedFile("payroll.csv", body), "partial": "on"})
    assert response.status_code == 200
    assert PayrollAccrual.objects.count() == 1


@pytest.mark.django_db
def test_only_hr_reaches_the_import(cast, login) -> None:
    manager = cast.manager.user
    manager.is_staff = True
    manager.save()
    response = login(cast.manager).get(reverse("admin:payroll_payrollaccrual_import"))
    assert response.status_code == 403
    assert login(cast.employee).get(reverse("admin:payroll_payrollaccrual_import")).status_code == 302
