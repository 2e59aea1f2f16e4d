"""The one writer of report files: rows in, an .xlsx out, in constant memory, that opens right in Excel and
LibreOffice.

openpyxl's write-only mode streams each row to a temporary XML file as it is appended (with lxml installed it
is about 30% faster); nothing of a written row stays in memory. The task and the `export_report` command both
write through `write_report`, so their files hold the same cells.

What a reader gets: a bold header row that stays on screen (frozen) and repeats on every printed page, an
autofilter over the header and the data, dates as real date cells shown DD.MM.YYYY (date and time
DD.MM.YYYY HH:MM), money as numbers with two decimals and a thousands separator (`#,##0.00`, which Excel and
LibreOffice show with the reader's own separators: `1 234 567,89` in Russian), totals as values (never
formulas), and columns as wide as their contents. Widths must be written before the first row, so they are
measured on the first `SAMPLE_ROWS` rows, held back until then: a fixed number of rows, so memory stays
constant (docs/decisions/reports-xlsx-formats.md).

A cell keeps a number format only through a style of its own. Setting the format on each cell would look the
format and then the whole style up in the workbook's tables for every cell (it made the export ~50% slower), so
each column's style is registered once and the sheet's row conversion (`_row_cells`) puts that column's values
in one `_FormattedCell` carrying the registered style id; the other values take openpyxl's usual path.

Formula injection: openpyxl stores any string that begins with "=" as a formula, and Excel evaluates a cell that
begins with "=", "+", "-" or "@" (and tab/CR-prefixed text in CSV-like paths) once a user edits it. Such a cell
is written as an explicit string cell (`t="inlineStr"`, never `<f>`) carrying the `quotePrefix` style: the
invisible apostrophe Excel itself records when a user types '=…, so the text shows unchanged, is never
evaluated, and stays text even after the user edits it. A visible leading apostrophe (the CSV advice) would
change the value in an .xlsx, where Excel does not hide it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from time import monotonic
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)
SHEET_TITLE_MAX = 31  # Excel's limit

# The kinds of column a report declares (Report.formats); a column without one is General.
DATE = "date"
DATETIME = "datetime"
MONEY = "money"
NUMBER_FORMATS = {DATE: "DD.MM.YYYY", DATETIME: "DD.MM.YYYY HH:MM", MONEY: "#,##0.00"}
# How wide such a cell is shown, in characters (money: measured on the value).
_FORMAT_WIDTHS = {DATE: 10, DATETIME: 16}

_DATE_TYPES = (dt.date, dt.datetime)
_FORMATTED_TYPES = (dt.date, dt.datetime, int, float, Decimal)  # anything else (text, None) is written as it is
SAMPLE_ROWS = 200  # rows measured for the column widths (held in memory until then)
MIN_WIDTH, MAX_WIDTH = 6, 60  # characters; longer text wraps at the edge of a cell only when the reader asks
HEADER_WRAP_AT = 16  # a longer header wraps onto more lines rather than widen its column past its values
PADDING = 2


class SummaryRow(tuple):
    """A totals line: written in bold and not counted as a data row."""

    __slots__ = ()


@dataclass
class Report:
    """A report ready to stream: its header, a generator of rows (data rows and SummaryRow totals), and the
    kind of each column (`formats[i]`: DATE, DATETIME, MONEY or None; missing ones are None)."""

    kind: str
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    total: int  # data rows expected, for progress (a COUNT before streaming)
    formats: Sequence[str | None] = ()


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


class _FormattedCell(Cell):
    """A column's date or number cell with its style registered beforehand: what openpyxl's cell writer reads of a
    cell (value, data type, style id, coordinate), without the per-cell style lookups of `Cell`. One per column,
    refilled for each row: the writer writes a cell as soon as the row hands it over."""

    __slots__ = ("style_id",)
    has_style = True

    def __init__(self, ws: WriteOnlyWorksheet, column: int, style_id: int) -> None:
        self.parent = ws
        self._style = None
        self.row, self.column = 1, column
        self._value = None
        self._hyperlink = None
        self._comment = None
        self.data_type = "n"
        self.style_id = style_id


def _row_cells(ws: WriteOnlyWorksheet, styled: dict[int, int]) -> Callable[[Sequence[Any], int], Iterator[Cell]]:
    """The sheet's conversion of an appended row into cells (openpyxl's `_values_to_row`, which the write-only
    sheet calls for each row), with the date and money columns' values put in their `_FormattedCell`. openpyxl's
    own conversion sets each value on a cell and builds a new cell after every styled one; a styled cell handed
    to it costs an exception. Cells given in the row (text cells, the totals' bold cells) pass through."""
    formatted = {column: _FormattedCell(ws, column, style_id) for column, style_id in styled.items()}
    slots = tuple(formatted.get(column) for column in range(max(formatted, default=0) + 1))
    last = len(slots)
    plain = WriteOnlyCell(ws)

    def values_to_row(values: Sequence[Any], row_idx: int) -> Iterator[Cell]:
        nonlocal plain
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            target = slots[col_idx] if col_idx < last else None
            if target is not None and isinstance(value, _FORMATTED_TYPES):
                target._value = value
                target.data_type = "d" if isinstance(value, _DATE_TYPES) else "n"
                target.row = row_idx
                yield target
            elif isinstance(value, Cell):
                value.column, value.row = col_idx, row_idx
                yield value
            else:
                plain.value = value
                plain.column, plain.row = col_idx, row_idx
                yield plain
                if plain.has_style:  # a date in a column not declared as one: openpyxl gave it a format
                    plain = WriteOnlyCell(ws)

    return values_to_row


class _Styles:
    """The style of each column's cells, made once: data cells, and the bold cells of the totals lines."""

    def __init__(self, ws: WriteOnlyWorksheet, formats: Sequence[str | None], width: int) -> None:
        self.ws = ws
        kinds = [*formats[:width], *[None] * (width - len(formats))]
        bold = Font(bold=True)
        self.data = [self._make(kind) for kind in kinds]
        self.summary = [self._make(kind, font=bold) for kind in kinds]
        self.header = self._make(None, font=bold, alignment=Alignment(wrap_text=True, vertical="top"))
        # The (1-based) columns whose data cells need their style, with its registered id.
        register = ws.parent._cell_styles.add
        self.styled = {index + 1: register(style) for index, style in enumerate(self.data) if style is not None}

    def _make(self, kind: str | None, **attributes: Any) -> Any:
        if kind is None and not attributes:
            return None
        cell = WriteOnlyCell(self.ws)
        if kind is not None:
            cell.number_format = NUMBER_FORMATS[kind]
        for name, value in attributes.items():
            setattr(cell, name, value)
        return cell._style

    def cell(self, value: Any, style: Any) -> Any:
        if is_formula_like(value):
            cell = text_cell(self.ws, value)
            if style is not None:
                cell._style = type(style)(style)
                cell.quotePrefix = True
            return cell
        return Cell(self.ws, 1, 1, value, style)


def _formatted_width(value: Any, kind: str | None) -> int:
    if value is None:
        return 0
    if kind in _FORMAT_WIDTHS:
        return _FORMAT_WIDTHS[kind]
    if kind == MONEY and isinstance(value, (int, float, Decimal)):
        return len(f"{value:,.2f}")
    if isinstance(value, (dt.date, dt.datetime)):
        return 19
    text = str(value)
    return max(map(len, text.splitlines())) if text else 0


def column_widths(header: Sequence[str], rows: Sequence[Sequence[Any]], formats: Sequence[str | None]) -> list[int]:
    """Each column as wide as its widest value among `rows` (formatted as shown), at least as wide as its
    header up to HEADER_WRAP_AT characters (a longer header wraps) and its header's longest word, within
    MIN_WIDTH..MAX_WIDTH."""
    widths = []
    for index, title in enumerate(header):
        kind = formats[index] if index < len(formats) else None
        data = max((_formatted_width(row[index], kind) for row in rows if index < len(row)), default=0)
        words = max(map(len, str(title).split()), default=0)
        need = max(data, words, min(len(str(title)), HEADER_WRAP_AT)) + PADDING
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, need)))
    return widths


