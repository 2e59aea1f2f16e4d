"""On PostgreSQL: no two pending/approved absences of one employee overlap (btree_gist exclusion).

Vendor-aware so the same migrations run on SQLite (docs/decisions/0004).
"""

from django.db import migrations

CONSTRAINT = "request_no_overlapping_absence"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE requests_app_request ADD CONSTRAINT {CONSTRAINT}
    EXCLUDE USING gist (employee_id WITH =, daterange(start_date, end_date, '[]') WITH &&)
    WHERE (status IN ('pending', 'approved') AND kind IN ('leave', 'business_trip'));
"""
DROP = f"ALTER TABLE requests_app_request DROP CONSTRAINT IF EXISTS {CONSTRAINT};"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
