"""Load benchmark of the online exam (RM-1): synchronised start, sustained autosaves, pgbench, 0 lost.

Usage: ``make bench-exam`` (or ``.venv/bin/python bench/exam_load.py``). It runs the exam service as in
production — gunicorn (threaded workers, one per core) against PostgreSQL on 127.0.0.1 — and drives it from an asyncio
load generator on the same machine with real Django sessions (one per examinee, CSRF-checked).

1. Setup: a fresh database, a championship, a 40-question bank, a published exam drawing 20 of them
   (shuffled), ``EXAMINEES`` participants, each with a server-side session.
2. Synchronised start: every examinee starts at a moment spread evenly over ``START_SPREAD`` seconds
   (``POST /api/v1/exams/{id}/attempts``); errors and p50/p95/p99 of the start are reported.
3. Sustained autosaves: ``SAVE_CONCURRENCY`` closed-loop clients post answers of random examinees for
   ``SAVE_SECONDS`` seconds (at most ``SAVE_MAX`` saves); saves/s and p50/p95/p99 are reported. This is
   the *offered* load of 16 clients, not the capacity.
3b. Saturation: closed-loop clients with no think time, at each concurrency of ``SAT_LEVELS``
   (4,8,16,32,64) for ``SAT_SECONDS`` (15) each; the capacity is the highest saves/s of a level whose
   p99 ≤ 100 ms. The machine's CPU use (/proc/stat) and the load generator's own CPU are reported per level.
4. ``pgbench -N`` (simple-update, no branch contention) on the same server in the same run, so that
   saves/s ÷ pgbench TPS can be compared across machines and over time.
5. Verification: every acknowledged answer is in the database with its sequence number (0 lost).

Every phase is bounded (counts and seconds), so the run stops by itself. Parameters are environment
variables: EXAMINEES (10000), START_SPREAD (60), SAVE_SECONDS (60), SAVE_CONCURRENCY (16), SAVE_MAX
(200000), WORKERS (cores; 2 × cores + 1 with KEEPALIVE=0), THREADS (4), KEEPALIVE (1),
BENCH_DB_URL (postgres://postgres@127.0.0.1:5432/h5_exam_bench),
PGBENCH_SECONDS (30), PGBENCH_CLIENTS (8), PORT (8765), SAT_LEVELS (4,8,16,32,64), SAT_SECONDS (15),
BENCH_REDIS_URL (unset: sessions in PostgreSQL; set, e.g. redis://127.0.0.1:6379/0: sessions and caches in
Redis), GUNICORN_OPTS (extra gunicorn options).
"""

# A local benchmark: it runs psql, pgbench and gunicorn by name, and random choices need no secrecy.
# ruff: noqa: S603, S607, S311

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import loadclient  # bench/loadclient.py and bench/pg.py: python puts the script's folder first on sys.path
import pg
import sessions as sessions_cache

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DB_URL", "postgres://postgres@127.0.0.1:5432/h5_exam_bench")
EXAMINEES = int(os.environ.get("EXAMINEES", "10000"))
START_SPREAD = float(os.environ.get("START_SPREAD", "60"))
SAVE_SECONDS = float(os.environ.get("SAVE_SECONDS", "60"))
SAVE_CONCURRENCY = int(os.environ.get("SAVE_CONCURRENCY", "16"))
SAVE_MAX = int(os.environ.get("SAVE_MAX", "200000"))
#: Keep-alive connections carrying the starts (nginx's upstream keepalive); 0: a new connection per start.
START_CONNECTIONS = int(os.environ.get("START_CONNECTIONS", "64"))
#: KEEPALIVE=1 (the default): the save clients keep one connection each, as nginx's upstream keepalive does in
#: front of threaded gunicorn workers (``--worker-class gthread``); 0: a new connection per request, closed by a
#: sync worker.
KEEPALIVE = os.environ.get("KEEPALIVE", "1") == "1"
#: Threaded workers: one process per core (more only add switching between them; each holds ``THREADS``
#: requests); sync workers: gunicorn's usual 2 × cores + 1.
CORES = os.cpu_count() or 1
WORKERS = int(os.environ.get("WORKERS", str(CORES if KEEPALIVE else 2 * CORES + 1)))
PGBENCH_SECONDS = int(os.environ.get("PGBENCH_SECONDS", "30"))
PGBENCH_CLIENTS = int(os.environ.get("PGBENCH_CLIENTS", "8"))
PORT = int(os.environ.get("PORT", "8765"))
SAT_LEVELS = [int(v) for v in os.environ.get("SAT_LEVELS", "4,8,16,32,64").split(",") if v.strip()]
SAT_SECONDS = float(os.environ.get("SAT_SECONDS", "15"))
#: Extra gunicorn options, e.g. "--threads 2".
GUNICORN_OPTS = os.environ.get("GUNICORN_OPTS", "").split()
WORKER_OPTS = (["--worker-class", "gthread", "--threads", os.environ.get("THREADS", "8"), "--keep-alive", "30"]
               if KEEPALIVE else [])
