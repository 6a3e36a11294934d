"""OP-1 as the rest of the competition day follows it: once the flows are drawn, a flow's timers and
familiarisation hold only the teams drawn into it, check-in expects a team on its own flow's day and names that
flow, the familiarisation protocol cites the draws, and the day board shows the venue's check-in and incidents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.checkin import domain as checkin
from profmaster.checkin.models import Accreditation
from profmaster.competition_day import domain
from profmaster.competition_day.models import Draw
from profmaster.incidents import domain as incidents
from profmaster.timekeeping import domain as timekeeping

from .conftest import make_day

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _draw_flows(day):
    return domain.perform_draw(domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief), by=day.chief)


def test_op1_op3_teams_of_a_flow_follow_the_draw_of_flows():
    day = make_day(teams=5, flows=2, workplaces=3)
    before = [set(timekeeping.teams_of_flow(f).values_list("pk", flat=True)) for f in day.flows]
    assert before == [{t.pk for t in day.teams}] * 2  # before the draw: every approved team
    _draw_flows(day)
    drawn = domain.drawn_flows(day.competency.pk)
    after = [set(timekeeping.teams_of_flow(f).values_list("pk", flat=True)) for f in day.flows]
    assert after[0].isdisjoint(after[1]) and after[0] | after[1] == {t.pk for t in day.teams}
    for flow, teams in zip(day.flows, after, strict=True):
        assert teams == {team for team, slot in drawn.items() if slot == flow.pk}


def test_op1_op7_check_in_names_the_teams_own_flow_and_expects_it_on_that_day():
    day = make_day(teams=4, flows=2, workplaces=2, gap_hours=24)  # the two flows on two days
    checkin.issue_accreditations(day.competency, by=day.chief)
    _draw_flows(day)
    drawn = domain.drawn_flows(day.competency.pk)
    team = day.teams[0]
    own = next(f for f in day.flows if f.pk == drawn[team.pk])
    other = next(f for f in day.flows if f.pk != own.pk)
    mentor = Accreditation.objects.filter(application=team, kind="mentor").first()
    outcome = checkin.check_in(day.competency, mentor.code, by=day.chief, now=own.starts_at)
    assert [f.pk for f in outcome.flows] == [own.pk]
    with pytest.raises(checkin.CheckInRefused) as refused:
        checkin.check_in(day.competency, mentor.code, by=day.chief, now=other.starts_at + dt.timedelta(minutes=1))
    assert refused.value.code == "wrong_day"
    local_day = checkin.today(day.championship, own.starts_at)
    assert team in checkin.teams_expected(day.competency, local_day)
    assert not {t.pk for t in checkin.teams_expected(day.competency, local_day)} & {
        t for t, slot in drawn.items() if slot == other.pk}


def test_op1_op2_familiarisation_protocol_cites_the_draws_and_each_teams_workplace():
    day = make_day(teams=4, flows=2, workplaces=2)
    flows_draw = _draw_flows(day)
    flow = day.flows[0]
    assert domain.draw_summary(day.competency, flow)[0].startswith(str(flows_draw.get_kind_display()))
    workplaces = domain.perform_draw(domain.prepare_draw(day.competency, kind=Draw.Kind.WORKPLACES, flow=flow,
                                                         by=day.chief), by=day.chief)
    lines = domain.draw_summary(day.competency, flow)
    assert len(lines) == 2 + len(timekeeping.teams_of_flow(flow))
    assert f"№ {workplaces.pk}" in lines[1] and domain.verification_url(workplaces) in lines[1]
    assert all(" — № " in line for line in lines[2:])


def test_op5_op7_day_board_shows_check_in_and_incident_panels():
    day = make_day(teams=2, flows=1, workplaces=2)
    checkin.issue_accreditations(day.competency, by=day.chief)
    flow = day.flows[0]
    incident = incidents.report_incident(day.competency, kind="other", description="Пролит сироп",
                                         occurred_at=flow.starts_at, person_name="Орёл Семён", by=day.chief)
    local_day = checkin.today(day.championship, flow.starts_at)
    response = client_for(day.chief).get(reverse("timekeeping:board", kwargs={
        "competency_pk": day.competency.pk, "day": local_day.isoformat()}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="panel-checkin"' in html and 'id="panel-incidents"' in html
    assert "не прибыл — команда не допускается" in html  # no mentor checked in yet (003 §19.4)
    assert f"№ {incident.number}" in html and "протокол не сформирован" in html
