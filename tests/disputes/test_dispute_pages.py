"""AP-1 on the pages and the API: bad input is refused with a clear Russian message and changes nothing — a second
vote, a vote from outside the panel, a vote on a decided question, a mentor raising on another's team (a forged
id), a foreign championship's objects; the demo holds an open vote of the Кондитерское дело panel."""

from __future__ import annotations

import pytest
from django.test import Client

from profmaster.disputes import domain
from profmaster.disputes.models import Dispute, Vote

from ..factories import CompetencyFactory


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_ap1_mentor_forged_team_refused_on_the_page(world):
    client = _client(world.mentor_user)
    url = f"/disputes/competencies/{world.competency.pk}/"
    response = client.post(url, {"team": world.other_team.pk, "question": "Подсказка", "concerns": "Эксперт"})
    assert response.status_code == 400 and "Вы не наставник этой команды" in response.content.decode()
    foreign = CompetencyFactory()
    response = client.post(url, {"team": 10**12, "question": "Подсказка", "concerns": "Эксперт"})
    assert response.status_code == 400 and "Команда не участвует" in response.content.decode()
    assert client.get(f"/disputes/competencies/{foreign.pk}/").status_code == 403
    assert Dispute.objects.count() == 0
    response = client.post(url, {"team": world.team.pk, "question": "Подсказка", "concerns": "Эксперт"})
    assert response.status_code == 302 and Dispute.objects.count() == 1


def test_ap1_second_vote_outsider_and_decided_refused_on_the_page(world):
    dispute = domain.raise_dispute(world.competency, question="Подсказка", concerns="Эксперт", team=world.team,
                                   by=world.mentor_user)
    domain.put_to_vote(dispute, proposal="Снять 2 балла", by=world.chief)
    url = f"/disputes/{dispute.pk}/vote/"
    first = _client(world.experts[0])
    assert first.post(url, {"choice": "for"}).status_code == 302
    again = first.post(url, {"choice": "against"}, follow=True)
    assert "Вы уже проголосовали по этому вопросу." in _messages(again)
    assert _client(world.chief).post(url, {"choice": "for"}).status_code == 403  # not an expert
    _client(world.experts[1]).post(url, {"choice": "for"})
    dispute.refresh_from_db()
    assert dispute.state == "decided"
    late = _client(world.experts[2]).post(url, {"choice": "against"}, follow=True)
    assert "Вопрос уже решён: голосование окончено." in _messages(late)
    assert list(Vote.objects.order_by("pk").values_list("choice", flat=True)) == ["for", "for"]
    page = _client(world.chief).get(f"/disputes/{dispute.pk}/").content.decode()
    assert "Предложение принято" in page and "Протокол рассмотрения спорного вопроса № 1" in page


def test_ap1_api_vote_twice_is_409_and_outsider_400(world):
    from profmaster.accounts.domain import create_api_token

    dispute = domain.raise_dispute(world.competency, question="Подсказка", concerns="Эксперт", team=world.team,
                                   by=world.mentor_user)
    domain.put_to_vote(dispute, proposal="Снять 2 балла", by=world.chief)
    token = create_api_token(world.experts[0], name="тест")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    path = f"/api/v1/disputes/{dispute.pk}/votes"
    assert client.post(path, {"choice": "for"}, content_type="application/json").status_code == 201
    again = client.post(path, {"choice": "against"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["detail"] == "Вы уже проголосовали по этому вопросу."
    assert client.post(path, {"choice": "maybe"}, content_type="application/json").status_code in (400, 409)
    assert Vote.objects.count() == 1


@pytest.mark.django_db
def test_ap1_demo_has_an_open_vote_of_the_konditer_panel():
    from django.core.management import call_command

    call_command("load_demo", "--quiet")
    call_command("load_demo", "--quiet")
    dispute = Dispute.objects.get(competency__name="Кондитерское дело")
    vote_round = domain.open_round(dispute)
    assert dispute.state == "voting" and vote_round.panel_size == 3
    assert [u.email for u in domain.not_voted(vote_round)] == ["expert2.konditer@profmaster.local",
                                                               "expert3.konditer@profmaster.local"]
