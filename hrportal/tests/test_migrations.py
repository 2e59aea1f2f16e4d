"""Every migration applies and reverses: each local app goes to zero and forward again."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

LOCAL_APPS = ["reports", "notifications", "requests_app", "leave", "staff"]


def _leaf_nodes() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_every_local_app_migrates_to_zero_and_back() -> None:
    leaves = _leaf_nodes()
    try:
        for app in LOCAL_APPS:
            call_command("migrate", app, "zero", verbosity=0)
        tables = set(connection.introspection.table_names())
        assert not any(
            t.startswith(("staff_", "leave_", "requests_app_", "notifications_", "reports_")) for t in tables
        )
    finally:
        call_command("migrate", verbosity=0)
    executor = MigrationExecutor(connection)
    applied = set(executor.loader.applied_migrations)
    assert set(leaves) <= applied


def test_every_runpython_has_a_reverse() -> None:
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython, RunSQL

    loader = MigrationLoader(None, ignore_no_migrations=True)
    missing = []
    for (app, name), migration in loader.disk_migrations.items():
        if app not in LOCAL_APPS:
            continue
        for op in migration.operations:
            if isinstance(op, RunPython) and op.reverse_code is None:
                missing.append(f"{app}.{name}")
            if isinstance(op, RunSQL) and op.reverse_sql is None:
                missing.append(f"{app}.{name}")
    assert not missing, missing
