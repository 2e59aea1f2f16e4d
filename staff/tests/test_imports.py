"""Imports (staff/imports/): `import_staff` as the contract says, the same engine behind the admin's jobs, and the
rules of each kind: idempotent, every error with its line, nothing written from a file with errors, four eyes on
pay, a history row naming the file for every change."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from conftest import Cast
from hrportal.errors import NotAllowed
from leave import selectors as leave_selectors
from leave.models import Absence
from staff.imports import engine, services
from staff.imports.files import read_table
from staff.imports.models import ImportJob
from staff.models import Department, Employee, PayRate, Position
from tests.harness.marks import requires_postgres

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):  # the messages are asserted in the catalogue's language
        yield


HEADER = "personnel_number;last_name;first_name;middle_name;email;department;position;manager;hire_date;fte;salary"


def write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_kind(kind: str, *lines: str, actor=None, uploaded_by=None, write_=True, name="file.csv") -> engine.Outcome:
    table = read_table(name=name, data=("\n".join(lines) + "\n").encode())
    context = engine.Context(file_name=name, actor=actor, uploaded_by=uploaded_by)
    return engine.run(engine.KINDS[kind], table, context, write=write_)


@pytest.fixture
def org(cast: Cast) -> Cast:
    cast.sales.code = "SALES"
    cast.sales.save()
    Position.objects.create(name="Менеджер по продажам")
    return cast


STAFF_FILE = (
    HEADER,
    # A manager named by a later row of the same file; the department by its path, then by its code.
    "T001;Петров;Илья;Сергеевич;I.Petrov@example.ru;Компания/Продажи;Менеджер по продажам;T002;2024-02-01;1;95 000,00",
    "T002;Соколова;Анна;;a.sokolova@example.ru;SALES;;;01.03.2021;0,5;60000",
)


def test_import_staff_writes_then_a_second_run_changes_nothing(org: Cast, tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "staff.csv", *STAFF_FILE)
    call_command("import_staff", str(path))
    assert "2 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    petrov = Employee.objects.select_related("user", "manager_override").get(personnel_number="T001")
    assert (petrov.last_name, petrov.first_name, petrov.patronymic) == ("Петров", "Илья", "Сергеевич")
    assert petrov.email == "i.petrov@example.ru"
    assert petrov.department == org.sales and petrov.position.name == "Менеджер по продажам"
    assert petrov.manager_override.personnel_number == "T002"
    assert petrov.user.username == "T001" and not petrov.user.has_usable_password()
    rate = PayRate.objects.get(employee=petrov)
    assert (rate.effective_date, rate.fte, rate.salary) == (dt.date(2024, 2, 1), Decimal("1.00"), Decimal("95000.00"))
    assert {h.history_change_reason for h in petrov.history.all()} == {"import: staff.csv"}
    histories = Employee.history.count() + PayRate.history.count()

    call_command("import_staff", str(path))
    assert "0 new, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert Employee.history.count() + PayRate.history.count() == histories


def test_import_staff_with_bad_rows_writes_nothing_and_prints_every_error(org: Cast, tmp_path: Path, capsys) -> None:
    employees, users = Employee.objects.count(), Employee.objects.values("user").count()
    path = write(
        tmp_path,
        "bad.csv",
        HEADER,
        "T010;Новиков;Олег;;o.novikov@example.ru;Компания/Продажи;;;2024-01-10;1;90000",  # good
        "T011;Ким;;;not-an-email;Компания/Нет такого;Директор;T999;31.02.2024;2;-5",
        "T010;Дубль;Дубль;;d@example.ru;SALES;;;2024-01-10;1;90000",
    )
    with pytest.raises(CommandError, match="nothing written"):
        call_command("import_staff", str(path))
    err = capsys.readouterr().err
    for expected in (
        "line 3 (T011): first_name: required.",
        "line 3 (T011): email: “not-an-email” is not an email address.",
        "line 3 (T011): department: no department with the code or path “Компания/Нет такого”.",
        "line 3 (T011): position: no position “Директор”",
        "line 3 (T011): manager: no employee with the personnel number “T999”.",
        "line 3 (T011): hire_date: “31.02.2024” is not a date",
        "line 3 (T011): fte: between 0.01 and 1.50.",
        "line 3 (T011): salary: cannot be negative.",
        "line 4 (T010): repeats line 2.",
    ):
        assert expected in err
    assert Employee.objects.count() == employees and Employee.objects.values("user").count() == users


def test_import_staff_exit_status_is_not_zero_on_errors(org: Cast, tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write(tmp_path, "missing.csv", "personnel_number;last_name", "T1;Иванов")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_staff", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "first_name;middle_name;email;department;position;manager;hire_date;fte;salary" in result.stderr


def test_xlsx_with_date_and_number_cells_reads_like_the_csv(org: Cast, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append([1042, "Орлова", "Вера", None, "v@example.ru", "SALES", None, None, dt.datetime(2024, 5, 6), 1, 70000])
    path = tmp_path / "staff.xlsx"
    workbook.save(path)
    call_command("import_staff", str(path))
    vera = Employee.objects.get(personnel_number="1042")
    assert vera.hire_date == dt.date(2024, 5, 6) and vera.department == org.sales


def test_a_changed_employee_is_an_update_and_pay_is_not_changed_by_the_staff_file(org: Cast) -> None:
    number = org.employee.personnel_number
    line = f"{number};Кузнецов;Алексей;Павлович;new@example.ru;SALES;;;2023-01-09;1;100000"
    outcome = run_kind("employees", HEADER, line, name="upd.csv")
    assert outcome.applied and outcome.plans[0].status == engine.UPDATE
    assert outcome.plans[0].changes == [("email", "employee@example.test", "new@example.ru")]
    org.employee.refresh_from_db()
    assert org.employee.email == "new@example.ru"
    assert org.employee.history.latest().history_change_reason == "import: upd.csv"

    upper = line.replace("new@example.ru", "NEW@Example.ru")
    assert run_kind("employees", HEADER, upper, write_=False).plans[0].status == engine.SKIP

    raise_line = line.replace(";1;100000", ";1;150000")
    outcome = run_kind("employees", HEADER, raise_line)
    assert not outcome.applied
    assert "a change of pay is a rate-change request" in outcome.plans[0].errors[0]


def test_department_tree_by_code_with_parents_later_in_the_file(org: Cast) -> None:
    lines = ("code;name;parent;head", "MSK;Москва;EAST;", f"EAST;Восток;SALES;{org.manager.personnel_number}")
    outcome = run_kind("departments", *lines, actor=org.hr.user, name="deps.csv")
    assert outcome.applied and [p.status for p in outcome.plans] == ["new", "new"]
    moscow = Department.objects.get(code="MSK")
    assert moscow.parent.code == "EAST" and moscow.parent.parent == org.sales
    assert moscow.path == f"{org.sales.path}{moscow.parent_id}/{moscow.pk}/"
    history = moscow.history.latest()
    assert (history.history_change_reason, history.history_user) == ("import: deps.csv", org.hr.user)
    assert [p.status for p in run_kind("departments", *lines).plans] == ["skip", "skip"]
    # A cycle through the file is refused on each of its rows.
    cycle = run_kind("departments", "code;name;parent", "A1;А;B1", "B1;Б;A1")
    assert not cycle.applied and all("inside itself" in p.errors[0] for p in cycle.plans)


def test_an_ambiguous_department_path_asks_for_the_code(org: Cast) -> None:
    Department.objects.filter(pk=org.sales_east.pk).update(name="Продажи")  # two "Компания/Продажи…" branches
    from conftest import make_department

    make_department("Продажи", org.company)
    line = "T1;Иванов;Иван;;i@example.ru;Компания/Продажи;;;2024-01-01;1;90000"
    outcome = run_kind("employees", HEADER, line, write_=False)
    assert "names 2 departments; give its code" in outcome.plans[0].errors[0]


def test_pay_rates_need_a_second_person_and_never_touch_ones_own_pay(org: Cast) -> None:
    rate_file = (
        "personnel_number;effective_date;fte;salary;comment",
        f"{org.employee.personnel_number};2024-01-01;1;110000;индексация",
        f"{org.hr.personnel_number};2024-01-01;1;500000;",
    )
    outcome = run_kind("pay_rates", *rate_file, actor=org.ceo.user, uploaded_by=org.hr.user, write_=False)
    assert outcome.plans[0].status == engine.NEW
    assert outcome.plans[1].errors == ["Nobody changes their own pay: another HR member imports this row."]

    upload = SimpleUploadedFile("rates.csv", "\n".join(rate_file[:2]).encode())
    job = services.import_job_create(kind="pay_rates", upload=upload, actor=org.hr.user)
    services.import_job_plan(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and job.counts["new"] == 1
    with pytest.raises(NotAllowed):
        services.import_job_confirm(job=job, actor=org.hr.user)
    services.import_job_confirm(job=job, actor=org.ceo.user)
    services.import_job_apply(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    rate = PayRate.objects.get(employee=org.employee, effective_date=dt.date(2024, 1, 1))
    assert rate.salary == Decimal("110000.00") and rate.created_by == org.ceo.user
    assert rate.history.latest().history_change_reason == "import: rates.csv: индексация"


def test_a_salary_below_the_minimum_wage_is_an_error(org: Cast) -> None:
    """Art. 133: on 01.02.2024 the minimum wage is 19 242 ₽; at 0.5 FTE the floor is 9 621,00 ₽, so 9 620 fails."""
    line = "T5;Иванов;Иван;;i@example.ru;SALES;;;2024-02-01;0.5;9620"
    outcome = run_kind("employees", HEADER, line, write_=False)
    assert outcome.plans[0].errors == ["salary: below the minimum wage × FTE on 01.02.2024 (9 621,00, art. 133)."]
    assert run_kind("employees", HEADER, line.replace("9620", "9621"), write_=False).ok


def test_job_flow_previews_every_row_and_a_file_with_errors_writes_nothing(org: Cast) -> None:
    data = "\n".join([*STAFF_FILE, "T003;Ошибкин;Иван;;bad;SALES;;;2024-01-01;1;90000"]).encode()
    job = services.import_job_create(kind="employees", upload=SimpleUploadedFile("staff.csv", data), actor=org.hr.user)
    services.import_job_plan(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert [(r["line"], r["status"]) for r in job.rows] == [(2, "new"), (3, "new"), (4, "error")]
    assert job.counts == {"new": 2, "update": 0, "skip": 0, "error": 1}
    with pytest.raises(Exception, match="Only a checked file"):
        services.import_job_confirm(job=job, actor=org.hr.user)
    assert not Employee.objects.filter(personnel_number__startswith="T00").exists()


def test_absences_and_opening_balances_from_payroll(org: Cast) -> None:
    """The opening figure is what payroll says is available on the date: the portal writes the difference to its
    own figure as an adjustment on that date, so its balance then equals the figure and a second import finds
    nothing to change."""
    number = org.employee.personnel_number
    absences = (
        "personnel_number;kind;start_date;end_date;comment",
        f"{number};больничный;2024-11-05;2024-11-12;лист 910000000001",
        f"{number};отпуск без сохранения зарплаты;2024-07-01;2024-07-03;",
    )
    outcome = run_kind("absences", *absences, actor=org.hr.user, name="abs.csv")
    assert outcome.applied
    sick = Absence.objects.get(employee=org.employee, kind=Absence.Kind.SICK)
    assert (sick.start_date, sick.end_date) == (dt.date(2024, 11, 5), dt.date(2024, 11, 12))
    assert sick.history.latest().history_change_reason == "import: abs.csv"
    assert sick.history.latest().history_user == org.hr.user
    assert [p.status for p in run_kind("absences", *absences).plans] == ["skip", "skip"]

    on = dt.date(2025, 1, 1)
    before = leave_selectors.balance(employee=org.employee, leave_type="annual", on=on).available
    balances = ("personnel_number;leave_type;on_date;days", f"{number};annual;01.01.2025;12,5")
    outcome = run_kind("leave_balances", *balances, actor=org.hr.user)
    assert outcome.plans[0].changes == [("available days", engine.as_text(before), "12,50")]
    assert leave_selectors.balance(employee=org.employee, leave_type="annual", on=on).available == Decimal("12.50")
    assert run_kind("leave_balances", *balances).plans[0].status == engine.SKIP


def test_positions_update_and_skip(org: Cast) -> None:
    lines = ("name;extra_leave_days", "менеджер по продажам;3", "Бухгалтер;")
    outcome = run_kind("positions", *lines, actor=org.hr.user)
    assert [p.status for p in outcome.plans] == ["update", "new"]
    assert Position.objects.get(name="Менеджер по продажам").extra_leave_days == Decimal("3.00")
    assert [p.status for p in run_kind("positions", *lines).plans] == ["skip", "skip"]


def test_a_file_over_the_row_limit_is_refused_whole(org: Cast, settings) -> None:
    settings.HRPORTAL = {**settings.HRPORTAL, "IMPORT_MAX_ROWS": 1}
    outcome = run_kind("employees", *STAFF_FILE)
    assert outcome.header_errors == ["The file has 2 rows; split it into files of at most 1."] and not outcome.plans


def test_a_file_that_is_not_a_table_is_refused() -> None:
    from hrportal.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="not UTF-8"):
        read_table(name="x.csv", data="a;b\n".encode("cp1251") + "ф".encode("cp1251"))
    with pytest.raises(ValidationFailed, match="cannot be read"):
        read_table(name="x.xlsx", data=b"PK\x03\x04 broken")
    with_bom = io.BytesIO(b"\xef\xbb\xbfa;b\n1;2\n").read()
    assert read_table(name="x.csv", data=with_bom).rows == [(2, {"a": "1", "b": "2"})]


def test_the_sample_files_load_in_the_go_live_order(db: None) -> None:
    """docs/imports/: each kind's sample, in the order docs/imports/README.md gives, on an empty organisation."""
    root = Path(__file__).resolve().parents[2]
    order = ["departments", "positions", "employees", "pay_rates", "absences", "leave_balances"]
    assert sorted(order) == sorted(engine.KINDS)
    for code in order:
        kind = engine.KINDS[code]
        path = root / kind.sample
        table = read_table(name=path.name, data=path.read_bytes())
        assert tuple(table.columns) == kind.columns, code
        outcome = engine.run(kind, table, engine.Context(file_name=path.name), write=True)
        assert outcome.applied, (code, outcome.error_lines())
        again = engine.run(kind, table, engine.Context(file_name=path.name), write=False)
        assert {p.status for p in again.plans} == {engine.SKIP}, code
    assert Employee.objects.get(personnel_number="00102").manager_override.personnel_number == "00101"


@pytest.mark.postgres
@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_progress_shows_while_the_write_transaction_is_open(cast: Cast) -> None:
    """The write runs in one transaction; its progress goes through a second connection, so the job page (another
    connection again) sees the count move before the write commits."""
    from django.db import DEFAULT_DB_ALIAS, connections, transaction

    job = ImportJob.objects.create(kind="employees", file_name="x.csv", file="imports/x.csv", created_by=cast.hr.user)
    progress = services._Progress(job.pk)
    reader = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():
            Position.objects.create(name="Пишется")  # the import's own, still uncommitted, write
            progress(500, 10_000)
            with reader.cursor() as cursor:
                cursor.execute("SELECT rows_done, rows_total FROM staff_importjob WHERE id = %s", [job.pk])
                assert cursor.fetchone() == (500, 10_000)
                cursor.execute("SELECT count(*) FROM staff_position WHERE name = 'Пишется'")
                assert cursor.fetchone() == (0,)
    finally:
        progress.close()
        reader.close()
