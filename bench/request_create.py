"""POST /api/v1/requests/ latency: the outbox path with 1 and 50 recipients vs sending inline.

    .venv/bin/python bench/request_create.py [--requests 60] [--database hrportal_bench_req]

Needs PostgreSQL (127.0.0.1:5432, database `hrportal_bench_req`, recreated; `--database` to change) and Redis
(127.0.0.1:6379 db 8, the enqueue of the dispatch task is real; no worker consumes it, the queues are purged
after). An aiosmtpd server on loopback takes 50 ms per message (bench/smtp_slow.py). Each request is a
certificate filed by the top head, so its approvers are the HR group: 1 member, then 50 members. "Inline"
replaces the outbox with what the old system did: render and send every mail over SMTP inside the HTTP request.
All four cases run in one process, in one run; the ratios are what the issue judges.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import database_url, django_env, purge_queues, recreate_database
from bench.smtp_slow import SlowSMTPServer

SMTP_DELAY = 0.050
BROKER_URL = "redis://127.0.0.1:6379/8"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60, help="requests per case (the first 5 are warm-up)")
    parser.add_argument("--database", default="hrportal_bench_req", help="PostgreSQL database (recreated)")
    args = parser.parse_args()

    # The bench's own database and Redis db, whatever the caller's environment says: both are wiped.
    # Production-like (DJANGO_DEBUG=0: no query log); no HTTPS redirect, the test client speaks plain HTTP.
    django_env(
        DATABASE_URL=database_url(args.database),
        CELERY_BROKER_URL=BROKER_URL,
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    recreate_database(args.database)
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core import mail
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from notifications import rendering
    from requests_app import services as request_services
    from staff.models import HR_GROUP, Department, Employee
    from staff.services import department_save, employee_create

    call_command("migrate", verbosity=0)
    purge_queues()

    company = department_save(department=Department(name="Компания"))
    hr_dept = department_save(department=Department(name="Отдел кадров", parent=company))

    def person(i: int, dept: Department) -> Employee:
        return employee_create(
            username=f"user{i}",
            full_name=f"Иванов{i} Иван Иванович",
            email=f"user{i}@example.test",
            department=dept,
            hire_date=dt.date(2020, 1, 1),
            fte=1,
            salary=100000,
        )

    ceo = person(0, company)
    company.head = ceo
    department_save(department=company)
    hr_group, _ = Group.objects.get_or_create(name=HR_GROUP)
    hr_people = [person(i, hr_dept) for i in range(1, 51)]

    def set_hr(size: int) -> None:
        # Through the user side: group membership is audited on the user's history.
        for i, p in enumerate(hr_people):
            (p.user.groups.add if i < size else p.user.groups.remove)(hr_group)

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(ceo.user)
    body = {"kind": "certificate", "certificate_type": "employment", "copies": 1}

    def timed_posts(count: int) -> list[float]:
        times = []
        for _ in range(count):
            start = time.perf_counter()
            response = client.post("/api/v1/requests/", body, content_type="application/json")
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 201, response.content[:300]
        return times

    def summary(label: str, times: list[float]) -> dict[str, float]:
        times = sorted(times)
        result = {"median": statistics.median(times), "p95": times[max(int(len(times) * 0.95) - 1, 0)]}
        print(f"{label:<28} median {result['median']:8.2f} ms   p95 {result['p95']:8.2f} ms", flush=True)
        return result

    def compare(sizes: tuple[int, ...], per_size: int, label: str) -> None:
        """Alternate the cases in small blocks so a noisy neighbour hits them alike."""
        samples: dict[int, list[float]] = {size: [] for size in sizes}
        for size in sizes:  # warm-up
            set_hr(size)
            timed_posts(3)
        block = 5
        for _ in range(max(per_size // block, 1)):
            for size in sizes:
                set_hr(size)
                samples[size] += timed_posts(block)
        for size in sizes:
            results[f"{label}-{size}"] = summary(f"{label}, {size} recipient(s)", samples[size])

    def inline_notify(*, event, obj, recipients, context=None, attachments=(), new_object=False):
        """The old way: render and send each message over SMTP before answering."""
        connection = mail.get_connection()
        for recipient in recipients:
            rendered = rendering.render(event=event, language=recipient.language, context=context or {})
            mail.EmailMultiAlternatives(
                rendered.subject, rendered.text, to=[recipient.email], connection=connection
            ).send()
        return []

    results: dict[str, dict[str, float]] = {}
    with SlowSMTPServer(delay=SMTP_DELAY) as smtp, override_settings(**smtp.settings()):
        compare((1, 50), args.requests, "outbox")
        original = request_services.notify
        request_services.notify = inline_notify
        try:
            # Inline sending with 50 recipients takes ~2.5 s a request: fewer samples suffice.
            compare((1,), args.requests // 2, "inline")
            compare((50,), 10, "inline")
        finally:
            request_services.notify = original
    purge_queues()

    o1, o50, i50 = results["outbox-1"], results["outbox-50"], results["inline-50"]
    print()
    print(f"outbox 50 / outbox 1 (median): {o50['median'] / o1['median']:.2f}x   (acceptance: <= 1.2)")
    print(f"inline 50 / outbox 50 (median): {i50['median'] / o50['median']:.1f}x   (acceptance: >= 20)")
    print(f"inline 1 / outbox 1 (median): {results['inline-1']['median'] / o1['median']:.1f}x")


if __name__ == "__main__":
    main()