HOST = pg.HOST


def db_name() -> str:
    return pg.db_name(DB_URL)
QUESTIONS = 40
PAPER = 20

ENV = {
    **os.environ,
    "DATABASE_URL": DB_URL,
    "DJANGO_SETTINGS_MODULE": "profmaster.settings",
    "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "PYTHONPATH": str(ROOT / "src"),
    "LOG_LEVEL": "ERROR",
    "STATIC_ROOT": os.environ.get("STATIC_ROOT", "/tmp/profmaster-bench-static"),  # noqa: S108 - throwaway
}
if os.environ.get("BENCH_REDIS_URL"):
    # Production with Redis: cache-backed sessions and the exam's question pool in Redis; Celery stays eager
    # (no worker runs in the benchmark); a key prefix keeps other users of the same Redis apart.
    ENV.update({"REDIS_URL": os.environ["BENCH_REDIS_URL"], "CELERY_EAGER": "1",
                "CACHE_KEY_PREFIX": f"exam-bench-{os.getpid()}"})
Path(ENV["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)


# --- Setup (in-process Django) ------------------------------------------------------------------------


def setup() -> dict[str, Any]:
    name = db_name()
    pg.recreate_database(DB_URL, name)
    os.environ.update({k: v for k, v in ENV.items() if k != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT / "src"))
    import datetime as dt
    from decimal import Decimal

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone

    from profmaster.accounts.models import Role, RoleAssignment, User
    from profmaster.championships.models import Championship, Competency
    from profmaster.exams import domain
    from profmaster.exams.models import Exam, ExamSection, Question, QuestionBank, QuestionCategory

    call_command("migrate", verbosity=0, interactive=False)
    championship = Championship.objects.create(name="Нагрузочный чемпионат", slug="bench", season="2023",
                                               starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 12, 31))
    competency = Competency.objects.create(championship=championship, name="Кондитерское дело", expert_count=4)
    chief = User.objects.create_user("chief@bench.local", "x", last_name="Главный", first_name="Эксперт")
    RoleAssignment.objects.create(user=chief, role=Role.CHIEF_EXPERT, championship=championship, competency=competency)
    bank = QuestionBank.objects.create(championship=championship, competency=competency, name="Теория")
    category = QuestionCategory.objects.create(bank=bank, name="Основы")
    for n in range(QUESTIONS):
        question = Question(bank=bank, category=category, kind="single", name=f"Вопрос {n}",
                            text=f"Вопрос № {n}: выберите верный ответ.")
        domain.save_question(question, options=[domain.OptionData("Верно", Decimal(1))] + [
            domain.OptionData(f"Неверно {k}") for k in range(3)], by=chief)
    exam = Exam(championship=championship, competency=competency, bank=bank, title="Теоретический этап",
                time_limit_minutes=180, opens_at=timezone.now() - dt.timedelta(minutes=5),
                closes_at=timezone.now() + dt.timedelta(hours=6))
    domain.save_exam(exam, by=chief)
    ExamSection.objects.create(exam=exam, category=category, count=PAPER)
    exam = domain.change_exam_status(exam, to=Exam.Status.PUBLISHED, by=chief)

    # Examinees with an unusable password (no hashing cost) and a real server-side session each.
    users = User.objects.bulk_create([
        User(email=f"examinee{n}@bench.local", last_name="Участник", first_name=f"№{n}", password="!")
        for n in range(EXAMINEES)], batch_size=2000)
    RoleAssignment.objects.bulk_create([
        RoleAssignment(user=u, role=Role.PARTICIPANT, championship=championship) for u in users], batch_size=2000)
    sessions = []
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    expire = timezone.now() + dt.timedelta(hours=6)
    store = SessionStore()
    rows = []
    for user in users:
        key = secrets.token_hex(16)
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        sessions.append({"user": user.pk, "session": key, "csrf": secrets.token_hex(16)})
    Session.objects.bulk_create(rows, batch_size=2000)
    sessions_cache.cache_as_login_does(rows, expire)  # an examinee who signed in before the start
    # RM-1 at scale: the organiser precreates every paper before the start, through the job the exam page and
    # the API queue (eager here: no worker runs in the benchmark), so each start is one conditional UPDATE.
    from profmaster.exams import precreation

    began = time.perf_counter()
    job = precreation.start_precreation(exam, by=chief)
    job.refresh_from_db()
    prepared = {"status": job.status, "seconds": round(time.perf_counter() - began, 1), **(job.report or {})}
    print("precreation:", json.dumps(prepared, ensure_ascii=False), flush=True)
    if job.status != job.Status.DONE:
        raise SystemExit(f"precreation failed: {job.message}")
    from django.db import connections

    connections.close_all()
    return {"exam": exam.pk, "examinees": sessions, "precreation": prepared}


# --- A minimal HTTP/1.1 client on asyncio streams -------------------------------------------------------


async def http(method: str, path: str, who: dict[str, Any], body: Any = None,
               conn: KeepAlive | None = None) -> tuple[int, Any, float]:
    """One request: on a new connection closed after it (as a sync gunicorn worker answers), or on ``conn``,
    a persistent connection that carries one client's requests one after another (as nginx's upstream
    keepalive does in front of threaded workers)."""
    payload = json.dumps(body).encode() if body is not None else b""
    close = "" if conn else "Connection: close\r\n"
    head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n{close}"
            f"Cookie: sessionid={who['session']}; csrftoken={who['csrf']}\r\nX-CSRFToken: {who['csrf']}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode()
    started = time.perf_counter()
    if conn is not None:
        header, content = await conn.exchange(head + payload)
    else:
        header, _, content = (await loadclient.once(HOST, PORT, head + payload)).partition(b"\r\n\r\n")
        if b"transfer-encoding: chunked" in header.lower():
            content = _dechunk(content)
    elapsed = time.perf_counter() - started
    status = loadclient.status_of(header)
    try:
        data = json.loads(content) if content else None
    except ValueError:
        data = None
    return status, data, elapsed


class KeepAlive:
    """A persistent HTTP/1.1 connection, reopened when the server closes it."""

    def __init__(self) -> None:
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def exchange(self, request: bytes) -> tuple[bytes, bytes]:
        for attempt in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(HOST, PORT)
            assert self.reader is not None
            try:
                self.writer.write(request)
                await self.writer.drain()
                header = (await self.reader.readuntil(b"\r\n\r\n"))[:-4]
            except (asyncio.IncompleteReadError, ConnectionError):
                self.close()
                if attempt:
                    raise
                continue
            lower = header.lower()
            length = re.search(rb"content-length: *(\d+)", lower)
            if length is not None:
                content = await self.reader.readexactly(int(length.group(1)))
            elif b"transfer-encoding: chunked" in lower:
                content = b""
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0] or b"0", 16)
                    chunk = await self.reader.readexactly(size + 2)
                    if size == 0:
                        break
                    content += chunk[:-2]
            else:
                content = await self.reader.read()
                self.close()
            if b"connection: close" in lower:
                self.close()
            return header, content
        raise ConnectionError("no answer")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _dechunk(content: bytes) -> bytes:
    out, rest = b"", content
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


