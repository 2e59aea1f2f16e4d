"""Where one operation of bench/scale.py spends its SQL time: each statement's median time, and its plan.

    .venv/bin/python bench/scale_sql.py --size 30000 --operation "HR admin: employees ?q" [--calls 20]
    .venv/bin/python bench/scale_sql.py --size 30000 --operation "HR: schedule progress" --explain 2

The operation is the first of bench/scale.py's whose name starts with `--operation`, against the database that
bench built (`<prefix>_<size>`, in its environment). After 10 unmeasured calls, `--calls` calls with every statement
timed (Django's `execute_wrapper`); printed per statement: its median milliseconds, how many times a call runs it,
its first 160 characters, then the sum of the medians. With `--explain MS`, the statements of one more call that
took at least MS milliseconds are run again under `EXPLAIN (ANALYZE, BUFFERS)` and their plans printed.

Then where a call's time goes besides the statements, medians over the same calls: the whole call; its SQL; the
rendering of its templates (`django.template.backends.django.Template.render`, the page's own template and what
it includes), less the SQL run while rendering; the rest (the view's Python, the middleware, building objects
from rows); and how many model instances a call builds (`post_init`) — so that a page which shows more rows at a
larger size shows whether it pays for them in SQL or in Python.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import env_for


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefix", default="h_scale")
    parser.add_argument("--size", type=int, default=30000)
    parser.add_argument("--operation", required=True, help="the start of an operation's name in bench/scale.py")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--explain", type=float, default=None, metavar="MS")
    args = parser.parse_args()
    os.environ.update(env_for(args.prefix, args.size))
    import django

    django.setup()
    from django.db import connection
    from django.db.models.signals import post_init
    from django.template.backends.django import Template

    from bench.scale import build_operations

    operations, _ = build_operations()
    call = next(c for name, _, c in operations if name.startswith(args.operation))
    for _ in range(10):
        call()

    times: dict[str, list[float]] = defaultdict(list)
    seen: list[tuple[float, str, Any]] = []
    # This call's milliseconds: its SQL, its rendering, the SQL run while rendering; and its model instances.
    spent = {"sql": 0.0, "render": 0.0, "sql_in_render": 0.0, "instances": 0}
    rendering = [0]  # depth: a form's widgets render backend templates inside the page's own

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            times[sql].append(elapsed)
            seen.append((elapsed, sql, params))
            spent["sql"] += elapsed
            if rendering[0]:
                spent["sql_in_render"] += elapsed

    original_render = Template.render

    def render(self: Any, *a: Any, **kw: Any) -> Any:
        rendering[0] += 1
        started = time.perf_counter()
        try:
            return original_render(self, *a, **kw)
        finally:
            rendering[0] -= 1
            if not rendering[0]:
                spent["render"] += (time.perf_counter() - started) * 1000

    def built(**kwargs: Any) -> None:
        spent["instances"] += 1

    split: dict[str, list[float]] = defaultdict(list)
    Template.render = render  # type: ignore[method-assign]
    post_init.connect(built, weak=False)
    try:
        with connection.execute_wrapper(timed):
            for _ in range(args.calls):
                spent.update(sql=0.0, render=0.0, sql_in_render=0.0, instances=0)
                started = time.perf_counter()
                call()
                whole = (time.perf_counter() - started) * 1000
                render_alone = spent["render"] - spent["sql_in_render"]
                split["whole"].append(whole)
                split["sql"].append(spent["sql"])
                split["render"].append(render_alone)
                split["rest"].append(whole - spent["sql"] - render_alone)
                split["instances"].append(spent["instances"])
    finally:
        Template.render = original_render  # type: ignore[method-assign]
        post_init.disconnect(built)
    total = 0.0
    for sql, samples in sorted(times.items(), key=lambda item: -sum(item[1])):
        median = statistics.median(samples)
        total += median * len(samples) / args.calls
        print(f"{median:7.2f} ms  x{len(samples) // args.calls}  {' '.join(sql.split())[:160]}")
    print(f"{args.prefix}_{args.size}, {args.operation!r}: {total:.2f} ms of SQL a call (sum of the medians)")
    med = {key: statistics.median(values) for key, values in split.items()}
    print(
        f"a call, medians: whole {med['whole']:.1f} ms = SQL {med['sql']:.1f} + rendering {med['render']:.1f}"
        f" + the rest {med['rest']:.1f} (each a median: they need not add up); {med['instances']:.0f} model instances"
    )

    if args.explain is not None:
        seen.clear()
        with connection.execute_wrapper(timed):
            call()
        with connection.cursor() as cursor:
            for elapsed, sql, params in seen:
                if elapsed < args.explain or not sql.lstrip().upper().startswith("SELECT"):
                    continue
                print(f"\n==== {elapsed:.2f} ms: {' '.join(sql.split())[:300]}")
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                for (line,) in cursor.fetchall():
                    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
