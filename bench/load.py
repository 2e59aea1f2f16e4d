"""Load: many seeded users on gunicorn (2 workers) with a real Celery worker, beside the framework's floor.

    .venv/bin/python bench/load.py [--users 20] [--seconds 60] [--employees 300]

Needs PostgreSQL on 127.0.0.1:5432 (database `hrportal_bench_load`, recreated; `--database` to change) and
Redis on 127.0.0.1:6379 (db 11; `--redis-db`). The script migrates, seeds `seed_demo --employees N`, collects
the static files, then starts gunicorn with the project's gunicorn.conf.py (2 workers, production settings:
DJANGO_DEBUG=0) and one Celery worker (all three queues) that sends the notifications of the requests filed,
into the embedded mail sink.

Two phases of `--seconds` each, in one run, each with `--users` concurrent virtual users (one thread each):

1. floor: `GET /healthz` in a loop — the cost of the framework, the middleware and gunicorn alone;
2. mix: each virtual user is a different seeded employee, logged in once by token (API) and once by the login
   form (session, for the HTML dashboard), then, in a random mix: the dashboard page `/` (25 %), their leave
   balances `GET /api/v1/leave/balance/` (30 %), a vacation quote `POST /api/v1/leave/quote/` (30 %) and a
   certificate request `POST /api/v1/requests/` (15 %, which queues a notification for the worker).

With `--each`, one more phase per operation of the mix alone (same users, same length), each reported with its
own share of the floor: where the mix's ratio comes from.

Reported per phase (and per operation of the mix): requests, requests/s, p50/p95/p99 latency, errors (any
answer other than the expected status, or no answer). Acceptance (issue 10): no errors, and the mix reaches at
least 30 % of the floor's requests/s. Exit status 1 when it does not. Every request loop is bounded in time.

Past 400 lines: the stack, the load generator and the CPU accounting of one runnable bench.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._stack import ROOT, bench_env, prepare

PASSWORD = "demo12345"  # seed_demo's default
MIX = (("dashboard", 25), ("balance", 30), ("quote", 30), ("create", 15))
ACCEPT_RATIO = 0.30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def add(self, latency: float, ok: bool, detail: str = "") -> None:
        self.latencies.append(latency)
        if not ok:
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(detail)

    def merge(self, other: Stats) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.error_samples += other.error_samples[: max(0, 5 - len(self.error_samples))]

    def row(self, name: str, seconds: float) -> str:
        ms = [x * 1000 for x in self.latencies]
        return (
            f"| {name} | {len(ms)} | {len(ms) / seconds:.1f} | {percentile(ms, 50):.1f} | {percentile(ms, 95):.1f} "
            f"| {percentile(ms, 99):.1f} | {self.errors} |"
        )


class Client:
    """A virtual user's HTTP client: a new connection per request (`Connection: close`), its cookies kept."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, body: object = None, form: dict[str, str] | None = None, token: str = ""
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        # One connection per request, as gunicorn's sync workers answer anyway: no keep-alive connection the
        # server may close under a request (a recycled worker, the keep-alive timeout).
        headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html", "Connection": "close"}
        payload: str | None = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        if form is not None:
            payload = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        if token:
            headers["Authorization"] = f"Token {token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data, response

    def close(self) -> None:
        self.conn.close()


def timed(stats: Stats, expected: int, call: Callable[[], tuple[int, bytes, object]]) -> bytes:
    started = time.perf_counter()
    try:
        status, data, _ = call()
    except Exception as exc:
        stats.add(time.perf_counter() - started, False, f"{exc.__class__.__name__}: {exc}")
        return b""
    stats.add(time.perf_counter() - started, status == expected, f"{status}: {data[:200]!r}")
    return data


