"""Load benchmark of the venue's countdown screen (OP-3): 500 viewers poll while timers start and pause.

Usage: ``make bench-countdown`` (or ``.venv/bin/python bench/countdown_load.py``). It runs the service as in
production — gunicorn (threaded workers, one per core, keep-alive as behind nginx) against PostgreSQL on
127.0.0.1 and Redis as the shared cache — and drives it from an asyncio load generator on the same machine:

1. Setup: a fresh database, a competency with a flow of three timed steps (familiarisation, task, module).
2. ``VIEWERS`` (500) screens, each on its own keep-alive connection, poll the flow's state endpoint every
   ``POLL_MS`` (800, what the screen page does) with the version they hold, spread evenly over the period.
3. Meanwhile, every ``CHANGE_EVERY`` (5) seconds the chief expert starts, pauses, resumes the timers
   (``timekeeping.domain``, in this process: the same database and the same Redis). For every change and every
   viewer the delay until that viewer's first answer carrying the new version is recorded.
4. Report: delays (p50/p95/p99/max; the share within 1 s), request latency, errors, requests per second and the
   server's CPU (gunicorn master and workers plus the PostgreSQL backends of the benchmark database, from
   /proc) per viewer — also split into the idle second (no change) and the seconds with a change.

Every phase is bounded; it creates and drops its own database and removes its Redis keys (its own key
prefix) on exit, also after a failure (``KEEP_DB=1`` keeps them). With ``BASELINE=1`` (the default) the same
run is repeated with every poll through Django (``SCREEN_POLL_SHORTCUT=0``), for the ratio of the two.
Parameters: VIEWERS (500), POLL_MS (800), SECONDS (60), CHANGE_EVERY (5), WORKERS (cores), THREADS (4), PORT (8793),
BENCH_DB_URL (postgres://postgres@127.0.0.1:5432/h_time_countdown_bench),
BENCH_REDIS_URL (redis://127.0.0.1:6379/0).
"""

# A local benchmark: it runs gunicorn by name, and random phases need no secrecy.
# ruff: noqa: S603, S607

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import loadclient  # bench/loadclient.py and bench/pg.py: python puts the script's folder first on sys.path
import pg

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DB_URL", "postgres://postgres@127.0.0.1:5432/h_time_countdown_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
VIEWERS = int(os.environ.get("VIEWERS", "500"))
POLL_MS = int(os.environ.get("POLL_MS", "800"))
SECONDS = float(os.environ.get("SECONDS", "60"))
CHANGE_EVERY = float(os.environ.get("CHANGE_EVERY", "5"))
CORES = os.cpu_count() or 1
WORKERS = int(os.environ.get("WORKERS", str(CORES)))
THREADS = os.environ.get("THREADS", "4")
PORT = int(os.environ.get("PORT", "8793"))
HOST = pg.HOST
PREFIX = f"countdown-bench-{os.getpid()}"

ENV = {
    **os.environ,
    "DATABASE_URL": DB_URL,
    "DJANGO_SETTINGS_MODULE": "profmaster.settings",
    "PYTHONPATH": str(ROOT / "src"),
    "LOG_LEVEL": "ERROR",
    "REDIS_URL": REDIS_URL,
    "CELERY_EAGER": "1",
    "CACHE_KEY_PREFIX": PREFIX,
    "STATIC_ROOT": os.environ.get("STATIC_ROOT", "/tmp/profmaster-bench-static"),  # noqa: S108 - throwaway
}
Path(ENV["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)
SERVER_PID: list[int] = []


def db_name() -> str:
    return pg.db_name(DB_URL)


def setup() -> dict[str, Any]:
    pg.recreate_database(DB_URL, db_name())
    os.environ.update({k: v for k, v in ENV.items() if k != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT / "src"))
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from profmaster.accounts.models import Role, RoleAssignment, User
    from profmaster.championships.models import Championship, Competency, ProgrammeSlot, Stage
    from profmaster.marking.models import Criterion, MarkingScheme
    from profmaster.timekeeping import domain
    from profmaster.timekeeping.selectors import screen_token

    call_command("migrate", verbosity=0, interactive=False)
    championship = Championship.objects.create(name="Нагрузочный чемпионат", slug="bench", season="2023",
                                               starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2030, 12, 31))
    stage = Stage.objects.create(championship=championship, name="Финал", kind="final",
                                 starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2030, 12, 31))
    competency = Competency.objects.create(championship=championship, name="Кондитерское дело", expert_count=4)
    chief = User.objects.create_user("chief@bench.local", "x", last_name="Пекарева", first_name="Анна")
    RoleAssignment.objects.create(user=chief, role=Role.CHIEF_EXPERT, championship=championship, competency=competency)
    flow = ProgrammeSlot.objects.create(championship=championship, stage=stage, competency=competency, kind="flow",
                                        title="Поток 1", starts_at=timezone.now(),
                                        ends_at=timezone.now() + dt.timedelta(hours=6))
    scheme = MarkingScheme.objects.create(competency=competency, stage=stage, title="Схема")
    module = Criterion.objects.create(scheme=scheme, code="A", title="Торт")
    timers = [domain.create_timer(flow, kind="workplace", duration_minutes=30, by=chief),
              domain.create_timer(flow, kind="task", duration_minutes=15, by=chief),
              domain.create_timer(flow, kind="module", module=module, duration_minutes=180, by=chief)]
    return {"token": screen_token(flow), "timers": [t.pk for t in timers], "chief": chief.pk, "flow": flow.pk}


