"""OP-1 through the pages, the API and ``manage.py verify_draw``: the same domain functions, clear refusals."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from profmaster.competition_day import domain
from profmaster.competition_day.models import Contribution, Draw

from ..api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def chief_client(day) -> Client:
    client = Client()
    client.force_login(day.chief)
    return client


def test_op1_draw_page_runs_a_draw_with_a_contribution(day):
    client = chief_client(day)
    page = reverse("competition_day:draws", args=[day.competency.pk])
    assert "Подготовить жеребьёвку потоков" in client.get(page).content.decode()
    client.post(reverse("competition_day:prepare", args=[day.competency.pk]), {"kind": "flows"})
    draw = Draw.objects.get()
    body = client.get(page).content.decode()
    assert draw.commitment in body and draw.secret not in body
    response = client.post(reverse("competition_day:contribute", args=[draw.pk]),
                           {"user": day.mentors[0].pk, "text": "Ёлка"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Вклад принят" in response.content.decode()
    assert "«Ёлка»" in response.content.decode()
    response = client.post(reverse("competition_day:perform", args=[draw.pk]), headers={"HX-Request": "true"})
    draw.refresh_from_db()
    body = response.content.decode()
    assert draw.state == Draw.State.PERFORMED and draw.secret in body and "протокол" in body
    assert day.teams[0].organisation.short_name in body


def test_op1_page_refusals_are_shown_and_change_nothing(day):
    client = chief_client(day)
    client.post(reverse("competition_day:prepare", args=[day.competency.pk]), {"kind": "flows"})
    response = client.post(reverse("competition_day:prepare", args=[day.competency.pk]), {"kind": "flows"},
                           headers={"HX-Request": "true"})
    assert "Жеребьёвка уже есть" in response.content.decode() and Draw.objects.count() == 1
    draw = Draw.objects.get()
    response = client.post(reverse("competition_day:contribute", args=[draw.pk]), {"user": "9" * 40, "text": "x"},
                           follow=True)
    assert "Наставник не найден" in response.content.decode()
    response = client.post(reverse("competition_day:redraw", args=[draw.pk]), {"reason": ""}, follow=True)
    assert "Укажите причину пережеребьёвки" in response.content.decode()
    response = client.post(reverse("competition_day:prepare", args=[day.competency.pk]),
                           {"kind": "workplaces", "flow": "x"}, follow=True)
    assert "Поток не найден" in response.content.decode()
    assert Draw.objects.count() == 1 and not Contribution.objects.exists()


def test_op1_public_verification_page_says_it_matches_or_shows_differences(day):
    draw = domain.prepare_draw(day.competency, kind="flows", by=day.chief)
    anonymous = Client()
    url = reverse("competition_day:verify", args=[draw.pk])
    body = anonymous.get(url).content.decode()
    assert 'data-outcome="pending"' in body and draw.secret not in body and draw.commitment in body
    draw = domain.perform_draw(draw, by=day.chief)
    body = anonymous.get(url).content.decode()
    assert 'data-outcome="match"' in body and "Совпадает" in body and draw.secret in body
    result = json.loads(draw.result_text)
    team = sorted(result)[0]
    other = next(str(s.pk) for s in day.flows if str(s.pk) != result[team])
    Draw.objects.filter(pk=draw.pk).update(result_text=json.dumps({**result, team: other}))
    body = anonymous.get(url).content.decode()
    assert 'data-outcome="mismatch"' in body and "повторная жеребьёвка даёт" in body


def test_op1_flows_are_published_on_the_competency_page_and_in_the_mentor_cabinet(day):
    draw = domain.perform_draw(domain.prepare_draw(day.competency, kind="flows", by=day.chief), by=day.chief)
    slot = next(s for s in day.flows if str(s.pk) == json.loads(draw.result_text)[str(day.teams[0].pk)])
    domain.perform_draw(domain.prepare_draw(day.competency, kind="workplaces", flow=slot, by=day.chief), by=day.chief)
    mentor = Client()
    mentor.force_login(day.mentors[0])
    body = mentor.get(reverse("cabinet")).content.decode()
    assert f'id="team-flow-{day.teams[0].pk}"' in body and slot.title in body and "рабочее место № " in body
    body = mentor.get(reverse("championships:competency", args=[day.championship.pk, day.competency.pk])).content.decode()
    assert f'id="programme-flow-{slot.pk}"' in body and day.teams[0].organisation.short_name in body
    assert 'id="draws-link"' not in body  # the mentor does not hold the draws
    chief = chief_client(day)
    assert reverse("competition_day:draws", args=[day.competency.pk]) in chief.get(reverse("cabinet")).content.decode()
    body = chief.get(reverse("championships:competency", args=[day.championship.pk, day.competency.pk])).content.decode()
    assert 'id="draws-link"' in body


def test_op1_api_runs_a_draw_through_the_domain(day):
    api = ApiClient(day.chief)
    response = api.post(f"/competencies/{day.competency.pk}/draws", {"kind": "flows"})
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["secret"] is None and len(out["commitment"]) == 64
    duplicate = api.post(f"/competencies/{day.competency.pk}/draws", {"kind": "flows"})
    assert duplicate.status_code == 400 and "Жеребьёвка уже есть" in duplicate.json()["detail"]
    response = api.post(f"/draws/{out['id']}/contributions", {"text": "берёза", "user_id": day.mentors[1].pk})
    assert response.status_code == 201 and response.json()["contributions"][0]["text"] == "берёза"
    response = api.post(f"/draws/{out['id']}/perform")
    assert response.status_code == 200 and response.json()["secret"]
    assert api.post(f"/draws/{out['id']}/perform").status_code == 409
    late = api.post(f"/draws/{out['id']}/contributions", {"text": "поздно", "user_id": day.mentors[2].pk})
    assert late.status_code == 409
    verification = ApiClient(None).get(f"/draws/{out['id']}/verification").json()
    assert verification == {"id": out["id"], "matches": True, "performed": True, "differences": []}
    response = api.post(f"/draws/{out['id']}/redraw", {"reason": "Команда снята"})
    assert response.status_code == 201 and response.json()["supersedes_id"] == out["id"]
    assert api.post(f"/draws/{out['id']}/redraw", {"reason": "ещё"}).status_code == 409


def test_op1_verify_draw_command_exits_non_zero_on_mismatch(day, capsys):
    draw = domain.perform_draw(domain.prepare_draw(day.competency, kind="flows", by=day.chief), by=day.chief)
    call_command("verify_draw", str(draw.pk))
    assert "совпадает" in capsys.readouterr().out
    Draw.objects.filter(pk=draw.pk).update(seed="f" * 64)
    with pytest.raises(CommandError, match="Не совпадают"):
        call_command("verify_draw", str(draw.pk))
    assert "Зерно не совпадает" in capsys.readouterr().out
    with pytest.raises(CommandError, match="не найдена"):
        call_command("verify_draw", "999999")
