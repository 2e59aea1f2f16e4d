"""A site-wide admin action: export the selected rows to Excel.

HR's ad-hoc exports of a selection (a filtered list in the admin) go through the same safe writer
as the emailed reports (`reports.xlsx.safe_row`: formula-like text written as text), streamed from a
server-side cursor into a write-only workbook, so a large selection stays flat in memory. Large
periodic exports belong in the report pipeline (`/reports/`), which runs in a worker.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from reports.xlsx import safe_row

CHUNK = 2000


def _columns(queryset: QuerySet[Any]) -> list[tuple[str, str]]:
    """(attname, header) for every concrete column of the model, foreign keys as ids."""
    return [(f.attname, str(f.verbose_name)) for f in queryset.model._meta.concrete_fields]


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if hasattr(value, "isoformat") or hasattr(value, "as_tuple"):
        return value  # dates and Decimals are native cells
    return str(value)


@admin.action(description=_("Export selected to Excel"))
def export_selected_xlsx(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> FileResponse:
    columns = _columns(queryset)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(queryset.model._meta.verbose_name_plural)[:31])
    sheet.append(safe_row(sheet, [header for _, header in columns]))
    rows = queryset.order_by("pk").values_list(*[name for name, _ in columns]).iterator(chunk_size=CHUNK)
    for row in rows:
        sheet.append(safe_row(sheet, [_cell(v) for v in row]))
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    name = f"{slugify(queryset.model._meta.model_name)}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response
