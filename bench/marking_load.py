"""Benchmark of the automated assessment system (SC-4, SC-2/SC-3) at national scale, on PostgreSQL.

1. Generates COMPETENCIES (100) competencies × TEAMS (40) approved teams × ASPECTS (60) aspects, half of
   them judgement aspects marked by EXPERTS (6) experts, the other half measurement (binary) — every
   aspect of every team marked (about 840 000 current marks), schemes locked.
2. **Full results recompute**: the exact totals, sub-criterion and criterion subtotals and discrepancy
   flags of every team of every competency (``marks.all_scores``, as ``verify_marks`` recomputes locked
   results; one competency is the same computation as its results page) (target ≤ 2 s).
3. **One competency after one mark change**: a mark is changed through the domain function, then that
   competency's results are recomputed (target ≤ 50 ms for the recompute).
4. **Marks saved per second** through the real entry endpoint (the grid's autosave URL, with sessions and
   CSRF) served by gunicorn, from CLIENTS (20) concurrent closed-loop clients — each the chief expert of
   their own competency — for SAVE_SECONDS (20) s; then ``pgbench -N`` on the same server in the same run.

Synthetic marks are inserted directly (COPY), without ledger entries: the ledger only grows by the saves
measured in phases 3 and 4, which go through ``marks.save_mark`` and append to it. ``verify_marks`` is not
meaningful on the synthetic rows for that reason.

Environment: BENCH_DB_URL (postgres://postgres@127.0.0.1:5432/h_marks_bench; created and dropped),
COMPETENCIES, TEAMS, ASPECTS, EXPERTS, CLIENTS, SAVE_SECONDS, KEEPALIVE (1: each client keeps its connection,
threaded workers; 0: a new connection per request, sync workers), WORKERS (cores; 2 × cores + 1 with
KEEPALIVE=0), THREADS (4), BENCH_REDIS_URL (unset: sessions in PostgreSQL; set: cache-backed sessions in that
Redis, under a key prefix of this run, removed at the end), PGBENCH_SECONDS (20), PGBENCH_CLIENTS (8), PORT (8766),
KEEP_DB (1 keeps the database).
"""

# A local benchmark: it runs psql, pgbench and gunicorn by name, and random choices need no secrecy.
# ruff: noqa: S603, S311

from __future__ import annotations

import asyncio
import io
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

import loadclient  # bench/loadclient.py and bench/pg.py: python puts the script's folder first on sys.path
import pg

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DB_URL", "postgres://postgres@127.0.0.1:5432/h_marks_bench")
COMPETENCIES = int(os.environ.get("COMPETENCIES", "100"))
TEAMS = int(os.environ.get("TEAMS", "40"))
ASPECTS = int(os.environ.get("ASPECTS", "60"))
EXPERTS = int(os.environ.get("EXPERTS", "6"))
CLIENTS = int(os.environ.get("CLIENTS", "20"))
SAVE_SECONDS = float(os.environ.get("SAVE_SECONDS", "20"))
CORES = os.cpu_count() or 1
#: KEEPALIVE=1 (the default): each client keeps one connection, as nginx's upstream keepalive does in front of
#: threaded gunicorn workers (one process per core, THREADS requests each); 0: a new connection per request,
#: closed by one of gunicorn's usual 2 × cores + 1 sync workers (the configuration of the earlier runs).
KEEPALIVE = os.environ.get("KEEPALIVE", "1") == "1"
WORKERS = int(os.environ.get("WORKERS", str(CORES if KEEPALIVE else 2 * CORES + 1)))
THREADS = int(os.environ.get("THREADS", "4"))
SERVER_LABEL = (f"{WORKERS} gthread workers × {THREADS} threads, keep-alive" if KEEPALIVE
                else f"{WORKERS} sync workers, a new connection per request")
PGBENCH_SECONDS = int(os.environ.get("PGBENCH_SECONDS", "20"))
PGBENCH_CLIENTS = int(os.environ.get("PGBENCH_CLIENTS", "8"))
PORT = int(os.environ.get("PORT", "8766"))
HOST = pg.HOST