def server_cpu_seconds() -> float:
    """CPU seconds used so far by gunicorn (its process group) and the benchmark database's backends."""
    return sum(pg.service_cpu(SERVER_PID[0] if SERVER_PID else None, db_name()))


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(data: dict[str, Any]) -> dict[str, Any]:
    from asgiref.sync import sync_to_async
    from django.db import connections

    from profmaster.accounts.models import User
    from profmaster.timekeeping import domain
    from profmaster.timekeeping.models import Timer

    path = f"/timekeeping/screen/{data['token']}/state/"
    chief = await sync_to_async(User.objects.get)(pk=data["chief"])
    changes: list[tuple[float, str]] = []  # (monotonic moment of the commit, version after it)
    seen: list[dict[str, float]] = [{} for _ in range(VIEWERS)]  # viewer → version → first moment seen
    latencies: list[float] = []
    errors: dict[str, int] = {}
    stop_at = time.monotonic() + SECONDS
    period = POLL_MS / 1000

    async def viewer(index: int) -> None:
        conn = loadclient.Persistent(HOST, PORT)
        version = ""
        await asyncio.sleep(period * index / VIEWERS)
        next_at = time.monotonic()
        while time.monotonic() < stop_at:
            request = (f"GET {path}?v={version} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n\r\n").encode()
            started = time.monotonic()
            try:
                header, content = await conn.exchange(request)
                answer = json.loads(content)
            except (OSError, ValueError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                conn.close()
            else:
                done = time.monotonic()
                latencies.append(done - started)
                status = loadclient.status_of(header)
                if status != 200:
                    errors[str(status)] = errors.get(str(status), 0) + 1
                elif answer["v"] != version:
                    version = answer["v"]
                    seen[index].setdefault(version, done)
            next_at += period
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        conn.close()

    def command(step: int) -> str:
        timer = Timer.objects.get(pk=data["timers"][2])
        kind = {"not_started": "start", "running": "pause", "paused": "resume"}[timer.state]
        domain.command_timer(timer, kind, by=chief)
        connections.close_all()
        return domain.flow_version(data["flow"])

    async def controller() -> None:
        await asyncio.sleep(CHANGE_EVERY)
        step = 0
        while time.monotonic() + CHANGE_EVERY < stop_at:
            version = await sync_to_async(command, thread_sensitive=True)(step)
            changes.append((time.monotonic(), version))
            step += 1
            await asyncio.sleep(CHANGE_EVERY)

    cpu0, own0, wall0 = server_cpu_seconds(), own_cpu_seconds(), time.monotonic()
    await asyncio.gather(controller(), *(viewer(i) for i in range(VIEWERS)))
    cpu, own, wall = server_cpu_seconds() - cpu0, own_cpu_seconds() - own0, time.monotonic() - wall0

    delays, missed = [], 0
    for number, (moment, _version) in enumerate(changes):
        versions = [v for _m, v in changes[number:]]  # this change's version or any later one shows it
        for index in range(VIEWERS):
            moments = [seen[index][v] for v in versions if v in seen[index]]
            if moments:
                delays.append(max(0.0, min(moments) - moment))
            else:
                missed += 1
    within = sum(1 for d in delays if d <= 1.0)
    requests = len(latencies)
    return {
        "viewers": VIEWERS, "poll_ms": POLL_MS, "seconds": round(wall, 1), "changes": len(changes),
        "requests": requests, "requests_per_s": round(requests / wall, 1), "errors": errors,
        "request_p50_ms": round(pct(latencies, 50) * 1000, 1), "request_p99_ms": round(pct(latencies, 99) * 1000, 1),
        "seen_p50_ms": round(pct(delays, 50) * 1000), "seen_p95_ms": round(pct(delays, 95) * 1000),
        "seen_p99_ms": round(pct(delays, 99) * 1000), "seen_max_ms": round(max(delays, default=0) * 1000),
        "seen_within_1s": f"{within}/{len(delays) + missed}", "missed": missed,
        "server_cpu_s": round(cpu, 2), "server_cpu_ms_per_request": round(1000 * cpu / max(1, requests), 3),
        "server_cpu_ms_per_viewer_per_s": round(1000 * cpu / wall / VIEWERS, 3),
        "server_cpu_share_of_a_core_500_viewers": round(cpu / wall / VIEWERS * 500, 3),
        "generator_cpu_ms_per_request": round(1000 * own / max(1, requests), 3),
    }


def serve(data: dict[str, Any], shortcut: bool, port: int) -> dict[str, Any]:
    global PORT
    PORT = port  # a port of its own per run: the previous server's workers may still be closing theirs
    env = {**ENV, "SCREEN_POLL_SHORTCUT": "1" if shortcut else "0"}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "profmaster.wsgi:application", "--pythonpath", "src",
         "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", THREADS, "--keep-alive", "30",
         "--worker-connections", "2000", "--bind", f"{HOST}:{PORT}", "--no-control-socket", "--backlog", "4096",
         "--log-level", "error"], cwd=ROOT, env=env, start_new_session=True)
    SERVER_PID[:] = [server.pid]
    try:
        for _ in range(150):
            try:
                socket.create_connection((HOST, PORT), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        # warm up: every worker imports the project and answers a few polls before the measured window
        path = f"/timekeeping/screen/{data['token']}/state/"
        for _ in range(40):
            loadclient_request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nConnection: close\r\n\r\n"
            asyncio.run(loadclient.once(HOST, PORT, loadclient_request.encode()))
        time.sleep(1.0)
        result = asyncio.run(run(data))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return {"shortcut": shortcut, **result}


def main() -> None:
    print("uptime before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    print(f"countdown benchmark: {VIEWERS} viewers polling every {POLL_MS} ms for {SECONDS:.0f} s, a change every "
          f"{CHANGE_EVERY:.0f} s, gunicorn {WORKERS} × {THREADS} threads, {db_name()}", flush=True)
    data = setup()
    modes = [True, False] if os.environ.get("BASELINE", "1") == "1" else [True]
    results = []
    base_port = PORT
    for number, shortcut in enumerate(modes):
        result = serve(data, shortcut, base_port + number)
        results.append(result)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    print()
    for result in results:
        ok = result["missed"] == 0 and result["seen_max_ms"] <= 1000 and not result["errors"]
        print(f"summary ({'WSGI shortcut' if result['shortcut'] else 'every poll through Django'}): "
              f"{VIEWERS} viewers, {result['changes']} changes, every viewer saw every change within 1 s: "
              f"{'yes' if ok else 'NO'} ({result['seen_within_1s']}; max {result['seen_max_ms']} ms, "
              f"p99 {result['seen_p99_ms']} ms); {result['requests_per_s']} polls/s, request p50 "
              f"{result['request_p50_ms']} ms / p99 {result['request_p99_ms']} ms; server CPU "
              f"{result['server_cpu_ms_per_viewer_per_s']} ms per viewer per second "
              f"({result['server_cpu_ms_per_request']} ms per poll)")
    if len(results) == 2 and results[0]["server_cpu_ms_per_request"]:
        ratio = results[1]["server_cpu_ms_per_request"] / results[0]["server_cpu_ms_per_request"]
        print(f"ratio: a poll through Django costs {ratio:.1f} × the shortcut's server CPU; "
              f"load average {os.getloadavg()}")


def cleanup() -> None:
    if os.environ.get("KEEP_DB") == "1":
        return
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: S110 - Django may not be set up yet; the drop below still runs
        pass
    pg.drop_database(DB_URL, db_name())
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    removed = sum(client.delete(key) for key in client.scan_iter(match=f"{PREFIX}:*", count=1000))
    print(f"cleanup: dropped {db_name()}, removed {removed} Redis keys of {PREFIX}", flush=True)


if __name__ == "__main__":
    random.seed(0)
    try:
        main()
    finally:
        cleanup()