# --- Phases ---------------------------------------------------------------------------------------------


async def warm_up(exam: int, examinees: list[dict[str, Any]], connections: list[KeepAlive]) -> dict[str, Any]:
    """Before the exam opens the service is up and warm: the examinees have the exam's page open (it reads the
    exam), and the upstream connections exist. gunicorn's master listens before its workers have loaded the
    application (seconds each), so rounds of those reads — one on every connection at once — go on until a
    round's slowest answer is under a second, at least 3 rounds and at most 20."""
    rounds, slowest = 0, float("inf")
    while rounds < 3 or (rounds < 20 and slowest > 1.0):
        if rounds:
            await asyncio.sleep(0.5)
        rounds += 1
        if connections:
            answers = await asyncio.gather(*(http("GET", f"/api/v1/exams/{exam}", examinees[n % len(examinees)],
                                                  conn=conn) for n, conn in enumerate(connections)))
        else:
            answers = await asyncio.gather(*(http("GET", f"/api/v1/exams/{exam}", who)
                                             for who in examinees[:4 * WORKERS]))
        slowest = max(elapsed for _status, _data, elapsed in answers)
    return {"rounds": rounds, "slowest_ms": round(slowest * 1000, 1)}


async def start_phase(exam: int, examinees: list[dict[str, Any]]) -> dict[str, Any]:
    latencies: list[float] = []
    windows: dict[int, list[float]] = {}  # the latencies by the 10-second window of the press
    errors: dict[str, int] = {}
    limit = asyncio.Semaphore(900)  # stay below the open-files limit; the queueing shows in the latency
    pool: asyncio.Queue[KeepAlive] = asyncio.Queue()
    connections = [KeepAlive() for _ in range(START_CONNECTIONS)]
    for conn in connections:
        pool.put_nowait(conn)
    warm = await warm_up(exam, examinees, connections)
    origin = time.perf_counter()
    server0 = server_cpu_seconds()
    gap = START_SPREAD / max(1, len(examinees))

    async def one(index: int, who: dict[str, Any]) -> None:
        pressed = origin + index * gap
        await asyncio.sleep(max(0.0, pressed - time.perf_counter()))
        if START_CONNECTIONS:
            # As nginx carries the browsers' starts to the workers: a pool of keep-alive upstream connections; the
            # latency runs from the examinee's press, so time spent waiting for a connection counts.
            conn = await pool.get()
            try:
                status, data, _elapsed = await http("POST", f"/api/v1/exams/{exam}/attempts", who, {}, conn=conn)
            except OSError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                return
            finally:
                pool.put_nowait(conn)
            elapsed = time.perf_counter() - pressed
        else:
            async with limit:
                try:
                    status, data, elapsed = await http("POST", f"/api/v1/exams/{exam}/attempts", who, {})
                except OSError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                    return
        latencies.append(elapsed)
        windows.setdefault(int(index * gap // 10) * 10, []).append(elapsed)
        if status != 201 or not data:
            errors[str(status)] = errors.get(str(status), 0) + 1
            return
        who["attempt"] = data["id"]
        who["token"] = data["token"]
        who["questions"] = [(item["question_id"], [o["id"] for o in item["options"]]) for item in data["paper"]]
        who["seq"] = {}

    await asyncio.gather(*(one(i, who) for i, who in enumerate(examinees)))
    wall = time.perf_counter() - origin
    server_cpu = server_cpu_seconds() - server0
    while not pool.empty():
        pool.get_nowait().close()
    return {"server_cpu_ms_per_start": round(1000 * server_cpu / max(1, len(latencies)), 2),
            "examinees": len(examinees), "spread_s": START_SPREAD, "wall_s": round(wall, 1),
            "errors": errors, "ok": len(latencies) - sum(errors.values()),
            "p50_ms": round(pct(latencies, 50), 1), "p95_ms": round(pct(latencies, 95), 1),
            "p99_ms": round(pct(latencies, 99), 1), "max_ms": round(max(latencies, default=0) * 1000, 1),
            "warm_up": warm, "p99_ms_by_10_s_of_press": {f"{start}s": round(pct(values, 99), 1)
                                        for start, values in sorted(windows.items())}}


SERVER_PID: list[int] = []


def server_cpu_seconds() -> float:
    """CPU seconds used so far by the service under test — the gunicorn master and workers and the
    PostgreSQL backends of the benchmark database — whatever else shares the machine. Per request
    it is the cost that does not depend on how loaded the shared machine is."""
    app, database = server_cpu_split()
    return app + database


def server_cpu_split() -> tuple[float, float]:
    """(gunicorn, PostgreSQL backends) CPU seconds used so far, as :func:`server_cpu_seconds` sums them."""
    return pg.service_cpu(SERVER_PID[0] if SERVER_PID else None, db_name())


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


async def save_phase(examinees: list[dict[str, Any]], acked: dict[tuple[int, int], tuple[int, str]],
                     concurrency: int = SAVE_CONCURRENCY, seconds: float = SAVE_SECONDS,
                     seed: int = 2023) -> dict[str, Any]:
    ready = [w for w in examinees if w.get("token")]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    done = 0
    overtaken = 0
    stop_at = time.perf_counter() + seconds
    rng = random.Random(seed)
    busy0, total0 = cpu_ticks()
    own0 = time.process_time()
    app0, db0 = server_cpu_split()

    async def client() -> None:
        nonlocal done, overtaken
        conn = KeepAlive() if KEEPALIVE else None
        while time.perf_counter() < stop_at and done < SAVE_MAX:
            who = rng.choice(ready)
            question, options = rng.choice(who["questions"])
            seq = who["seq"].get(question, 0) + 1
            who["seq"][question] = seq
            choice = rng.choice(options)
            done += 1
            try:
                status, data, elapsed = await http("POST", f"/api/v1/attempts/{who['attempt']}/answers", who,
                                                   {"question_id": question, "response": choice, "seq": seq,
                                                    "token": who["token"]}, conn)
            except (OSError, asyncio.IncompleteReadError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                if conn is not None:
                    conn.close()
                continue
            latencies.append(elapsed)
            if status == 200 and data and data["seq"] == seq:
                acked[(who["attempt"], question)] = (seq, choice)
            elif status == 200 and data and data["replay"] and data["seq"] > seq:
                overtaken += 1  # two clients drew the same examinee and question: the newer save won, as it must
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1

    origin = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    wall = time.perf_counter() - origin
    busy1, total1 = cpu_ticks()
    app1, db1 = server_cpu_split()
    server_cpu = app1 - app0 + db1 - db0
    cores = os.cpu_count() or 1
    return {"server_cpu_ms_per_save": round(1000 * server_cpu / max(1, len(latencies)), 2),
            "gunicorn_cpu_ms_per_save": round(1000 * (app1 - app0) / max(1, len(latencies)), 2),
            "postgres_cpu_ms_per_save": round(1000 * (db1 - db0) / max(1, len(latencies)), 2),
            "generator_cpu_ms_per_save": round(1000 * (time.process_time() - own0) / max(1, len(latencies)), 2),
            "concurrency": concurrency, "saves": len(latencies), "wall_s": round(wall, 1),
            "saves_per_s": round(len(latencies) / wall, 1), "errors": errors, "overtaken": overtaken,
            "p50_ms": round(pct(latencies, 50), 1), "p95_ms": round(pct(latencies, 95), 1),
            "p99_ms": round(pct(latencies, 99), 1),
            "machine_cpu_pct": round(100 * (busy1 - busy0) / max(1, total1 - total0), 1),
            "generator_cores": round((time.process_time() - own0) / wall, 2), "cores": cores}


async def saturation_phase(examinees: list[dict[str, Any]],
                           acked: dict[tuple[int, int], tuple[int, str]]) -> dict[str, Any]:
    levels = []
    for n, concurrency in enumerate(SAT_LEVELS):
        level = await save_phase(examinees, acked, concurrency=concurrency, seconds=SAT_SECONDS, seed=7 + n)
        print("  saturation:", json.dumps(level, ensure_ascii=False), flush=True)
        levels.append(level)
    within = [lv for lv in levels if lv["p99_ms"] <= 100 and not lv["errors"]]
    best = max(within, key=lambda lv: lv["saves_per_s"]) if within else None
    return {"levels": levels, "capacity_saves_per_s": best["saves_per_s"] if best else 0.0,
            "capacity_concurrency": best["concurrency"] if best else None,
            "capacity_p99_ms": best["p99_ms"] if best else None,
            "max_saves_per_s": max((lv["saves_per_s"] for lv in levels), default=0.0)}


def verify(acked: dict[tuple[int, int], tuple[int, str]]) -> dict[str, Any]:
    from profmaster.exams.models import Answer

    stored = {(a, q): (seq, response) for a, q, seq, response in
              Answer.objects.values_list("attempt_id", "question_id", "seq", "response")}
    lost = 0
    for key, (seq, response) in acked.items():
        got = stored.get(key)
        if got is None or got[0] < seq or (got[0] == seq and got[1] != response):
            lost += 1
    return {"acknowledged_answers": len(acked), "lost": lost}


def _refuse_a_taken_port() -> None:
    """The machine is shared: a port another service listens on would send this load to it (and gunicorn, failing
    to bind, would retry while the generator talks to the stranger). Stop before anything is created."""
    import socket

    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.bind((HOST, PORT))
    except OSError as exc:
        raise SystemExit(f"port {PORT} is taken ({exc}); choose another with PORT=…") from None
    finally:
        probe.close()


def main() -> None:
    print("uptime before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    print(f"exam load benchmark: {EXAMINEES} examinees over {START_SPREAD:.0f} s, saves for {SAVE_SECONDS:.0f} s "
          f"× {SAVE_CONCURRENCY} clients, gunicorn {WORKERS} workers, {db_name()}", flush=True)
    _refuse_a_taken_port()
    data = setup()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "profmaster.wsgi:application", "--pythonpath", "src",
         "--workers", str(WORKERS), "--bind", f"{HOST}:{PORT}", "--no-control-socket", "--backlog", "4096",
         "--log-level", "error", *WORKER_OPTS, *GUNICORN_OPTS], cwd=ROOT, env=ENV, start_new_session=True)
    SERVER_PID.append(server.pid)
    try:
        for _ in range(100):
            try:
                import socket

                socket.create_connection((HOST, PORT), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.0)
        acked: dict[tuple[int, int], tuple[int, str]] = {}
        start = asyncio.run(start_phase(data["exam"], data["examinees"]))
        print("start:", json.dumps(start, ensure_ascii=False), flush=True)
        saves = asyncio.run(save_phase(data["examinees"], acked))
        print("saves:", json.dumps(saves, ensure_ascii=False), flush=True)
        saturation = asyncio.run(saturation_phase(data["examinees"], acked))
        print("saturation:", json.dumps({k: v for k, v in saturation.items() if k != "levels"}), flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    bench = pg.pgbench(DB_URL, clients=PGBENCH_CLIENTS, seconds=PGBENCH_SECONDS)
    print("pgbench -N:", json.dumps(bench), flush=True)
    check = verify(acked)
    print("verify:", json.dumps(check), flush=True)
    ratio = saturation["capacity_saves_per_s"] / bench["tps"] if bench["tps"] else float("nan")
    offered_ratio = saves["saves_per_s"] / bench["tps"] if bench["tps"] else float("nan")
    start_errors = sum(start["errors"].values())
    save_errors = sum(saves["errors"].values())
    print(f"\nsummary: precreation {data['precreation']['created']} papers in {data['precreation']['seconds']} s; "
          f"start errors {start_errors}, start p50 {start['p50_ms']} ms, p95 {start['p95_ms']} ms / "
          f"p99 {start['p99_ms']} ms; "
          f"autosave {saves['saves_per_s']}/s, p95 {saves['p95_ms']} ms / p99 {saves['p99_ms']} ms, "
          f"errors {save_errors}; capacity {saturation['capacity_saves_per_s']}/s at p99 ≤ 100 ms "
          f"({saturation['capacity_concurrency']} clients, max {saturation['max_saves_per_s']}/s); "
          f"pgbench -N {bench['tps']} tps; ratio capacity/pgbench {ratio:.3f} (offered {offered_ratio:.3f}); "
          f"lost {check['lost']}; load average {os.getloadavg()}")
    targets = {"0 errors": start_errors + save_errors == 0, "start p99 <= 1 s": start["p99_ms"] <= 1000,
               "autosave p99 <= 100 ms": saves["p99_ms"] <= 100, "ratio >= 0.5": ratio >= 0.5,
               "0 lost": check["lost"] == 0}
    print("targets:", ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in targets.items()))
    print(json.dumps({"precreation": data["precreation"], "start": start,
                      "saves": saves, "saturation": saturation, "pgbench": bench, "verify": check,
                      "ratio": round(ratio, 3), "offered_ratio": round(offered_ratio, 3),
                      "loadavg": os.getloadavg()}, ensure_ascii=False))


def cleanup() -> None:
    """Drop the benchmark's database and its Redis keys, also after a failure (KEEP_DB=1 keeps both)."""
    if os.environ.get("KEEP_DB") == "1":
        return
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: S110 - Django may not be set up yet; the drop below still runs
        pass
    pg.drop_database(DB_URL, db_name())
    pg.drop_database(DB_URL, db_name() + "_pgbench")  # pgbench drops its own; this covers a kill mid-way
    prefix = ENV.get("CACHE_KEY_PREFIX")
    if prefix:
        import redis

        client = redis.Redis.from_url(ENV["REDIS_URL"])
        removed = 0
        for keys in _batched(client.scan_iter(match=f"{prefix}:*", count=1000), 1000):
            removed += client.delete(*keys)
        print(f"cleanup: dropped {db_name()}, removed {removed} Redis keys of {prefix}", flush=True)
    else:
        print(f"cleanup: dropped {db_name()}", flush=True)


def _batched(items: Any, size: int) -> Any:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # SIGTERM/SIGHUP unwind like Ctrl-C, so the cleanup below runs


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    try:
        main()
    finally:
        cleanup()
