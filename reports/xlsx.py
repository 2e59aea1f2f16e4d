"""The one writer of report files: rows in, an .xlsx out, in constant memory.

openpyxl's write-only mode streams each row to a temporary XML file as it is appended (with lxml installed it
is about 30% faster); nothing of a written row stays in memory. The task and the `export_report` command both
write through `write_report`, so their files hold the same cells.

Formula injection: openpyxl stores any string that begins with "=" as a formula, and Excel evaluates a cell that
begins with "=", "+", "-" or "@" (and tab/CR-prefixed text in CSV-like paths) once a user edits it. Such a cell
is written as an explicit string cell (`t="inlineStr"`, never `<f>`) carrying the `quotePrefix` style: the
invisible apostrophe Excel itself records when a user types '=…, so the text shows unchanged, is never
evaluated, and stays text even after the user edits it. A visible leading apostrophe (the CSV advice) would
change the value in an .xlsx, where Excel does not hide it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)
SHEET_TITLE_MAX = 31  # Excel's limit


class SummaryRow(tuple):
    """A totals line: written in bold and not counted as a data row."""

    __slots__ = ()


@dataclass
class Report:
    """A report ready to stream: its header and a generator of rows (data rows and SummaryRow totals)."""

    kind: str
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    total: int  # data rows expected, for progress (a COUNT before streaming)
    widths: Sequence[int] = field(default_factory=tuple)


ProgressCallback = Callable[[int, int], None]


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def text_cell(ws: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    """A cell that Excel shows as the text `value` and never evaluates."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"  # openpyxl made "=…" a formula when the value was set
    cell.quotePrefix = True
    return cell


def safe_row(ws: WriteOnlyWorksheet, row: Sequence[Any]) -> list[Any]:
    return [text_cell(ws, v) if is_formula_like(v) else v for v in row]


def _bold_row(ws: WriteOnlyWorksheet, row: Sequence[Any], font: Font) -> list[Any]:
    cells = []
    for value in row:
        cell = text_cell(ws, value) if is_formula_like(value) else WriteOnlyCell(ws, value=value)
        cell.font = font
        cells.append(cell)
    return cells


def write_report(
    report: Report,
    path: str | Path,
    *,
    on_progress: ProgressCallback | None = None,
    progress_every: int = 5000,
    progress_seconds: float | None = None,
) -> int:
    """Stream `report` into an .xlsx at `path`; return the number of data rows written.

    `on_progress(rows_done, total)` is called every `progress_every` data rows, and also once `progress_seconds`
    have passed since the last call while rows still come (the export's heartbeat: slow rows must not make a
    live run look dead); it may raise to stop the run.
    """
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=report.title[:SHEET_TITLE_MAX] or "Report")
    for index, width in enumerate(report.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    ws.append(_bold_row(ws, report.header, bold))
    written = 0
    append = ws.append
    interval = progress_seconds or 0.0
    timed = on_progress is not None and interval > 0
    due = monotonic() + interval if timed else math.inf
    for row in report.rows:
        if type(row) is SummaryRow:
            append(_bold_row(ws, row, bold))
            at_step = False
        else:
            # Most rows have no formula-like text: test (is_formula_like, inlined on the first character for
            # speed), then append the plain tuple (the fast path).
            if any(isinstance(value, str) and value[:1] in _TRIGGER_SET for value in row):
                append(safe_row(ws, row))
            else:
                append(row)
            written += 1
            at_step = written % progress_every == 0
        # The clock is read only when a timed progress is asked for (one monotonic() per row, ~50 ns).
        if on_progress is not None and (at_step or (timed and monotonic() >= due)):
            on_progress(written, report.total)
            if timed:
                due = monotonic() + interval
    workbook.save(str(path))
    if on_progress is not None:
        on_progress(written, report.total)
    return written