# --- where the CPU goes ------------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_stats() -> Iterator[tuple[int, str, list[str]]]:
    """(pid, command name, the fields after the name) of every live process, from /proc/<pid>/stat (proc(5): the
    list starts at field 3, the state)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        yield int(entry), stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()


def cpu_seconds(*, session: int | None = None, comm: str | None = None) -> float:
    """User + system CPU seconds of the live processes of a session (a started process tree) or with a name."""
    total = 0
    for _pid, name, fields in proc_stats():
        # fields[3] is the session id; fields[11..14] utime, stime and the reaped children's cutime, cstime
        # (proc(5), counted from field 3): gunicorn's recycled workers count through their master.
        if (session is not None and int(fields[3]) == session) or (comm is not None and name == comm):
            total += sum(int(value) for value in fields[11:15])
    return total / CLOCK_TICKS


@dataclass
class CpuMeter:
    """CPU seconds per part of the stack over a phase (exited workers count through their parent's cutime)."""

    parts: dict[str, Callable[[], float]]
    start: dict[str, float] = field(default_factory=dict)

    def begin(self) -> None:
        self.start = {name: read() for name, read in self.parts.items()}

    def report(self, seconds: float) -> str:
        used = {name: max(0.0, read() - self.start[name]) for name, read in self.parts.items()}
        return ", ".join(f"{name} {value / seconds:.2f}" for name, value in used.items())


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the stack ----------------------------------------------------------------------------------------------


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, tail: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            sys.exit(f"{what} did not come up within {timeout:g}s:\n{tail()}")
        time.sleep(0.2)


def healthy(port: int) -> bool:
    try:
        status, _, _ = Client(port).request("GET", "/healthz")
        return status == 200
    except OSError:
        return False


# --- virtual users ------------------------------------------------------------------------------------------


@dataclass
class User:
    username: str
    token: str = ""
    employee_id: int = 0
    client: Client | None = None


def login(port: int, username: str) -> User:
    """A token for the API and a session (the login form, with its CSRF token) for the pages."""
    user = User(username=username, client=Client(port))
    status, data, _ = user.client.request(
        "POST", "/api/v1/auth/token/", body={"username": username, "password": PASSWORD}
    )
    if status != 200:
        sys.exit(f"token for {username}: {status} {data[:200]!r}")
    user.token = json.loads(data)["token"]
    status, data, _ = user.client.request("GET", "/api/v1/me/", token=user.token)
    user.employee_id = int(json.loads(data)["id"])
    status, page, _ = user.client.request("GET", "/accounts/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or match is None:
        sys.exit(f"login page: {status}")
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1).decode()}
    status, data, _ = user.client.request("POST", "/accounts/login/", form=form)
    if status != 302:
        sys.exit(f"session login of {username}: {status} {data[:300]!r}")
    return user


def floor_loop(port: int, until: float, stats: Stats) -> None:
    client = Client(port)
    while time.monotonic() < until:
        timed(stats, 200, lambda: client.request("GET", "/healthz"))
    client.close()


def mix_loop(
    user: User, until: float, stats: dict[str, Stats], seed: int, mix: tuple[tuple[str, int], ...] = MIX
) -> None:
    rng = random.Random(seed)
    names, weights = zip(*mix, strict=True)
    client = user.client
    assert client is not None
    base = dt.date(2027, 2, 1)  # quotes of future leave (a fixed calendar year, so every run asks the same)
    while time.monotonic() < until:
        op = rng.choices(names, weights)[0]
        if op == "dashboard":
            timed(stats[op], 200, lambda: client.request("GET", "/"))
        elif op == "balance":
            timed(stats[op], 200, lambda: client.request("GET", "/api/v1/leave/balance/", token=user.token))
        elif op == "quote":
            start = base + dt.timedelta(days=rng.randrange(0, 300))
            body = {
                "leave_type": "annual",
                "start_date": start.isoformat(),
                "end_date": (start + dt.timedelta(days=rng.randrange(0, 14))).isoformat(),
            }
            timed(
                stats[op], 200, lambda b=body: client.request("POST", "/api/v1/leave/quote/", body=b, token=user.token)
            )
        else:
            body = {"kind": "certificate", "certificate_type": "employment", "copies": 1, "comment": "load"}
            timed(stats[op], 201, lambda b=body: client.request("POST", "/api/v1/requests/", body=b, token=user.token))


