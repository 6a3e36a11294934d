"""OP-3 over the API: the same domain functions as the board (state, steps, commands, extra time)."""

from __future__ import annotations

import pytest
from django.test import Client

from profmaster.accounts.domain import create_api_token
from profmaster.timekeeping.models import Timer

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_api_token(user, name='тест')[1]}"})


def test_op3_api_create_start_pause_and_refuse_out_of_order(day):
    chief = api(day.chief)
    created = chief.post(f"/api/v1/timekeeping/flows/{day.flow.pk}/timers",
                         {"kind": "module", "module_id": day.module.pk, "duration_minutes": 60},
                         content_type="application/json")
    assert created.status_code == 201, created.content
    timer_id = created.json()["id"]
    assert created.json()["state"] == "not_started" and created.json()["remaining_ms"] == 3_600_000
    keeper = api(day.keeper)
    started = keeper.post(f"/api/v1/timekeeping/timers/{timer_id}/commands", {"command": "start"},
                          content_type="application/json")
    assert started.status_code == 200 and started.json()["state"] == "running"
    twice = keeper.post(f"/api/v1/timekeeping/timers/{timer_id}/commands", {"command": "start"},
                        content_type="application/json")
    assert twice.status_code == 409
    assert twice.json()["detail"] == "Таймер «Модуль A. Торт «Пьеха»» уже идёт."
    paused = keeper.post(f"/api/v1/timekeeping/timers/{timer_id}/commands", {"command": "pause", "reason": "Сбой"},
                         content_type="application/json")
    assert paused.json()["state"] == "paused"
    extra = chief.post(f"/api/v1/timekeeping/timers/{timer_id}/extra-time",
                       {"team_id": day.teams[0].pk, "minutes": 10, "reason": "Решение жюри: травма"},
                       content_type="application/json")
    assert extra.status_code == 201
    assert extra.json()["teams"][0]["extra_minutes"] == 10 and extra.json()["teams"][0]["name"] == "Школа № 1"
    state = api(day.expert).get(f"/api/v1/timekeeping/flows/{day.flow.pk}/state").json()
    assert [t["state"] for t in state["timers"]] == ["paused"] and state["zone"] == "Москва, UTC+3"
    assert list(Timer.objects.get().events.values_list("kind", flat=True)) == ["start", "pause", "extra"]


def test_op3_api_expert_without_time_duty_may_not_command(day):
    timer = Timer.objects.create(flow=day.flow, competency=day.competency, kind="task", title="Задание",
                                 duration_minutes=15)
    response = api(day.expert).post(f"/api/v1/timekeeping/timers/{timer.pk}/commands", {"command": "start"},
                                    content_type="application/json")
    assert response.status_code == 403
    assert timer.events.count() == 0


def test_op3_api_bad_command_is_422(day):
    timer = Timer.objects.create(flow=day.flow, competency=day.competency, kind="task", title="Задание",
                                 duration_minutes=15)
    response = api(day.chief).post(f"/api/v1/timekeeping/timers/{timer.pk}/commands", {"command": "explode"},
                                   content_type="application/json")
    assert response.status_code == 422
