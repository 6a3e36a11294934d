"""Benchmark of the draws (OP-1) at national scale, on PostgreSQL: COMPETENCIES (100) × TEAMS (40) drawn at once.

1. Generates COMPETENCIES competencies, each with TEAMS approved teams (every MENTOR_EVERY-th mentor leads two
   teams, REG-11), FLOWS (5) flows of WORKPLACES (10) places — flows 1–2 and 3–4 overlap in time, so a mentor's
   two teams must be kept apart — and the competency's chief expert.
2. **Prepare** every competency's flow draw (``prepare_draw``: inputs, commitment), and a contribution of a mentor.
3. **Draw and verify** (the target, ≤ 2 s in total): ``perform_draws`` of all competencies at once (inputs
   checked against the commitments, seeds, the pure algorithm, the records and their audit entries, in one
   transaction), then ``verify_draw`` of every draw read again from the database. The protocols (documents with
   their signers) are formed by the background job the draw queues, run right after and timed apart; their
   PDFs are rendered by the worker, as in production.
4. The same draws and verifications of the pure algorithm alone (no database), for the ratio.

Environment: BENCH_DB_URL (postgres://postgres@127.0.0.1:5432/h_draw_bench; created and dropped), COMPETENCIES,
TEAMS, FLOWS, WORKPLACES, MENTOR_EVERY (10), KEEP_DB (1 keeps the database).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pg  # bench/pg.py: python puts the script's folder first on sys.path

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DB_URL", "postgres://postgres@127.0.0.1:5432/h_draw_bench")
COMPETENCIES = int(os.environ.get("COMPETENCIES", "100"))
TEAMS = int(os.environ.get("TEAMS", "40"))
FLOWS = int(os.environ.get("FLOWS", "5"))
WORKPLACES = int(os.environ.get("WORKPLACES", "10"))
MENTOR_EVERY = int(os.environ.get("MENTOR_EVERY", "10"))
TARGET_S = 2.0


def setup() -> dict[str, Any]:
    pg.recreate_database(DB_URL, pg.db_name(DB_URL))
    os.environ.update({"DATABASE_URL": DB_URL, "DJANGO_SETTINGS_MODULE": "profmaster.settings", "LOG_LEVEL": "ERROR"})
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from profmaster.accounts.models import Role, RoleAssignment, User
    from profmaster.championships.models import (
        AgeCategory,
        BaseVenue,
        Championship,
        Competency,
        ProgrammeSlot,
        Stage,
        Workplace,
    )
    from profmaster.organisations.models import Organisation, Venue
    from profmaster.registration.models import Application, TeamMember

    call_command("migrate", verbosity=0, interactive=False)
    championship = Championship.objects.create(name="Национальный чемпионат", slug="bench-draws", season="2023",
                                               starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 12, 31))
    stage = Stage.objects.create(championship=championship, name="Финал", kind="final",
                                 starts_on=dt.date(2023, 4, 1), ends_on=dt.date(2023, 4, 5))
    category = AgeCategory.objects.create(championship=championship, code="all", name="Все", grade_min=1, grade_max=11)
    venue = BaseVenue.objects.create(championship=championship,
                                     venue=Venue.objects.create(name="Колледж", address="Москва"))
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"ГБОУ Школа № {n}", short_name=f"Школа № {n}", region="Москва") for n in range(TEAMS))
    competencies = Competency.objects.bulk_create(
        Competency(championship=championship, name=f"Компетенция {n:03d}", expert_count=4) for n in range(COMPETENCIES))
    chiefs = User.objects.bulk_create(User(email=f"chief{c}@bench.local", last_name="Главный", first_name=f"Э{c}",
                                           password="!") for c in range(COMPETENCIES))
    RoleAssignment.objects.bulk_create(RoleAssignment(user=u, role=Role.CHIEF_EXPERT, championship=championship,
                                                      competency=c) for u, c in zip(chiefs, competencies, strict=True))
    Workplace.objects.bulk_create(Workplace(base_venue=venue, competency=c, number=n + 1)
                                  for c in competencies for n in range(WORKPLACES))
    day = dt.datetime(2023, 4, 3, 6, tzinfo=dt.UTC)
    # flows 1–2 overlap (morning), 3–4 overlap (afternoon), 5 in the evening
    times = [(day + dt.timedelta(hours=3 * (i // 2) * 2 + (i % 2)), day + dt.timedelta(hours=3 * (i // 2) * 2
                                                                                         + (i % 2) + 3))
             for i in range(FLOWS)]
    ProgrammeSlot.objects.bulk_create(
        ProgrammeSlot(championship=championship, stage=stage, competency=c, base_venue=venue, kind="flow",
                      title=f"Поток {i + 1}", starts_at=s, ends_at=e)
        for c in competencies for i, (s, e) in enumerate(times))
    mentors = User.objects.bulk_create(User(email=f"m{c}-{t}@bench.local", last_name="Наставник", first_name=f"{c}-{t}",
                                            password="!") for c in range(COMPETENCIES) for t in range(TEAMS))
    RoleAssignment.objects.bulk_create(RoleAssignment(user=u, role=Role.MENTOR, championship=championship)
                                       for u in mentors)
    applications = Application.objects.bulk_create(
        Application(championship=championship, competency=c, age_category=category, organisation=organisations[t],
                    created_by=chiefs[ci], status="approved") for ci, c in enumerate(competencies) for t in range(TEAMS))
    members = []
    for index, application in enumerate(applications):
        c, t = divmod(index, TEAMS)
        # every MENTOR_EVERY-th team shares the previous team's mentor
        mentor = mentors[c * TEAMS + (t - 1 if t % MENTOR_EVERY == 1 else t)]
        members.append(TeamMember(application=application, kind="mentor", last_name=mentor.last_name,
                                  first_name=mentor.first_name, email=mentor.email, user=mentor))
    TeamMember.objects.bulk_create(members)
    return {"competencies": competencies, "chiefs": chiefs, "mentors": mentors}


def main() -> None:
    print(f"draws benchmark on {pg.db_name(DB_URL)}: {COMPETENCIES} competencies × {TEAMS} teams, {FLOWS} flows × "
          f"{WORKPLACES} places; load {pg.load_average()}", flush=True)
    data = setup()
    from django.db import connection
    from django.urls import reverse

    from profmaster.competition_day import domain
    from profmaster.competition_day import draw as algorithm
    from profmaster.documents import domain as documents

    documents._queue_render = lambda document: None  # the worker renders the PDFs after the commit
    reverse("home")  # a serving process has its URLconf (and the API's schemas) imported already
    started = time.perf_counter()
    draws = []
    for index, (competency, chief) in enumerate(zip(data["competencies"], data["chiefs"], strict=True)):
        draw = domain.prepare_draw(competency, kind="flows", by=chief)
        domain.add_contribution(draw, text=f"вклад {index}", user=data["mentors"][index * TEAMS], by=chief)
        draws.append((draw, chief))
    prepared_s = time.perf_counter() - started

    from profmaster.jobs import domain as jobs

    queued: list[int] = []
    jobs.enqueue_on_commit = lambda task, job_id: queued.append(job_id)  # the worker's queue, run below
    director = data["chiefs"][0]
    started = time.perf_counter()
    performed = domain.perform_draws([draw for draw, _chief in draws], by=director)
    draw_s = time.perf_counter() - started
    started = time.perf_counter()
    for job_id in queued:
        jobs.run_job(job_id)
    protocols_s = time.perf_counter() - started
    from profmaster.competition_day.models import Draw

    started = time.perf_counter()
    stored = Draw.objects.filter(pk__in=[d.pk for d in performed]).select_related("protocol").prefetch_related(
        "contributions")
    outcomes = [domain.verify_draw(draw) for draw in stored]  # from what is stored, read again
    verify_s = time.perf_counter() - started
    mismatches = sum(1 for o in outcomes if not o.matches)
    protocols = Draw.objects.filter(pk__in=[d.pk for d in performed], protocol__isnull=False).count()

    records = [domain.draw_record(d) for d in performed]
    started = time.perf_counter()
    for r in records:
        algorithm.draw_flows(algorithm.FlowDrawInputs.from_canonical(r["inputs"]), r["seed"])
    pure_draw_s = time.perf_counter() - started
    started = time.perf_counter()
    pure_problems = sum(len(algorithm.verify(r)) for r in records)
    pure_verify_s = time.perf_counter() - started

    # REG-11 holds in every result: a mentor's two teams are never in overlapping flows
    broken = 0
    for r in records:
        flows = {f["id"]: (f["starts"], f["ends"]) for f in r["inputs"]["flows"]}
        seen: dict[str, list[str]] = {}
        for team in r["inputs"]["teams"]:
            for mentor in team["mentors"]:
                seen.setdefault(mentor, []).append(r["result"][team["id"]])
        for chosen in seen.values():
            for i, a in enumerate(chosen):
                for b in chosen[i + 1:]:
                    broken += flows[a][0] < flows[b][1] and flows[b][0] < flows[a][1]
    total = draw_s + verify_s
    summary = {"vendor": connection.vendor, "competencies": COMPETENCIES, "teams_each": TEAMS,
               "prepare_s": round(prepared_s, 3), "draw_s": round(draw_s, 3), "verify_s": round(verify_s, 3),
               "protocols_job_s": round(protocols_s, 3), "draw_and_verify_s": round(total, 3), "target_s": TARGET_S,
               "mismatches": mismatches, "protocols": protocols,
               "pure_draw_s": round(pure_draw_s, 3), "pure_verify_s": round(pure_verify_s, 3),
               "pure_problems": pure_problems, "mentor_overlaps": broken, "load": pg.load_average()}
    print("draws:", json.dumps(summary), flush=True)
    print(f"\nsummary: {COMPETENCIES}×{TEAMS} drawn and verified in {total:.2f} s (target ≤ {TARGET_S} s; "
          f"draw {draw_s:.2f} s, verify {verify_s:.2f} s; prepare beforehand {prepared_s:.2f} s); the pure algorithm "
          f"alone {pure_draw_s + pure_verify_s:.2f} s; then the background job formed {protocols} protocols in "
          f"{protocols_s:.2f} s; mismatches {mismatches}; mentor overlaps {broken}")
    if mismatches or broken or pure_problems or protocols != COMPETENCIES:
        raise SystemExit(1)


if __name__ == "__main__":
    try:
        main()
    finally:
        if os.environ.get("KEEP_DB") != "1":
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: S110 - Django may not be set up yet; the drop still runs
                pass
            pg.drop_database(DB_URL, pg.db_name(DB_URL))