def db_name() -> str:
    return pg.db_name(DB_URL)

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
    # Production with Redis: cache-backed sessions (``cached_db``); a key prefix keeps other users of the same
    # Redis apart, and the run's keys are removed at the end.
    ENV.update({"REDIS_URL": os.environ["BENCH_REDIS_URL"], "CELERY_EAGER": "1",
                "CACHE_KEY_PREFIX": f"marks-bench-{os.getpid()}"})
Path(ENV["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)


# --- 1. Synthetic championship ----------------------------------------------------------------------------


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
    from django.db import connection
    from django.utils import timezone

    from profmaster.accounts.models import Role, RoleAssignment, User
    from profmaster.championships.models import AgeCategory, Championship, Competency, Stage
    from profmaster.documents.models import Document
    from profmaster.marking.models import Aspect, Criterion, MarkingScheme, SubCriterion
    from profmaster.organisations.models import Organisation
    from profmaster.registration.models import Application

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    championship = Championship.objects.create(name="Национальный чемпионат", slug="bench-marks", season="2023",
                                               starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 12, 31))
    stage = Stage.objects.create(championship=championship, name="Финал", kind="final",
                                 starts_on=dt.date(2023, 4, 1), ends_on=dt.date(2023, 4, 5))
    category = AgeCategory.objects.create(championship=championship, code="all", name="Все", grade_min=1, grade_max=11)
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"ГБОУ Школа № {n}", short_name=f"Школа № {n}", region="Москва") for n in range(TEAMS))
    competencies = Competency.objects.bulk_create(
        Competency(championship=championship, name=f"Компетенция {n:03d}", expert_count=EXPERTS)
        for n in range(COMPETENCIES))
    users = User.objects.bulk_create(
        User(email=f"p{c}-{k}@bench.local", last_name=f"Эксперт{k}", first_name=f"К{c}", password="!")
        for c in range(COMPETENCIES) for k in range(EXPERTS + 1))
    chiefs, experts = {}, {}
    assignments = []
    for index, competency in enumerate(competencies):
        competency.age_categories.add(category)
        people = users[index * (EXPERTS + 1):(index + 1) * (EXPERTS + 1)]
        chiefs[competency.pk] = people[0]
        experts[competency.pk] = people[1:]
        assignments.append(RoleAssignment(user=people[0], role=Role.CHIEF_EXPERT, championship=championship,
                                          competency=competency))
        assignments += [RoleAssignment(user=u, role=Role.EXPERT, championship=championship, competency=competency)
                        for u in people[1:]]
    RoleAssignment.objects.bulk_create(assignments)
    documents = Document.objects.bulk_create(
        Document(championship=championship, competency=c, doc_type="criteria_lock", number=n + 1,
                 title="Протокол блокировки критериев", data={}, content_hash="0" * 64, created_by=chiefs[c.pk],
                 generator="marking.criteria_lock", source={"competency": c.pk})
        for n, c in enumerate(competencies))
    schemes = MarkingScheme.objects.bulk_create(
        MarkingScheme(competency=c, stage=stage, title=f"Схема {c.name}", status="locked", lock_document=d)
        for c, d in zip(competencies, documents, strict=True))
    per_sub = 5
    subs_per_criterion = 2
    criteria_count = max(1, ASPECTS // (per_sub * subs_per_criterion))
    criteria = Criterion.objects.bulk_create(
        Criterion(scheme=s, code=chr(65 + k), title=f"Критерий {k}", order=k) for s in schemes
        for k in range(criteria_count))
    subs = SubCriterion.objects.bulk_create(
        SubCriterion(criterion=c, code=f"{c.code}{k + 1}", title="Субкритерий", order=k) for c in criteria
        for k in range(subs_per_criterion))
    aspects = Aspect.objects.bulk_create(
        Aspect(sub_criterion=s, code=f"{s.code}.{k + 1}", order=k, description="Аспект",
               kind="judgement" if k % 2 == 0 else "binary", max_points=Decimal("1.50"),
               descriptors=["0", "1", "2", "3"] if k % 2 == 0 else []) for s in subs for k in range(per_sub))
    teams = Application.objects.bulk_create(
        Application(championship=championship, competency=c, age_category=category, organisation=organisations[t],
                    status="approved", created_by=chiefs[c.pk]) for c in competencies for t in range(TEAMS))
    scheme_of_competency = {s.competency_id: s.pk for s in schemes}
    aspects_of: dict[int, list[Aspect]] = {}
    for aspect in aspects:
        aspects_of.setdefault(aspect.sub_criterion.criterion.scheme_id, []).append(aspect)

    rng = random.Random(2023)
    now = timezone.now().isoformat()
    buffer = io.StringIO()
    count = 0
    for team in teams:
        scheme_id = scheme_of_competency[team.competency_id]
        chief = chiefs[team.competency_id].pk
        for aspect in aspects_of[scheme_id]:
            if aspect.kind == "judgement":
                base = rng.randint(0, 2)
                flagged = rng.random() < 0.005  # a rare discrepancy beyond the limit, as on competition day
                for number, expert in enumerate(experts[team.competency_id]):
                    value = 3 if flagged and number == 0 else min(3, base + rng.choice((0, 0, 0, 1)))
                    value = 0 if flagged and number == 1 else value
                    buffer.write(f"{scheme_id}\t{aspect.pk}\t{team.pk}\t{expert.pk}\t{value}\t{chief}\t{now}\n")
                    count += 1
            else:
                buffer.write(f"{scheme_id}\t{aspect.pk}\t{team.pk}\t\\N\t{rng.randint(0, 1)}\t{chief}\t{now}\n")
                count += 1
    with connection.cursor() as cursor:
        with cursor.copy("COPY marking_mark (scheme_id, aspect_id, team_id, expert_id, value, entered_by_id, "
                         "entered_at) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE")

    sessions = []
    store = SessionStore()
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    expire = timezone.now() + dt.timedelta(hours=6)
    rows = []
    for competency in competencies[:CLIENTS]:
        user = chiefs[competency.pk]
        key = secrets.token_hex(16)
        rows.append(Session(session_key=key, expire_date=expire, session_data=store.encode(
            {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()})))
        scheme_id = scheme_of_competency[competency.pk]
        sessions.append({
            "session": key, "csrf": secrets.token_hex(16), "scheme": scheme_id,
            "teams": [t.pk for t in teams if t.competency_id == competency.pk],
            "cells": [(a.pk, e.pk) for a in aspects_of[scheme_id] if a.kind == "judgement"
                      for e in experts[competency.pk]]})
    Session.objects.bulk_create(rows)
    seconds = time.perf_counter() - started
    print(f"generated {COMPETENCIES} competencies × {TEAMS} teams × {len(aspects_of[schemes[0].pk])} aspects, "
          f"{count} marks in {seconds:.0f} s", flush=True)
    return {"sessions": sessions, "schemes": [s.pk for s in schemes], "marks": count,
            "chief": chiefs[competencies[-1].pk].pk, "experts": {k: [u.pk for u in v] for k, v in experts.items()}}


# --- 2./3. Recompute ----------------------------------------------------------------------------------------


def recompute(data: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection, reset_queries

    from profmaster.accounts.models import User
    from profmaster.marking import marks
    from profmaster.marking.models import MarkingScheme

    schemes = list(MarkingScheme.objects.select_related("competency__championship").filter(pk__in=data["schemes"]))
    full = []
    checksum = None
    for _round in range(3):
        started = time.perf_counter()
        totals = []
        for scores in marks.all_scores(schemes).values():
            # Everything a results page or the lock reads: the total and both levels of subtotals.
            totals += [(s.total, s.totals.by_criterion, s.totals.by_sub_criterion) if s.totals else (None, None, None)
                       for s in scores]
        full.append(time.perf_counter() - started)
        checksum = sum(t for t, _c, _s in totals if t is not None)
        assert all(t is not None for t, _c, _s in totals), "every team is fully marked"
    one = marks.scheme_scores(schemes[0])
    assert [(s.team.pk, s.total) for s in one] == [(s.team.pk, s.total) for s in marks.all_scores(schemes[:1])[schemes[0].pk]]
    scheme = schemes[-1]
    chief = User.objects.get(pk=data["chief"])
    expert = User.objects.get(pk=data["experts"][scheme.competency_id][0])
    aspect = next(a for a in marks.aspects_of(scheme) if a.kind == "judgement")
    team = marks.teams_of(scheme).first()
    saves, singles = [], []
    reset_queries()
    for n in range(21):
        started = time.perf_counter()
        marks.save_mark(scheme, aspect, team, n % 4, expert=expert, by=chief)
        saves.append(time.perf_counter() - started)
        started = time.perf_counter()
        marks.scheme_scores(scheme)
        singles.append(time.perf_counter() - started)
    queries = len(connection.queries)
    endpoint_queries = endpoint_query_count(data)
    return {"full_recompute_s": [round(x, 3) for x in full], "full_best_s": round(min(full), 3),
            "teams": len(schemes) * TEAMS, "checksum": str(checksum),
            "one_competency_ms_median": round(statistics.median(singles) * 1000, 1),
            "one_competency_ms_p95": round(sorted(singles)[int(0.95 * (len(singles) - 1))] * 1000, 1),
            "save_mark_ms_median": round(statistics.median(saves) * 1000, 1), "queries_logged": queries,
            "endpoint_queries_per_save": endpoint_queries}


def endpoint_query_count(data: dict[str, Any]) -> list[int]:
    """SQL statements of one save through the entry endpoint, in-process (middleware, session and user
    included): a changed mark, then the same value again (the autosave's repeat, which writes nothing)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    who = data["sessions"][0]
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"], client.cookies["csrftoken"] = who["session"], who["csrf"]
    aspect, expert = who["cells"][0]
    url = f"/marking/schemes/{who['scheme']}/marks/{who['teams'][1]}/save/"
    counts = []
    for value in (3, 0, 0):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, {"aspect": aspect, "expert": expert, "value": value},
                                   HTTP_X_CSRFTOKEN=who["csrf"])
        assert response.status_code == 200, response.content[:300]
        counts.append(len(captured.captured_queries))
    return counts[1:]


# --- 4. Saves through the real endpoint ---------------------------------------------------------------------


async def post(path: str, who: dict[str, Any], body: str,
               conn: loadclient.KeepAlive | None = None) -> tuple[int, float]:
    payload = body.encode()
    close = "" if conn else "Connection: close\r\n"
    head = (f"POST {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n{close}"
            f"Cookie: sessionid={who['session']}; csrftoken={who['csrf']}\r\nX-CSRFToken: {who['csrf']}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(payload)}\r\n\r\n").encode()
    started = time.perf_counter()
    raw = await (conn.exchange(head + payload) if conn else loadclient.once(HOST, PORT, head + payload))
    return loadclient.status_of(raw), time.perf_counter() - started


async def warm_up(sessions: list[dict[str, Any]]) -> None:
    """Let every worker import and connect before the clock starts (not counted)."""
    for _round in range(2):
        await asyncio.gather(*(post(f"/marking/schemes/{who['scheme']}/marks/{who['teams'][0]}/save/", who,
                                    urllib.parse.urlencode({"aspect": who["cells"][0][0], "expert": who["cells"][0][1],
                                                            "value": 1})) for who in sessions))


async def save_phase(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + SAVE_SECONDS
    rng = random.Random(7)

    async def client(who: dict[str, Any]) -> None:
        value = 0
        conn = loadclient.KeepAlive(HOST, PORT) if KEEPALIVE else None
        while time.perf_counter() < deadline:
            team = rng.choice(who["teams"])
            aspect, expert = rng.choice(who["cells"])
            value = (value + 1) % 4
            body = urllib.parse.urlencode({"aspect": aspect, "expert": expert, "value": value})
            try:
                status, elapsed = await post(f"/marking/schemes/{who['scheme']}/marks/{team}/save/", who, body, conn)
            except OSError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            if status == 200:
                latencies.append(elapsed)
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1

    started = time.perf_counter()
    app0, db0 = server_cpu_split()
    await asyncio.gather(*(client(who) for who in sessions))
    wall = time.perf_counter() - started
    app1, db1 = server_cpu_split()
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000, 1) if ordered else 0

    return {"saves": len(latencies), "saves_per_s": round(len(latencies) / wall, 1), "p50_ms": pct(50),
            "p95_ms": pct(95), "p99_ms": pct(99), "errors": errors, "clients": len(sessions),
            "gunicorn_cpu_ms_per_save": round(1000 * (app1 - app0) / max(1, len(latencies)), 2),
            "postgres_cpu_ms_per_save": round(1000 * (db1 - db0) / max(1, len(latencies)), 2),
            "server": SERVER_LABEL + (", Redis sessions" if ENV.get("REDIS_URL") else "")}


SERVER_PID: list[int] = []


def server_cpu_split() -> tuple[float, float]:
    """(gunicorn master and workers, PostgreSQL backends of the benchmark database) CPU seconds used so far."""
    return pg.service_cpu(SERVER_PID[0] if SERVER_PID else None, db_name())


def main() -> None:
    print(f"marking benchmark on {db_name()}: load {pg.load_average()}", flush=True)
    data = setup()
    from django.db import connections

    result = recompute(data)
    print("recompute:", json.dumps(result), f"load {pg.load_average()}", flush=True)
    connections.close_all()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "profmaster.wsgi:application", "--pythonpath", "src",
         "--workers", str(WORKERS), *(["--worker-class", "gthread", "--threads", str(THREADS), "--keep-alive", "30"]
                                      if KEEPALIVE else []),
         "--bind", f"{HOST}:{PORT}", "--no-control-socket", "--backlog", "4096", "--preload",
         # a worker's first request imports the URLconf (the API's schemas): on a loaded machine that alone can
         # pass gunicorn's default 30 s, and the workers were killed and restarted for ever
         "--timeout", "180",
         "--log-level", "error"], cwd=ROOT, env=ENV, start_new_session=True)
    SERVER_PID[:] = [server.pid]
    try:
        for _ in range(100):
            try:
                socket.create_connection((HOST, PORT), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.0)
        asyncio.run(warm_up(data["sessions"]))
        saves = asyncio.run(save_phase(data["sessions"]))
        print("saves:", json.dumps(saves), f"load {pg.load_average()}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    bench = pg.pgbench(DB_URL, clients=PGBENCH_CLIENTS, seconds=PGBENCH_SECONDS)
    print("pgbench -N:", json.dumps(bench), f"load {pg.load_average()}", flush=True)
    from profmaster.marking import ledger
    from profmaster.marking.marks import entry_fields
    from profmaster.marking.models import MarkEntry

    appended = MarkEntry.objects.count()
    ratio = saves["saves_per_s"] / bench["tps"] if bench["tps"] else float("nan")
    print(f"\nsummary: {data['marks']} marks; full recompute {result['full_best_s']} s (target ≤ 2 s); one competency "
          f"{result['one_competency_ms_median']} ms median (target ≤ 50 ms); endpoint {saves['saves_per_s']} saves/s "
          f"with {saves['clients']} clients (p95 {saves['p95_ms']} ms, errors {saves['errors']}); pgbench -N "
          f"{bench['tps']} tps; ratio {ratio:.3f}; ledger entries appended {appended}")
    broken = []
    for scheme_id in set(MarkEntry.objects.values_list("scheme_id", flat=True)):
        entries = MarkEntry.objects.filter(scheme_id=scheme_id).order_by("seq")
        broken += ledger.verify_chain((e.seq, e.prev_hash, e.hash, entry_fields(e)) for e in entries)
    print(f"ledger chains of the schemes written to: {'intact' if not broken else broken[:3]}")


if __name__ == "__main__":
    try:
        main()
    finally:
        # The database goes also after a failure (KEEP_DB=1 keeps it).
        if os.environ.get("KEEP_DB") != "1":
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: S110 - Django may not be set up yet; the drop still runs
                pass
            pg.drop_database(DB_URL, db_name())
            prefix = ENV.get("CACHE_KEY_PREFIX")
            if prefix:
                import redis

                redis_client = redis.Redis.from_url(ENV["REDIS_URL"])
                keys = list(redis_client.scan_iter(match=f"{prefix}:*", count=1000))
                if keys:
                    redis_client.delete(*keys)