def _prepare_sheet(ws: WriteOnlyWorksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    # Printed (and converted to PDF) landscape, as wide as one page, as many pages long as it takes.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _with_progress(
    rows: Iterable[Sequence[Any]], total: int, on_progress: ProgressCallback, every: int, seconds: float | None
) -> Iterator[Sequence[Any]]:
    """The rows, calling `on_progress(data rows so far, total)` every `every` data rows and, when `seconds` is
    given, once that long has passed since the last call (also while the width sample is read)."""
    done = 0
    interval = seconds or 0.0
    timed = interval > 0
    due = monotonic() + interval if timed else math.inf
    for row in rows:
        at_step = False
        if type(row) is not SummaryRow:
            done += 1
            at_step = done % every == 0
        # The clock is read only when a timed progress is asked for (one monotonic() per row, ~50 ns).
        if at_step or (timed and monotonic() >= due):
            on_progress(done, total)
            if timed:
                due = monotonic() + interval
        yield row


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
    live run look dead), and once at the end; it may raise to stop the run.
    """
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title=report.title[:SHEET_TITLE_MAX] or "Report")
    header = list(report.header)
    rows: Iterator[Sequence[Any]] = iter(report.rows)
    if on_progress is not None:
        rows = _with_progress(rows, report.total, on_progress, progress_every, progress_seconds)
    sample = list(islice(rows, SAMPLE_ROWS))
    _prepare_sheet(ws, column_widths(header, sample, report.formats))
    styles = _Styles(ws, report.formats, len(header))
    ws._values_to_row = _row_cells(ws, styles.styled)  # openpyxl ~=3.1's hook (requirements.txt pins it)
    ws.append([styles.cell(title, styles.header) for title in header])

    written = 0
    line = last_data_line = 1  # the sheet's line of the last data row: the autofilter's range ends there
    append = ws.append
    for row in chain(sample, rows):
        line += 1
        if type(row) is SummaryRow:
            append([styles.cell(value, style) for value, style in zip(row, styles.summary, strict=False)])
            continue
        # Most rows have no formula-like text: test (is_formula_like, inlined on the first character for
        # speed), then append the plain tuple (the fast path; `_row_cells` formats the date and money cells).
        if any(isinstance(value, str) and value[:1] in _TRIGGER_SET for value in row):
            row = safe_row(ws, row)
        append(row)
        written += 1
        last_data_line = line
    if header:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last_data_line}"
    workbook.save(str(path))
    if on_progress is not None:
        on_progress(written, report.total)
    return written
