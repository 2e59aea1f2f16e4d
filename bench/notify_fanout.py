"""What a change that notifies costs its caller: the outbox with 1 and 50 recipients vs sending inline.

    .venv/bin/python bench/notify_fanout.py [--events 60]

Each "event" is one transaction that creates a row and queues its mail, as a service does: the outbox path is
`notify()` (render per language, one bulk insert, one dispatch enqueued on commit); the inline path is what the
old system did, rendering and sending every message over SMTP before the transaction ends. The SMTP server
takes 50 ms per message (bench/smtp_slow.py). All four cases run in one process, in one run; the ratios are
what issue 5 judges (the HTTP-level version is bench/request_create.py).

Uses DATABASE_URL (default: PostgreSQL 127.0.0.1:5432, database `hrportal_bench_notify`, recreated) and
CELERY_BROKER_URL (default: Redis 127.0.0.1:6379 db 9; the dispatch publish is real, no worker consumes it,
the queues are purged after).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import database_url, django_env, purge_queues, recreate_database
from bench.smtp_slow import SlowSMTPServer

DB = "hrportal_bench_notify"
os.environ.setdefault("DATABASE_URL", database_url(DB))
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/9")
django_env()

WARM_UP = 5


def _recreate_database() -> None:
    if os.environ["DATABASE_URL"] != database_url(DB):
        return  # someone else's database: migrate it, never drop it
    recreate_database(DB)


def _summary(label: str, times_ms: list[float]) -> dict[str, float]:
    times_ms = sorted(times_ms)
    result = {"median": statistics.median(times_ms), "p95": times_ms[max(0, int(len(times_ms) * 0.95) - 1)]}
    print(f"{label:<30} median {result['median']:9.2f} ms   p95 {result['p95']:9.2f} ms", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=60, help="events per outbox case (after 5 warm-up ones)")
    args = parser.parse_args()

    _recreate_database()
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core import mail
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    from notifications.models import OutboxMessage
    from notifications.rendering import language_for, render
    from notifications.services import notify
    from staff.models import Department, Employee

    call_command("migrate", verbosity=0)
    department = Department.objects.filter(name="Bench", parent=None).first() or Department.objects.create(name="Bench")

    def bench_person(i: int) -> Employee:
        user, _ = User.objects.get_or_create(username=f"bench{i}", defaults={"email": f"bench{i}@example.test"})
        employee, _ = Employee.objects.get_or_create(
            user=user,
            defaults={
                "personnel_number": f"B{i:05d}",
                "last_name": f"Иванов{i}",
                "first_name": "Иван",
                "email": user.email,
                "department": department,
                "hire_date": dt.date(2020, 1, 1),
                "language": "en" if i % 5 == 0 else "ru",
            },
        )
        return employee

    people = [bench_person(i) for i in range(50)]
    actor = people[0]

    def event_context(obj: Department) -> dict[str, object]:
        request = type("R", (), {"id": obj.pk, "kind": "leave", "status": "pending", "employee": actor})()
        return {"request": request, "actor": actor}

    def outbox(recipients: list[Employee], n: int) -> None:
        obj = Department.objects.create(name=f"event {n}", parent=department)
        notify(event="request_created", obj=obj, recipients=recipients, context=event_context(obj))

    def inline(recipients: list[Employee], n: int) -> None:
        obj = Department.objects.create(name=f"inline {n}", parent=department)
        connection = mail.get_connection()
        for person in recipients:
            rendered = render(
                event="request_created", language=language_for(person.language), context=event_context(obj)
            )
            message = mail.EmailMultiAlternatives(
                rendered.subject, rendered.text, to=[person.email], connection=connection
            )
            message.attach_alternative(rendered.html, "text/html")
            message.send()

    def measure(label: str, work: Callable[[list[Employee], int], None], size: int, events: int) -> dict[str, float]:
        times = []
        for n in range(events + WARM_UP):
            start = time.perf_counter()
            with transaction.atomic():
                work(people[:size], n)
            elapsed = (time.perf_counter() - start) * 1000
            if n >= WARM_UP:
                times.append(elapsed)
        return _summary(label, times)

    results = {}
    with SlowSMTPServer(delay=0.050) as smtp, override_settings(**smtp.settings()):
        results["outbox-1"] = measure("outbox, 1 recipient", outbox, 1, args.events)
        results["outbox-50"] = measure("outbox, 50 recipients", outbox, 50, args.events)
        results["inline-1"] = measure("inline SMTP, 1 recipient", inline, 1, max(10, args.events // 2))
        results["inline-50"] = measure("inline SMTP, 50 recipients", inline, 50, max(5, args.events // 10))
        print(f"messages the slow SMTP server took: {smtp.count}")
    print(f"outbox rows written: {OutboxMessage.objects.count()}")
    purge_queues()

    o1, o50, i50 = results["outbox-1"], results["outbox-50"], results["inline-50"]
    print()
    print(f"outbox 50 / outbox 1 (median): {o50['median'] / o1['median']:.2f}x   (issue 5: <= 1.2)")
    print(f"inline 50 / outbox 50 (median): {i50['median'] / o50['median']:.1f}x   (issue 5: >= 20)")
    print(f"inline 1 / outbox 1 (median): {results['inline-1']['median'] / o1['median']:.1f}x")


if __name__ == "__main__":
    main()
