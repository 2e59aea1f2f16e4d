"""Bulk writing for the demo seeds of every app (seed_request_history, seed_payroll, seed_schedule,
seed_documents): COPY on PostgreSQL, several times faster than INSERT at the volume of a 30,000-person company;
bulk_create elsewhere. Rows are dicts of field names; a field a seed does not name takes the model's default.

These write the rows the services would write, without the services: at this volume a service call per row
would take hours. Only the seeds use them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, models


def insert_rows(model: type[models.Model], items: list[dict[str, Any]]) -> int:
    """Write `items` (each the same field names in the same order) into `model`'s table; returns how many."""
    if not items:
        return 0
    names = list(items[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**item) for item in items], batch_size=1000)
        return len(items)
    # A field the seed does not name takes the model's default (COPY would write NULL): new fields need no edit.
    # A generated column is the database's to compute.
    defaults = {
        f.attname: f.get_default()
        for f in model._meta.concrete_fields
        if f.attname not in names
        and f.name not in names
        and not f.primary_key
        and not f.generated
        and (f.has_default() or not f.null)
    }
    names += list(defaults)
    fields = [model._meta.get_field(name) for name in names]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_fields = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}

    # Table and column names come from the model's meta: nothing here comes from input.
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for item in items:
            values = [item[n] if n in item else defaults[n] for n in names]
            for i in json_fields:
                values[i] = json.dumps(values[i], ensure_ascii=False)
            copy.write_row(values)
    return len(items)


def next_ids(model_list: Iterable[type[models.Model]]) -> dict[Any, int]:
    """The first free id of each model, for rows written with explicit ids (to link their children)."""
    result = {}
    for model in model_list:
        top = model.objects.aggregate(top=models.Max("pk"))["top"] or 0
        result[model] = top + 1
    return result


def reset_sequence(model: type[models.Model], last_id: int) -> None:
    """The ids were given explicitly: the table's sequence continues after them."""
    if connection.vendor == "postgresql" and last_id > 0:
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model._meta.db_table, last_id])
