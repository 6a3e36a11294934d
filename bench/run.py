"""Request latency and queries per request for the foundation's busiest pages and API lists.

Usage: `make bench` (SQLite in a throwaway file) or `DATABASE_URL=postgres://… make bench`.
Loads the demo championship, then requests each target REPEAT times in-process through Django's
test client (no network), reporting median and p95 latency, queries per request and peak RSS.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
_tmp = tempfile.mkdtemp(prefix="profmaster-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "profmaster.settings")
os.environ.setdefault("MEDIA_ROOT", f"{_tmp}/media")
os.environ.setdefault("STATIC_ROOT", f"{_tmp}/static")
Path(os.environ["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "50"))


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", quiet=True, verbosity=0)
    from profmaster.accounts.models import User
    from profmaster.championships.models import Championship

    championship = Championship.objects.get(slug="masteryata-2023")
    users = {email: User.objects.get(email=email) for email in
             ("directorate@profmaster.local", "chief.konditer@profmaster.local")}
    targets = [
        ("directorate@profmaster.local", "/cabinet/"),
        ("chief.konditer@profmaster.local", "/cabinet/"),
        ("directorate@profmaster.local", f"/championships/{championship.pk}/"),
        ("directorate@profmaster.local", f"/championships/{championship.pk}/audit/"),
        ("directorate@profmaster.local", f"/championships/{championship.pk}/documents/"),
        ("directorate@profmaster.local", "/api/v1/championships"),
        ("directorate@profmaster.local", f"/api/v1/championships/{championship.pk}/competencies"),
    ]
    print(f"database: {connection.vendor}; {REPEAT} requests per target\n")
    print(f"{'who':34} {'path':42} {'status':>6} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for email, path in targets:
        client = Client()
        client.force_login(users[email])
        client.get(path)  # warm caches and template loading
        timings = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{email:34} {path:42} {response.status_code:>6} {statistics.median(timings):>10.1f} "
              f"{p95:>8.1f} {len(queries):>8}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
