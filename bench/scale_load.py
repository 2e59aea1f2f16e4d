"""50 users at once on the 30,000-person company: p95 per operation beside its single-user p95 (issue 20).

    nice -n 15 .venv/bin/python bench/scale_load.py [--size 30000] [--users 50] [--think 2] [--seconds 180]
                                                    [--single 100] [--prefix hrportal_scale]

gunicorn with the project's config (`gunicorn.conf.py`; GUNICORN_WORKERS and GUNICORN_THREADS in the environment
override its defaults; the gc freeze after load; DJANGO_DEBUG=0) on the database bench/scale.py built
(`<prefix>_<size>`, used as it is; build it with bench/scale.py first), over HTTP on loopback. First, one call at a
time, each operation of the employee mix is called `--single` times by the users below in turn (its single-user
p95), then `--single` times by the first user alone (printed beside it: the baseline before session 12); then
`--users` virtual users — the first seeded logins, each with a token and a session — each doing the employee mix of
bench/load.py (dashboard 25 %, balance 30 %, quote 30 %, filing a certificate 15 %) with `--think` seconds between
requests, for `--seconds`. An error is any other status than the expected one, or no answer. The certificates filed
are deleted afterwards (`bench/scale.py`'s clean-up).
No Celery worker: a filing's mail task waits in Redis db 10, purged at the end.
During the load, the resident memory of every gunicorn worker is read from /proc each second: the workers alive at
once, their threads, and the peak RSS of each (a worker is recycled after GUNICORN_MAX_REQUESTS requests).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import PYTHON, ROOT, bench_env
from bench.load import MIX, Process, Stats, free_port, healthy, login, percentile, proc_stats, timed, wait_for
from bench.scale import BROKER, psql_value


def call(user, op: str, rng: random.Random, stats: Stats) -> None:
    client = user.client
    if op == "dashboard":
        timed(stats, 200, lambda: client.request("GET", "/"))
    elif op == "balance":
        timed(stats, 200, lambda: client.request("GET", "/api/v1/leave/balance/", token=user.token))
    elif op == "quote":
        start = f"2027-{rng.randrange(3, 10):02d}-{rng.randrange(1, 15):02d}"
        end = start[:8] + f"{int(start[8:]) + rng.randrange(0, 10):02d}"
        body = {"leave_type": "annual", "start_date": start, "end_date": end}
        timed(stats, 200, lambda: client.request("POST", "/api/v1/leave/quote/", body=body, token=user.token))
    else:
        body = {"kind": "certificate", "certificate_type": "employment", "copies": 1, "comment": "bench"}
        timed(stats, 201, lambda: client.request("POST", "/api/v1/requests/", body=body, token=user.token))


PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def workers_of(master: int) -> dict[int, tuple[float, int]]:
    """The resident MB and thread count of each live child of the gunicorn master."""
    found = {}
    for pid, _name, fields in proc_stats():
        # proc(5), counted from field 3: fields[1] the parent, fields[17] the threads, fields[21] the resident pages.
        if int(fields[1]) == master:
            found[pid] = (int(fields[21]) * PAGE_MB, int(fields[17]))
    return found


class MemorySampler(threading.Thread):
    """Peak RSS per gunicorn worker over the load, most workers alive at once, most threads in one worker."""

    def __init__(self, master: int) -> None:
        super().__init__(daemon=True)
        self.master, self.peak, self.alive, self.threads = master, {}, 0, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            workers = workers_of(self.master)
            self.alive = max(self.alive, len(workers))
            for pid, (rss, threads) in workers.items():
                self.peak[pid] = max(self.peak.get(pid, 0.0), rss)
                self.threads = max(self.threads, threads)

    def report(self) -> str:
        peaks = sorted(self.peak.values())
        if not peaks:
            return "gunicorn workers: none seen"
        return (
            f"gunicorn workers: {self.alive} alive at once, up to {self.threads} threads each, "
            f"{len(peaks)} over the run (recycled after GUNICORN_MAX_REQUESTS); peak RSS per worker: "
            f"median {peaks[len(peaks) // 2]:.0f} MB, max {peaks[-1]:.0f} MB; "
            f"{self.alive} x max = {self.alive * peaks[-1]:.0f} MB"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between a user's requests (default 2)")
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--single", type=int, default=100, help="calls per operation of the lone user (default 100)")
    parser.add_argument("--prefix", default="hrportal_scale")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="hrportal-scale-load-"))
    port = free_port()
    env = bench_env(
        name="scale-load",
        database=f"{args.prefix}_{args.size}",
        var_dir=var,
        allowed_hosts="127.0.0.1,localhost",
        CELERY_BROKER_URL=BROKER,
        PYTHONUNBUFFERED="1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    web = Process("gunicorn", [str(ROOT / ".venv" / "bin" / "gunicorn"), "hrportal.wsgi:application"], env, var)
    try:
        wait_for(lambda: healthy(port), 120, "gunicorn", web.tail)
        hr = login(port, "hr")
        _, data, _ = hr.client.request("GET", "/api/v1/employees/?limit=200", token=hr.token)  # type: ignore[union-attr]
        rows = json.loads(data)["results"]
        names = [r["username"] for r in rows if r["username"] != "hr" and r["termination_date"] is None]
        chosen = ["employee", *[n for n in names if n != "employee"]][: args.users]
        users = [login(port, name) for name in chosen]
        # Heads' dashboards also show their inbox: how many of the users are heads says what the load's mix holds.
        head_names = psql_value(
            f"{args.prefix}_{args.size}",
            "SELECT string_agg(u.username, ' ') FROM staff_department d "
            "JOIN staff_employee e ON e.id = d.head_id JOIN auth_user u ON u.id = e.user_id",
        )
        heads = len(set(chosen) & set((head_names or "").split()))
        print(
            f"{args.size} employees; gunicorn (project config) on :{port}; {len(users)} users logged in, "
            f"{heads} of them heads of a department (their dashboard shows their inbox)"
        )

        # The single-user p95 the load is compared with: the same users as under load (heads among them), one
        # call at a time, in turn. The employee alone, the baseline before session 12, is printed beside it.
        single = {op: Stats() for op, _ in MIX}
        alone = {op: Stats() for op, _ in MIX}
        rng = random.Random(1)
        for op, _ in MIX:
            for i in range(10):  # warm-up
                call(users[i % len(users)], op, rng, Stats())
            for i in range(args.single):
                call(users[i % len(users)], op, rng, single[op])
            for _ in range(args.single):
                call(users[0], op, rng, alone[op])

        loaded = [{op: Stats() for op, _ in MIX} for _ in users]
        until = time.monotonic() + args.seconds

        def loop(index: int) -> None:
            user_rng = random.Random(index)
            ops, weights = zip(*MIX, strict=True)
            time.sleep(user_rng.uniform(0, args.think))  # users arrive spread over one think time
            while time.monotonic() < until:
                op = user_rng.choices(ops, weights)[0]
                call(users[index], op, user_rng, loaded[index][op])
                time.sleep(args.think)

        memory = MemorySampler(web.proc.pid)
        memory.start()
        threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(len(users))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        memory.stopped.set()
        memory.join()
    finally:
        web.stop()
        subprocess.run(
            [PYTHON, str(ROOT / "bench" / "scale.py"), "--child", "cleanup", "--prefix", args.prefix],
            cwd=ROOT,
            env=env,
            check=False,
        )

    print(
        f"\n{len(users)} users, think time {args.think:g} s, {args.seconds:g} s; single user: {args.single} calls each"
    )
    print(
        "| operation | single-user p95 ms (the users in turn) | the employee alone p95 ms | requests under load "
        "| p50 ms | p95 ms | errors | p95 / single | p95 / the employee alone |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    worst, errors = 0.0, 0
    for op, _ in MIX:
        merged = Stats()
        for stats in loaded:
            merged.merge(stats[op])
        in_turn = percentile([x * 1000 for x in single[op].latencies], 95)
        employee = percentile([x * 1000 for x in alone[op].latencies], 95)
        ms = [x * 1000 for x in merged.latencies]
        ratio = percentile(ms, 95) / in_turn
        worst = max(worst, ratio)
        errors += merged.errors + single[op].errors + alone[op].errors
        print(
            f"| {op} | {in_turn:.1f} | {employee:.1f} | {len(ms)} | {percentile(ms, 50):.1f} "
            f"| {percentile(ms, 95):.1f} | {merged.errors} | {ratio:.2f}× | {percentile(ms, 95) / employee:.2f}× |"
        )
        for sample in merged.error_samples:
            print(f"    error: {sample}")
    print(f"\nerrors {errors} (limit 0); worst p95 / single-user p95 {worst:.2f} (limit 3)")
    print(memory.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