def run_threads(targets: list[Callable[[], None]]) -> float:
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent virtual users (default 20)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase (default 60)")
    parser.add_argument("--employees", type=int, default=300, help="seed_demo --employees (default 300)")
    parser.add_argument("--database", default="hrportal_bench_load", help="PostgreSQL database (recreated)")
    parser.add_argument("--redis-db", type=int, default=11, help="Redis db on 127.0.0.1:6379 (flushed)")
    parser.add_argument(
        "--each", action="store_true", help="then one more phase per operation alone, with its own ratio to the floor"
    )
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="hrportal-bench-load-"))
    env = bench_env(
        name="load",
        database=args.database,
        var_dir=var,
        allowed_hosts="127.0.0.1,localhost",
        CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        PYTHONUNBUFFERED="1",
    )
    subprocess.run(["redis-cli", "-n", str(args.redis_db), "flushdb"], check=True, capture_output=True)
    started = time.monotonic()
    prepare(env, args.database, employees=args.employees)
    print(f"database migrated and seeded with {args.employees} employees in {time.monotonic() - started:.0f}s")

    port = free_port()
    web_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
    web = Process("gunicorn", [str(ROOT / ".venv" / "bin" / "gunicorn"), "hrportal.wsgi:application"], web_env, var)
    worker = Process(
        "worker",
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "hrportal",
            "worker",
            "-Q",
            "default,mail,reports",
            "-c",
            "1",
            "--loglevel=INFO",
        ],
        env,
        var,
    )
    try:
        wait_for(lambda: healthy(port), 60, "gunicorn", web.tail)
        wait_for(lambda: " ready." in worker.tail(), 60, "the Celery worker", worker.tail)

        # Seeded employees with a login, one per virtual user (HR lists them through the API).
        hr = login(port, "hr")
        _status, data, _ = hr.client.request("GET", "/api/v1/employees/?limit=1000", token=hr.token)  # type: ignore[union-attr]
        people = [row["username"] for row in json.loads(data)["results"] if row.get("username")]
        usernames = ["employee", "manager", "outsider"] + [
            u for u in people if u not in ("employee", "manager", "outsider", "hr")
        ]
        if len(usernames) < args.users:
            sys.exit(f"only {len(usernames)} logins for {args.users} users")
        users = [login(port, name) for name in usernames[: args.users]]
        print(f"{len(users)} virtual users logged in (token and session)")

        # Warm-up: a few requests of every kind, not measured.
        warm = {name: Stats() for name, _ in MIX}
        run_threads([lambda u=u, i=i: mix_loop(u, time.monotonic() + 2, warm, 1000 + i) for i, u in enumerate(users)])

        meter = CpuMeter(
            {
                "gunicorn": lambda: cpu_seconds(session=web.proc.pid),
                "celery": lambda: cpu_seconds(session=worker.proc.pid),
                "postgres": lambda: cpu_seconds(comm="postgres"),
                "load generator": own_cpu,
            }
        )
        floor = [Stats() for _ in range(args.users)]
        until = time.monotonic() + args.seconds
        meter.begin()
        floor_seconds = run_threads([lambda s=s: floor_loop(port, until, s) for s in floor])
        floor_cpu = meter.report(floor_seconds)

        mix = [{name: Stats() for name, _ in MIX} for _ in range(args.users)]
        until = time.monotonic() + args.seconds
        meter.begin()
        mix_seconds = run_threads(
            [lambda u=u, s=s, i=i: mix_loop(u, until, s, i) for i, (u, s) in enumerate(zip(users, mix, strict=True))]
        )
        mix_cpu = meter.report(mix_seconds)

        alone: list[tuple[str, Stats, float, str]] = []
        for name, _ in MIX if args.each else ():
            runs = [{name: Stats()} for _ in range(args.users)]
            alone_until = time.monotonic() + args.seconds
            meter.begin()
            seconds = run_threads(
                [
                    lambda u=u, s=s, i=i, n=name, t=alone_until: mix_loop(u, t, s, 500 + i, ((n, 1),))
                    for i, (u, s) in enumerate(zip(users, runs, strict=True))
                ]
            )
            merged = Stats()
            for s in runs:
                merged.merge(s[name])
            alone.append((name, merged, seconds, meter.report(seconds)))
        alive = web.alive() and worker.alive()
    finally:
        web.stop()
        worker.stop()

    floor_all = Stats()
    for s in floor:
        floor_all.merge(s)
    per_op = {name: Stats() for name, _ in MIX}
    mix_all = Stats()
    for stats in mix:
        for name, s in stats.items():
            per_op[name].merge(s)
            mix_all.merge(s)

    print()
    print(
        f"{args.users} concurrent users, {args.seconds:g} s per phase, gunicorn 2 workers, PostgreSQL, Redis, 1 worker"
    )
    print()
    print("| phase | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    print(floor_all.row("floor: GET /healthz", floor_seconds))
    print(mix_all.row("mix (all)", mix_seconds))
    for name, _ in MIX:
        print(per_op[name].row(f"mix: {name}", mix_seconds))
    floor_rate = len(floor_all.latencies) / floor_seconds
    mix_rate = len(mix_all.latencies) / mix_seconds
    ratio = mix_rate / floor_rate if floor_rate else 0.0
    errors = floor_all.errors + mix_all.errors + sum(stats.errors for _, stats, _, _ in alone)
    if alone:
        print()
        print("Each operation alone (the same users, one phase each, after the mix):")
        print()
        print("| operation | requests | req/s | p50 ms | p95 ms | p99 ms | errors | of the floor |")
        print("|---|---|---|---|---|---|---|---|")
        for name, stats, seconds, _ in alone:
            share = len(stats.latencies) / seconds / floor_rate if floor_rate else 0.0
            print(f"{stats.row(name, seconds)} {share:.0%} |")
    print()
    print("CPU cores busy per part (of 2):")
    print(f"  floor: {floor_cpu}")
    print(f"  mix:   {mix_cpu}")
    for name, _, _, cpu in alone:
        print(f"  {name + ':':<7}{cpu}")
    print(f"mix / floor: {ratio:.0%} of the floor's requests/s (acceptance: ≥ {ACCEPT_RATIO:.0%}); errors: {errors}")
    samples = floor_all.error_samples + mix_all.error_samples
    for _, stats, _, _ in alone:
        samples += stats.error_samples
    for sample in samples:
        print(f"  error: {sample}")
    ok = errors == 0 and ratio >= ACCEPT_RATIO and alive
    print("ACCEPTED" if ok else "NOT ACCEPTED")
    shutil.rmtree(var, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
