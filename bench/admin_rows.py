"""The admin lists' rows: Django's checkbox and change link against the ones HR's admins build.

    .venv/bin/python bench/admin_rows.py [--prefix h_scale] [--size 3000] [--repeat 200]

Two parts of every row of an HR list (`staff.admin`), each measured against Django's own in one process on the
employees of one list page (50 rows of `?q=Иванов`, in Russian, as HR sees it), after checking that they give the
same markup:
- the checkbox: Django renders a `CheckboxInput` through its form templates (checkbox.html → input.html →
  attrs.html); `HRAdminMixin.action_checkbox` formats the same markup;
- the change link: Django's `items_for_result` reverses the row's URL, then `add_preserved_filters` resolves it
  against the URLconf to add the list's filters; `HRChangeList.url_for_result` puts the filters on the URL, and
  the tag is given none to add.
Reported: median CPU milliseconds for the page's 50 rows each way and the ratio; then the whole page through
Django's test client with Django's two and with ours (p50 of `--repeat` calls, alternated), so the share of the
page is in view, and what a row of the page costs (the same search 9 rows a page, as it finds at 300 people,
against 50). Needs a seeded database built by bench/scale.py (`<prefix>_<size>`, in its environment).
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
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
    from django.contrib.admin.views.main import ChangeList
    from django.test import Client, RequestFactory
    from django.urls import resolve
    from django.utils import translation

    from staff import access
    from staff.models import Employee
    from staff.selectors import employee_search_q

    hr_admin = admin.site._registry[Employee]
    rows = list(Employee.objects.filter(employee_search_q("Иванов")).order_by("-pk")[:50])
    cpu = time.process_time
    client = Client()
    client.force_login(access.principal_users().get(username="hr"))
    url = "/admin/staff/employee/?q=Иванов"
    # A change list as the page builds it, for the links: Django's (filters added per link) and HR's.
    request = RequestFactory().get(url)
    request.user = access.principal_users().get(username="hr")
    request.resolver_match = resolve(request.path)
    ours_list = hr_admin.get_changelist_instance(request)
    djangos_list = ChangeList.__new__(ChangeList)
    djangos_list.__dict__.update(ours_list.__dict__, preserved_filters=ours_list.row_filters)

    def links(change_list: ChangeList) -> list[str]:
        context = {"preserved_filters": change_list.preserved_filters, "opts": change_list.opts}
        return [add_preserved_filters(context, change_list.url_for_result(e)) for e in rows]

    with translation.override("ru"):
        assert [hr_admin.action_checkbox(e) for e in rows] == [ModelAdmin.action_checkbox(hr_admin, e) for e in rows]
        assert links(ours_list) == links(djangos_list) and "_changelist_filters=q%3D" in links(ours_list)[0]
        parts = {
            "checkbox": (
                median_ms(lambda: [ModelAdmin.action_checkbox(hr_admin, e) for e in rows], args.repeat, cpu),
                median_ms(lambda: [hr_admin.action_checkbox(e) for e in rows], args.repeat, cpu),
            ),
            "change link": (
                median_ms(lambda: links(djangos_list), args.repeat, cpu),
                median_ms(lambda: links(ours_list), args.repeat, cpu),
            ),
        }
    print(f"{args.prefix}_{args.size}: {len(rows)} rows, median CPU ms, Django's / HR admin's / ratio")
    for part, (djangos, ours) in parts.items():
        print(f"  {part:12} {djangos:6.2f} {ours:6.2f} {djangos / ours:6.1f}×")

    assert client.get(url).status_code == 200
    admin_class = type(hr_admin)
    ours_methods = admin_class.action_checkbox, admin_class.get_changelist
    pages = {}
    for label in ("HR admin's", "Django's", "HR admin's", "Django's"):  # alternated: the machine is shared
        if label == "Django's":
            admin_class.action_checkbox = ModelAdmin.action_checkbox
            admin_class.get_changelist = ModelAdmin.get_changelist
        else:
            admin_class.action_checkbox, admin_class.get_changelist = ours_methods
        pages.setdefault(label, []).append(median_ms(lambda: client.get(url), args.repeat // 4, time.perf_counter))
    admin_class.action_checkbox, admin_class.get_changelist = ours_methods
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
    print(f"the page {url} with each's checkbox and link, p50 wall ms of two runs each: {runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
