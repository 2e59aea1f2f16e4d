"""The admin lists' row checkbox: Django's widget rendering against the formatted markup HR's admins use.

    .venv/bin/python bench/admin_checkbox.py [--prefix h_scale] [--size 3000] [--repeat 200]

`staff.admin.HRAdminMixin.action_checkbox` formats the checkbox Django renders through its form templates
(`CheckboxInput` → checkbox.html → input.html → attrs.html). Both run in one process on the employees of one list
page (50 rows of `?q=Иванов`, in Russian, as HR sees it), after checking that they give the same markup; reported:
median CPU milliseconds for the page's 50 checkboxes each way and the ratio, then the whole page through Django's
test client with each (p50 of `--repeat` calls), so the share of the page is in view, and what a row of the page
costs (the same search 9 rows a page, as it finds at 300 people, against 50). Needs a seeded database
built by bench/scale.py (`<prefix>_<size>`, in its environment).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import env_for


def median_ms(call: Callable[[], Any], repeat: int, clock: Callable[[], float]) -> float:
    for _ in range(5):
        call()
    times = []
    for _ in range(repeat):
        started = clock()
        call()
        times.append((clock() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefix", default="h_scale")
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    os.environ.update(env_for(args.prefix, args.size))
    import django

    django.setup()
    from django.contrib import admin
    from django.contrib.admin import ModelAdmin
    from django.test import Client
    from django.utils import translation

    from staff import access
    from staff.models import Employee
    from staff.selectors import employee_search_q

    hr_admin = admin.site._registry[Employee]
    rows = list(Employee.objects.filter(employee_search_q("Иванов")).order_by("-pk")[:50])
    with translation.override("ru"):
        assert [hr_admin.action_checkbox(e) for e in rows] == [ModelAdmin.action_checkbox(hr_admin, e) for e in rows]
        cpu = time.process_time
        djangos = median_ms(lambda: [ModelAdmin.action_checkbox(hr_admin, e) for e in rows], args.repeat, cpu)
        ours = median_ms(lambda: [hr_admin.action_checkbox(e) for e in rows], args.repeat, cpu)
    print(f"{args.prefix}_{args.size}: {len(rows)} rows' checkboxes, median CPU ms")
    print(f"  Django's CheckboxInput.render  {djangos:6.2f}")
    print(f"  formatted (HRAdminMixin)       {ours:6.2f}")
    print(f"  ratio                          {djangos / ours:6.1f}×")

    client = Client()
    client.force_login(access.principal_users().get(username="hr"))
    url = "/admin/staff/employee/?q=Иванов"
    assert client.get(url).status_code == 200
    ours_method = type(hr_admin).action_checkbox
    pages = {}
    for label in ("formatted", "Django's", "formatted", "Django's"):  # alternated: the machine is shared
        type(hr_admin).action_checkbox = ours_method if label == "formatted" else ModelAdmin.action_checkbox
        pages.setdefault(label, []).append(median_ms(lambda: client.get(url), args.repeat // 4, time.perf_counter))
    type(hr_admin).action_checkbox = ours_method
    # What a row costs: the same search shown 9 rows a page (what it finds at 300 people) and 50 (at 30,000).
    rows_cost = {}
    for per_page in (9, 50, 9, 50):
        hr_admin.list_per_page = per_page
        rows_cost.setdefault(per_page, []).append(
            median_ms(lambda: client.get(url), args.repeat // 4, time.perf_counter)
        )
    hr_admin.list_per_page = 50
    per_row = (statistics.median(rows_cost[50]) - statistics.median(rows_cost[9])) / 41
    print(
        f"the page at 9 rows {', '.join(f'{t:.1f}' for t in rows_cost[9])} ms, at 50 rows "
        f"{', '.join(f'{t:.1f}' for t in rows_cost[50])} ms (p50): {per_row:.2f} ms a row"
    )
    runs = "; ".join(f"{label} {p[0]:.1f}, {p[1]:.1f}" for label, p in pages.items())
    print(f"the page {url}, p50 wall ms of two runs each: {runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
