"""import_timesheets: all rows validated first; bad rows reported with line numbers; nothing half-imported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from staff.models import TimesheetEntry


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "timesheet.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _run(path: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_timesheets", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_good_file_is_imported(tmp_path: Path, cast: Any) -> None:
    a, b = cast.employee.personnel_number, cast.outsider.personnel_number
    path = _write(
        tmp_path,
        "\ufeffpersonnel_number,date,kind,hours,day_off_instead\n"
        f"{a},2025-11-04,holiday,8,0\n"
        f'{a},08.11.2025,weekend,"6,5",да\n'
        "\n"
        f"{b},2025-11-05,regular,8,\n",
    )
    out, _ = _run(path)
    assert "Imported 3 timesheet entries for 2 employee(s)" in out
    rows = set(
        TimesheetEntry.objects.values_list("employee__personnel_number", "date", "kind", "hours", "day_off_instead")
    )
    assert rows == {
        (a, dt.date(2025, 11, 4), "holiday", Decimal("8.00"), False),
        (a, dt.date(2025, 11, 8), "weekend", Decimal("6.50"), True),
        (b, dt.date(2025, 11, 5), "regular", Decimal("8.00"), False),
    }


def test_reimporting_is_idempotent_and_updates_hours(tmp_path: Path, cast: Any) -> None:
    a = cast.employee.personnel_number
    header = "personnel_number,date,kind,hours,day_off_instead\n"
    _run(_write(tmp_path, header + f"{a},2025-11-04,holiday,8,0\n"))
    _run(_write(tmp_path, header + f"{a},2025-11-04,holiday,8,0\n"))
    assert TimesheetEntry.objects.count() == 1
    _run(_write(tmp_path, header + f"{a},2025-11-04,holiday,6,1\n"))
    entry = TimesheetEntry.objects.get()
    assert (entry.hours, entry.day_off_instead) == (Decimal("6.00"), True)


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(tmp_path: Path, cast: Any) -> None:
    a = cast.employee.personnel_number
    path = _write(
        tmp_path,
        "personnel_number,date,kind,hours,day_off_instead\n"  # line 1
        f"{a},2025-11-04,holiday,8,0\n"  # 2: good
        "P99999,2025-11-04,holiday,8,0\n"  # 3: unknown employee
        f"{a},2025-13-01,holiday,8,0\n"  # 4: bad date
        f"{a},2025-11-05,vacation,8,0\n"  # 5: bad kind
        f"{a},2025-11-06,weekend,25,0\n"  # 6: too many hours
        f"{a},2025-11-07,regular,8,1\n"  # 7: day off instead on regular work
        f"{a},2025-11-04,holiday,4,0\n"  # 8: duplicates line 2
        f'{a},2025-11-08,weekend,"a\nb",0\n'  # 9-10: a quoted value over two lines, not a number
        f"{a},2025-11-09,weekend\n"  # 11: too few values
        f"{a},2020-01-01,weekend,8,0\n"  # 12: before the hire
        f"{a},2025-11-10,overtime,1.255,maybe\n",  # 13: three decimals and a bad flag
    )
    err = StringIO()
    with pytest.raises(CommandError, match="10 bad row"):
        call_command("import_timesheets", str(path), stdout=StringIO(), stderr=err)
    reported = [int(line.split(":")[1]) for line in err.getvalue().splitlines() if line.startswith(str(path))]
    assert reported == [3, 4, 5, 6, 7, 8, 9, 11, 12, 13]
    assert not TimesheetEntry.objects.exists()


def test_the_error_lines_name_the_right_lines(tmp_path: Path, cast: Any, capsys: Any) -> None:
    a = cast.employee.personnel_number
    path = _write(
        tmp_path,
        "personnel_number,date,kind,hours,day_off_instead\n"
        f"{a},2025-11-04,holiday,8,0\n"
        "P99999,2025-11-04,holiday,8,0\n"
        f'{a},2025-11-08,weekend,"a\nb",0\n'
        f"{a},2025-11-04,holiday,4,0\n",
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_timesheets", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].endswith(":3: unknown personnel number 'P99999'")
    assert ":4: hours 'a\\nb' is not a number" in lines[1]
    assert lines[2].endswith(":6: duplicates line 2 (same employee, date and kind)")


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "header row is missing"),
        ("employee,date,kind,hours\nP1,2025-01-01,regular,8\n", "the header must name the columns"),
    ],
)
def test_a_bad_header_refuses_the_file(tmp_path: Path, cast: Any, text: str, message: str) -> None:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_timesheets", str(_write(tmp_path, text)), stdout=StringIO(), stderr=err)
    assert message in err.getvalue()


def test_more_than_24_hours_a_day_across_kinds(tmp_path: Path, cast: Any) -> None:
    a = cast.employee.personnel_number
    path = _write(
        tmp_path,
        f"personnel_number,date,kind,hours,day_off_instead\n{a},2025-11-05,regular,16,0\n{a},2025-11-05,overtime,9,0\n",
    )
    with pytest.raises(CommandError, match="1 bad row"):
        _run(path)


def test_the_help_documents_the_format() -> None:
    from reports.management.commands.import_timesheets import Command

    assert "personnel_number,date,kind,hours,day_off_instead" in Command.help
