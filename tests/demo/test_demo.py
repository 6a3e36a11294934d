"""The demo championship: a realistic «Мастерята» season, loaded idempotently."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.championships.models import Championship
from profmaster.demo import data

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_every_role_and_real_structure(capsys):
    call_command("load_demo")
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "Демо уже загружено" in out and "directorate@profmaster.local" in out
    championship = Championship.objects.get(slug=data.DEMO_SLUG)
    # «Мастерята» and the regional stage of «Лучший по профессии» (issue 16, best_in_profession/demo.py)
    assert set(Championship.objects.values_list("slug", flat=True)) == {data.DEMO_SLUG, "lpp-demo"}
    assert {s.kind for s in championship.stages.all()} == {"remote", "final"}
    experts = dict(championship.competencies.values_list("name", "expert_count"))
    assert len(experts) >= 6
    assert experts["Мобильная робототехника"] == 15
    assert experts["Кондитерское дело"] == 4
    assert experts["Поварское дело"] == 6
    assert championship.age_categories.count() == 3
    assert championship.base_venues.count() == 2
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    application = championship.applications.get(competency__name="Кондитерское дело")
    assert (application.status, application.members.count()) == ("submitted", 3)
    assert championship.competencies.get(name="Кондитерское дело").marking_schemes.get().status == "draft"
    for email, password, _label in data.credentials():
        assert User.objects.get(email=email).check_password(password)


@pytest.mark.django_db
def test_demo_has_locked_marks_with_team_results():
    """SC-5 in the demo: «Флористика» has locked marks, TeamResult rows and an intact ledger."""
    from profmaster.marking import marks
    from profmaster.marking.models import SchemeMarking, TeamResult
    from profmaster.permissions import own_teams_with_locked_marks

    data.load_demo()
    marking = SchemeMarking.objects.get(scheme__competency__name="Флористика")
    assert marking.is_locked
    results = TeamResult.objects.filter(scheme=marking.scheme)
    assert results.count() == 3 and all(r.total > 0 for r in results)
    assert marks.verify(marking.scheme) == []
    mentor = User.objects.get(email="mentor@profmaster.local")
    assert len(own_teams_with_locked_marks(mentor, marking.scheme)) == 1


def test_demo_application_1_can_be_approved_by_the_directorate():
    """Issue 13 §3 (REG-11, REG-6): the demo mentor's application №1 overlapped the mentor's «Флористика»
    team in the final's flows and could not be approved; a newcomer must be able to complete every step."""
    from django.test import Client
    from django.urls import reverse

    from profmaster.registration import domain

    data.load_demo()
    application = Championship.objects.get(slug=data.DEMO_SLUG).applications.get(competency__name="Кондитерское дело")
    assert domain.check_application(application) == []
    assert domain.missing_consents(application) == []
    client = Client()
    client.force_login(User.objects.get(email="directorate@profmaster.local"))
    response = client.post(reverse("registration:approve", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"


def test_op7_demo_venue_admin_can_check_people_in():
    """OP-7: the demo's technical administrator checks in the «Поварское дело» team (mentor first) and the
    briefed volunteer; the press reporter waits for the safety briefing."""
    from profmaster.checkin import domain as checkin
    from profmaster.checkin.models import Accreditation

    data.load_demo()
    venue = User.objects.get(email="venue@profmaster.local")
    people = Accreditation.objects.filter(competency__name="Поварское дело")
    competency = people.first().competency
    by_kind = {a.kind: a for a in people.order_by("pk")}
    assert set(by_kind) == {"participant", "mentor", "volunteer", "press"}
    for kind in ("mentor", "participant", "volunteer"):
        assert checkin.check_in(competency, by_kind[kind].code, by=venue).already is False
    try:
        checkin.check_in(competency, by_kind["press"].code, by=venue)
    except checkin.CheckInRefused as refusal:
        assert refusal.code == "no_briefing"
    else:
        raise AssertionError("the press reporter was let in without a briefing")


@pytest.mark.django_db
def test_demo_robotics_can_hold_its_draws():
    """OP-1 in the demo: the chief expert of «Мобильная робототехника» draws its six teams into the two flows
    (the mentor of two teams gets them in different flows), then the workplaces of each flow."""
    import json

    from profmaster.championships.models import ProgrammeSlot
    from profmaster.competition_day import domain

    data.load_demo()
    championship = Championship.objects.get(slug=data.DEMO_SLUG)
    assert all(ProgrammeSlot.objects.filter(competency=c, kind="flow").count() == 2
               for c in championship.competencies.all())
    competency = championship.competencies.get(name="Мобильная робототехника")
    chief = User.objects.get(email="chief.robotics@profmaster.local")
    prepared = domain.prepare_draw(competency, kind="flows", by=chief)
    mentor = User.objects.get(email=data.ROBOTICS_MENTOR_EMAIL.format(number=1))  # signs in, adds entropy
    domain.add_contribution(prepared, text="Орёл и решка", user=mentor, by=mentor)
    draw = domain.perform_draw(prepared, by=chief)
    assert draw.contributions.get().user == mentor
    result = json.loads(draw.result_text)
    assert len(result) == 6
    shared = sorted(a.pk for a in championship.applications.filter(competency=competency))[:2]
    assert result[str(shared[0])] != result[str(shared[1])]  # REG-11
    for slot in domain.flow_slots(competency):
        wp = domain.perform_draw(domain.prepare_draw(competency, kind="workplaces", flow=slot, by=chief), by=chief)
        assert domain.verify_draw(wp).matches
