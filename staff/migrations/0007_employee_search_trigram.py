"""On PostgreSQL: trigram indexes for the employee search (`staff.selectors.employee_search_q`).

The search is "contains, any case" over the surname, name, patronymic, personnel number and email:
`UPPER(col) LIKE UPPER('%word%')`, which no b-tree can serve. A GIN index of each column's UPPER() with
`gin_trgm_ops` (pg_trgm, a trusted extension: the database owner may create it) serves that exact expression,
and PostgreSQL ORs the five bitmaps instead of scanning every employee (docs/benchmarks.md, issue 20).
Vendor-aware so the same migrations run on SQLite (docs/decisions/0004). And a b-tree index in the lists'
order (surname, name, patronymic): the admin's page of 100 of 30,000 employees walks it instead of sorting them all.
"""

from django.db import migrations, models

COLUMNS = ("last_name", "first_name", "patronymic", "personnel_number", "email")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS staff_employee_{column}_trgm ON staff_employee "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS staff_employee_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("staff", "0006_own_working_week")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.AddIndex(
            model_name="employee",
            index=models.Index(fields=["last_name", "first_name", "patronymic"], name="employee_name_order_idx"),
        ),
    ]
