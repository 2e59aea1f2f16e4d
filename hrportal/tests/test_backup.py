"""Issue 10: a pg_dump / pg_restore round trip keeps every row and the leave ledger bit for bit
(the procedure of docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from decimal import Decimal

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"),
]

LEDGER_CHECKSUM = (
    "SELECT md5(string_agg(concat_ws('|', id, account_id, kind, days, effective_date, idempotency_key), ',' "
    "ORDER BY id)) FROM leave_leaveentry"
)


def _conninfo(dbname: str) -> str:
    s = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        host=s["HOST"] or "127.0.0.1",
        port=str(s["PORT"] or 5432),
        user=s["USER"],
        password=s["PASSWORD"] or "",
        dbname=dbname,
    )


def _snapshot(conninfo: str) -> tuple[dict[str, int], str]:
    with psycopg.connect(conninfo) as conn:
        tables = [
            r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        ]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
        checksum = conn.execute(LEDGER_CHECKSUM).fetchone()[0]
    return counts, checksum


def test_dump_and_restore_into_a_fresh_database(cast, tmp_path) -> None:
    from leave import services as leave_services

    leave_services.load_calendar(year=2026)
    leave_services.accrue(up_to=dt.date(2026, 3, 1))
    leave_services.leave_adjust(
        employee=cast.employee, leave_type="annual", days=Decimal("3"), actor=cast.hr.user, comment="backup test"
    )
    source = connection.settings_dict["NAME"]
    target = f"{source}_restore"
    env = {**os.environ, "PGPASSWORD": connection.settings_dict["PASSWORD"] or ""}
    host = [
        "-h",
        connection.settings_dict["HOST"] or "127.0.0.1",
        "-p",
        str(connection.settings_dict["PORT"] or 5432),
        "-U",
        connection.settings_dict["USER"],
    ]
    dump = tmp_path / "hrportal.dump"
    subprocess.run(["pg_dump", *host, "-Fc", "-f", str(dump), source], check=True, env=env, timeout=120)
    subprocess.run(["dropdb", *host, "--if-exists", target], check=True, env=env, timeout=60)
    subprocess.run(["createdb", *host, target], check=True, env=env, timeout=60)
    try:
        subprocess.run(["pg_restore", *host, "--no-owner", "-d", target, str(dump)], check=True, env=env, timeout=300)
        before = _snapshot(_conninfo(source))
        after = _snapshot(_conninfo(target))
        assert before[0]["leave_leaveentry"] > 0 and before[0]["staff_employee"] > 0
        assert after == before
    finally:
        subprocess.run(["dropdb", *host, "--if-exists", target], check=False, env=env, timeout=60)
