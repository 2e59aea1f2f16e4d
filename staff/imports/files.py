"""Read an uploaded table: CSV (UTF-8, `;`-separated, a header row) or XLSX (the first sheet, a header row).

The reading goes through django-import-export's formats (tablib underneath; XLSX in openpyxl's read-only mode),
so the admin and `import_staff` accept exactly the same files. A row is a dict keyed by the header's column
names, lower-cased; its line number is the one a person sees in the file (the header is line 1).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX

from hrportal.errors import ValidationFailed

ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (line in the file, {column: value})


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(*, name: str, data: bytes) -> Table:
    """The rows of a CSV or XLSX file; a file that is neither, or has no header, is a ValidationFailed."""
    is_xlsx = name.lower().endswith(".xlsx") or data.startswith(ZIP_MAGIC)
    try:
        if is_xlsx:
            dataset = XLSX().create_dataset(data)
        else:
            text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
            # Only `;` is the contract's separator; csv's own parser (tablib's too) keeps quoted `;` in a cell.
            dataset = CSV(encoding="utf-8").create_dataset(text, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    except UnicodeDecodeError:
        raise ValidationFailed(_("The file is not UTF-8 text: save it as “CSV UTF-8” or XLSX."), field="file") from None
    except Exception:  # openpyxl, zipfile and csv raise a dozen kinds for a damaged file
        raise ValidationFailed(_("The file cannot be read as CSV or XLSX."), field="file") from None
    columns = [str(h or "").strip().lower() for h in (dataset.headers or [])]
    if not any(columns):
        raise ValidationFailed(_("The file has no header row."), field="file")
    rows = []
    for index, values in enumerate(dataset, start=2):
        if all(_blank(v) for v in values):
            continue  # blank lines (Excel leaves them at the end) are not rows
        rows.append(
            (index, {c: (v.strip() if isinstance(v, str) else v) for c, v in zip(columns, values, strict=False) if c})
        )
    return Table(columns=[c for c in columns if c], rows=rows)
