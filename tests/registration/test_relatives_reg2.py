"""REG-2 (003 §3.1, issue 13 §3): a close relative of a participant is a team member only in the category
that provides for one («Семья мастеров 5–8 класс»); elsewhere the form does not offer one and every channel
refuses one with a clear Russian message."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.core.errors import DomainError
from profmaster.registration import domain, team_rules
from profmaster.registration.models import TeamMember


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("category", ["cat12", "cat34"])
def test_reg2_relative_refused_in_category_without_relatives_and_nothing_saved(reg, category):
    application = reg.application(category=getattr(reg, category))
    with pytest.raises(DomainError) as exc:
        reg.add(application, "relative", relation="mother")
    name = getattr(reg, category).name
    assert exc.value.message == (
        f"В категории «{name}» близкий родственник участника в команду не входит: команда состоит из участников и "
        f"наставника. Родственник выступает вместе с ребёнком только в категории «{reg.family.name}».")
    assert exc.value.field == "kind"
    assert not application.members.exists()


def test_reg2_relative_accepted_in_family_category(reg):
    application = reg.application(category=reg.family)
    relative = reg.add(application, "relative", relation="grandmother")
    assert list(application.members.values_list("kind", "relation")) == [("relative", "grandmother")]
    assert relative.pk is not None


def test_reg2_participant_cannot_be_turned_into_relative_outside_family(reg):
    application = reg.application(category=reg.cat12)
    member = reg.add(application, "participant")
    member.kind = TeamMember.Kind.RELATIVE
    member.relation = "brother"
    with pytest.raises(DomainError):
        domain.save_member(member, by=reg.mentor_user)
    assert TeamMember.objects.get(pk=member.pk).kind == "participant"


def test_reg2_member_kinds_offered_per_category(reg):
    assert domain.member_kinds_offered(reg.cat12) == ["participant", "mentor"]
    assert domain.member_kinds_offered(reg.cat34) == ["participant", "mentor"]
    assert domain.member_kinds_offered(reg.family) == ["participant", "relative", "mentor"]


def test_reg2_team_check_names_a_relative_left_in_a_category_without_relatives(reg):
    """A relative recorded before the category changed (or by an import of old data) is named by the team
    check with the fix, and the application cannot be submitted."""
    application = reg.valid_team()
    relative = TeamMember.objects.create(application=application, kind="relative", last_name="Родная",
                                         first_name="Мария", relation="mother")
    violations = domain.check_application(application)
    assert [(v.rule, v.person, v.field) for v in violations] == [("REG-2", str(relative.pk), "kind")]
    assert domain.violation_message(violations[0]) == (
        "Родная Мария: в категории «1–2 класс» близкий родственник участника в команду не входит — команда "
        "состоит из участников и наставника. Удалите его из заявки.")
    with pytest.raises(domain.RulesViolated):
        domain.submit_application(application, by=reg.mentor_user)


def test_reg2_pure_rule_counts_relatives_only_where_provided():
    category = team_rules.CategoryRules("1–2 класс", 1, 2, participants_per_team=2)
    members = [team_rules.Person("1", "participant", "А", grade=1), team_rules.Person("2", "participant", "Б", grade=2),
               team_rules.Person("3", "mentor", "В"), team_rules.Person("4", "relative", "Г", relation="mother")]
    team = team_rules.Team(None, 1, 1, members)
    assert [(v.rule, v.person) for v in team_rules.check_team(team, category, team_rules.ChampionshipRules())] == [
        ("REG-2", "4")]
    family = team_rules.CategoryRules("Семья", 5, 8, participants_per_team=1, relatives_per_team=1)
    team = team_rules.Team(None, 1, 1, [team_rules.Person("1", "participant", "А", grade=5), members[2], members[3]])
    assert team_rules.check_team(team, family, team_rules.ChampionshipRules()) == []


def test_reg2_application_page_offers_relative_only_in_family_category(reg):
    client = client_for(reg.mentor_user)
    plain = reg.application(category=reg.cat12)
    family = reg.application(category=reg.family)
    relative_link = lambda a: reverse("registration:member_create", args=[a.pk, "relative"])  # noqa: E731
    page = client.get(reverse("registration:detail", args=[plain.pk])).content.decode()
    assert relative_link(plain) not in page
    assert reverse("registration:member_create", args=[plain.pk, "participant"]) in page
    page = client.get(reverse("registration:detail", args=[family.pk])).content.decode()
    assert relative_link(family) in page


def test_reg2_relative_form_refused_outside_family_with_message(reg):
    client = client_for(reg.mentor_user)
    application = reg.application(category=reg.cat12)
    url = reverse("registration:member_create", args=[application.pk, "relative"])
    response = client.post(url, {"last_name": "Родная", "first_name": "Мария", "relation": "mother",
                                 "clothing_size": "M"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("registration:detail", args=[application.pk]))
    assert "близкий родственник участника в команду не входит" in response.content.decode()
    assert not application.members.exists()
    response = client.get(url)
    assert response.status_code == 302


def test_reg2_relative_form_saves_in_family_category(reg):
    client = client_for(reg.mentor_user)
    application = reg.application(category=reg.family)
    response = client.post(reverse("registration:member_create", args=[application.pk, "relative"]), {
        "last_name": "Родная", "first_name": "Мария", "relation": "mother", "clothing_size": "M"})
    assert response.status_code == 302
    assert list(application.members.values_list("kind", "last_name", "relation")) == [
        ("relative", "Родная", "mother")]
