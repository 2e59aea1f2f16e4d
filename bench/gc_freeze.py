"""Does freezing the loaded heap (`gc.freeze()`, gunicorn's post_worker_init) cut the p95? (issue 20)

    nice -n 15 .venv/bin/python bench/gc_freeze.py [--size 300] [--rounds 8] [--calls 25] [--prefix hrportal_scale]

One process on bench/scale.py's database of `--size` employees (build it with bench/scale.py) serves
bench/scale.py's operations through Django's test client, in rounds that alternate between the collector as
Python leaves it and the heap frozen after load (`hrportal.warm.freeze_after_load`, undone by `gc.unfreeze()` for
the next unfrozen round): the same process, data and neighbours for both. It reports p50/p95 of each operation
both ways, and the full (generation 2) collections that ran during the calls with their total pause.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import build_operations, env_for


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=8, help="rounds of each mode (default 8)")
    parser.add_argument("--calls", type=int, default=25, help="calls per operation per round (default 25)")
    parser.add_argument("--prefix", default="hrportal_scale")
    args = parser.parse_args()
    os.environ.update(env_for(args.prefix, args.size))
    import django

    django.setup()
    from bench.scale import _delete_filed
    from hrportal.warm import freeze_after_load
    from requests_app.models import Request

    operations, employee = build_operations()
    first_new = (Request.objects.order_by("-id").values_list("pk", flat=True).first() or 0) + 1
    pauses: dict[str, list[float]] = {"default": [], "freeze": []}
    mode = "default"
    started_at = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started_at[0] = time.perf_counter()
        else:
            pauses[mode].append((time.perf_counter() - started_at[0]) * 1000)

    times: dict[str, dict[str, list[float]]] = {"default": {}, "freeze": {}}
    try:
        for _name, _expected, call in operations:
            for _ in range(5):
                call()
        gc.callbacks.append(on_gc)
        for _ in range(args.rounds):
            for mode in ("default", "freeze"):
                if mode == "freeze":
                    freeze_after_load()
                for name, _expected, call in operations:
                    for _ in range(args.calls):
                        started = time.perf_counter()
                        call()
                        times[mode].setdefault(name, []).append((time.perf_counter() - started) * 1000)
                gc.unfreeze()
        gc.callbacks.remove(on_gc)
    finally:
        _delete_filed(first_new, employee)

    def p95(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[max(0, int(len(ordered) * 0.95) - 1)]

    print(f"{args.size} employees; {args.rounds} rounds × {args.calls} calls per operation and mode, alternating")
    print("| operation | default p50 / p95 ms | frozen p50 / p95 ms | p95 frozen / default |")
    print("|---|---|---|---|")
    for name in times["default"]:
        d, f = times["default"][name], times["freeze"][name]
        print(
            f"| {name} | {statistics.median(d):.1f} / {p95(d):.1f} | {statistics.median(f):.1f} / {p95(f):.1f} "
            f"| {p95(f) / p95(d):.2f} |"
        )
    for key in ("default", "freeze"):
        print(f"full collections, {key}: {len(pauses[key])}, {sum(pauses[key]):.0f} ms in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
