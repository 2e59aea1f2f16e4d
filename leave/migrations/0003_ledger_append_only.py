"""The ledger is append-only in the database too: UPDATE of a ledger row fails on every backend, and
DELETE fails on PostgreSQL. (SQLite's test flush deletes rows one by one, so only UPDATE is refused
there; PostgreSQL's flush uses TRUNCATE, which row triggers do not see.)"""

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION leave_leaveentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'leave ledger entries are append-only (% refused)', TG_OP USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGER = """
CREATE TRIGGER leave_leaveentry_append_only BEFORE UPDATE OR DELETE ON leave_leaveentry
FOR EACH ROW EXECUTE FUNCTION leave_leaveentry_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS leave_leaveentry_append_only ON leave_leaveentry;
DROP FUNCTION IF EXISTS leave_leaveentry_append_only();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER leave_leaveentry_no_update BEFORE UPDATE ON leave_leaveentry
BEGIN
    SELECT RAISE(ABORT, 'leave ledger entries are append-only (UPDATE refused)');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS leave_leaveentry_no_update;"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        schema_editor.execute(PG_TRIGGER)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("leave", "0002_standard_leave_types")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
