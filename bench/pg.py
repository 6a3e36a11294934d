"""PostgreSQL helpers shared by the load benchmarks: psql, throwaway databases and ``pgbench -N``.

Every benchmark reports its throughput next to ``pgbench -N`` measured on the same server in the same
run, so that the ratio can be compared across machines and over time.
"""

# A local benchmark helper: it runs psql and pgbench by name with arguments it builds itself.
# ruff: noqa: S603, S607

from __future__ import annotations

import os
import re
import subprocess
import urllib.parse
from typing import Any

HOST = "127.0.0.1"


def _connection(db_url: str) -> tuple[list[str], dict[str, str]]:
    parts = urllib.parse.urlsplit(db_url)
    args = ["-h", parts.hostname or HOST, "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    return args, {**os.environ, "PGPASSWORD": parts.password or ""}


def db_name(db_url: str) -> str:
    return urllib.parse.urlsplit(db_url).path.lstrip("/")


def psql(db_url: str, database: str, sql: str) -> None:
    args, env = _connection(db_url)
    subprocess.run(["psql", *args, "-d", database, "-q", "-c", sql], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def recreate_database(db_url: str, name: str) -> None:
    psql(db_url, "postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(db_url, "postgres", f'CREATE DATABASE "{name}"')


def drop_database(db_url: str, name: str) -> None:
    psql(db_url, "postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pgbench(db_url: str, *, clients: int, seconds: int) -> dict[str, Any]:
    """``pgbench -N`` (scale 10) on a throwaway database next to the benchmark's own."""
    name = db_name(db_url) + "_pgbench"
    args, env = _connection(db_url)
    recreate_database(db_url, name)
    try:
        subprocess.run(["pgbench", *args, "-i", "-q", "-s", "10", name], check=True, env=env, capture_output=True)
        out = subprocess.run(["pgbench", *args, "-N", "-c", str(clients), "-j", str(min(clients, 4)),
                              "-T", str(seconds), name], check=True, env=env, capture_output=True, text=True).stdout
    finally:
        drop_database(db_url, name)
    tps = re.search(r"tps = ([\d.]+)", out)
    return {"tps": float(tps.group(1)) if tps else None, "clients": clients, "seconds": seconds}


def load_average() -> str:
    with open("/proc/loadavg", encoding="ascii") as handle:
        return " ".join(handle.read().split()[:3])


def service_cpu(server_pgid: int | None, database: str) -> tuple[float, float]:
    """(gunicorn master and workers — the process group ``server_pgid`` —, PostgreSQL backends of ``database``) CPU
    seconds used so far, from /proc: unlike latency and throughput, the CPU per request hardly depends on what else
    runs on the shared machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    app = db = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used = int(fields[11]) + int(fields[12])  # utime + stime
        if server_pgid is not None and int(fields[2]) == server_pgid:
            app += used
        elif cmdline.startswith("postgres:") and f" {database} " in cmdline:
            db += used
    return app / ticks, db / ticks
