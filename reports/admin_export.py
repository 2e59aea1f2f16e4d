"""A site-wide admin action: export the selected rows to Excel, as a person reads them.

Each column is a field's label; a related row is written by its name (`str()`), a choice by its label, a yes/no
field as "да"/"нет", a date as a date cell shown ДД.ММ.ГГГГ, a decimal with two places and a thousands separator,
a list of codes (an approval chain) by their labels. Ids, hashes and internal columns are left out.

HR's ad-hoc exports of a selection (a filtered list in the admin) go through the same safe writer as the emailed
reports (`reports.xlsx.safe_row`: formula-like text written as text), streamed from a server-side cursor into a
write-only workbook, so a large selection stays flat in memory. Large periodic exports belong in the report
pipeline (`/reports/`), which runs in a worker.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from reports.xlsx import safe_row

CHUNK = 2000
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
DECIMAL_FORMAT = "#,##0.00"
# Secrets and bookkeeping no person reads.
HIDDEN = frozenset({"password", "path", "digest", "token_key", "salt", "password_fingerprint", "idempotency_key"})

Getter = Callable[[Any], Any]


def _labels(model: type[models.Model]) -> dict[str, str]:
    """Every choice code of the model → its label (an approval chain stores the codes of `stage`)."""
    return {str(code): str(label) for f in model._meta.fields if f.choices for code, label in f.flatchoices}


def _getter(field: models.Field[Any, Any], labels: dict[str, str]) -> Getter:
    name = field.name
    if field.is_relation:
        return lambda obj: str(related) if (related := getattr(obj, name)) is not None else None
    if field.choices:
        return lambda obj: getattr(obj, f"get_{name}_display")()
    if isinstance(field, models.BooleanField):
        return lambda obj: None if (value := getattr(obj, name)) is None else gettext("Yes" if value else "No")
    if isinstance(field, models.JSONField):

        def codes(obj: Any) -> Any:
            value = getattr(obj, name)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return ", ".join(labels.get(v, v) for v in value)
            return None

        return codes
    return lambda obj: getattr(obj, name)


def _columns(model: type[models.Model]) -> list[tuple[str, Getter, models.Field[Any, Any]]]:
    """(header, getter, field) for every field a person reads: no primary key, no column the database derives (the
    employees' search text), no secrets, no JSON objects."""
    labels = _labels(model)
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.generated or field.name in HIDDEN:
            continue
        if isinstance(field, models.JSONField) and field.default is not list:
            continue
        columns.append((str(field.verbose_name), _getter(field, labels), field))
    return columns


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DECIMAL_FORMAT
        return cell
    return value


@admin.action(description=_("Export selected to Excel"))
def export_selected_xlsx(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> FileResponse:
    model = queryset.model
    columns = _columns(model)
    related = [f.name for _h, _g, f in columns if f.is_relation]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(model._meta.verbose_name_plural)[:31])
    sheet.freeze_panes = "A2"
    for index, (header, _g, _f) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(len(header) + 4, 40))
    sheet.append(safe_row(sheet, [header for header, _g, _f in columns]))
    # select_related so a related name costs no query per row (iterator() keeps it on the server-side cursor).
    rows = queryset.select_related(*related).order_by("pk").iterator(chunk_size=CHUNK)
    for obj in rows:
        values = [getter(obj) for _h, getter, _f in columns]
        sheet.append([_cell(sheet, v) for v in safe_row(sheet, values)])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    name = f"{slugify(model._meta.model_name)}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response
