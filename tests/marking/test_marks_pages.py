"""Pages of the assessment (SC-1…SC-9): entry endpoint, board, lock, a team's own marks and who sees them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from profmaster.accounts.models import Role
from profmaster.marking import marks
from profmaster.marking.models import Aspect, Mark, SchemeMarking, SubCriterion, TeamResult
from profmaster.registration.models import TeamMember

from ..factories import CompetencyFactory, UserFactory, give_role
from .conftest import make_team, mark_everything

pytestmark = pytest.mark.django_db


def _aspect(scheme, code="A1.1"):
    return Aspect.objects.get(sub_criterion__criterion__scheme=scheme, code=code)


def test_sc3_entry_grid_and_autosave_endpoint(client, locked_scheme, panel, teams):
    chief, (e1, _e2) = panel
    client.force_login(chief)
    page = client.get(reverse("marking:entry", args=[locked_scheme.pk, teams[0].pk]))
    assert page.status_code == 200 and b"mark-input" in page.content
    url = reverse("marking:save", args=[locked_scheme.pk, teams[0].pk])
    response = client.post(url, {"aspect": _aspect(locked_scheme).pk, "expert": e1.pk, "value": "2"})
    assert response.json() == {"ok": True, "value": 2, "discrepancy": ""}
    assert Mark.objects.get(expert=e1).value == 2


def test_sc4_discrepancy_badge_goes_when_resolved_or_re_marked(client, locked_scheme, panel, teams):
    """Issue 13 §3: the discrepancy badge on a score sheet stayed after the discrepancy was resolved."""
    from profmaster.marking import marks

    chief, (e1, e2) = panel
    aspect = _aspect(locked_scheme)
    client.force_login(chief)
    url = reverse("marking:save", args=[locked_scheme.pk, teams[0].pk])
    entry = reverse("marking:entry", args=[locked_scheme.pk, teams[0].pk])
    client.post(url, {"aspect": aspect.pk, "expert": e1.pk, "value": "0"})
    response = client.post(url, {"aspect": aspect.pk, "expert": e2.pk, "value": "3"})
    assert response.json()["discrepancy"] == "open"
    assert client.get(entry).content.decode().count('class="badge text-bg-danger discrepancy"') == 1
    marks.resolve_spread(locked_scheme, aspect, teams[0], by=chief, reason="Обсудили, оценки обоснованы")
    html = client.get(entry).content.decode()
    assert 'class="badge text-bg-danger discrepancy"' not in html
    assert "расхождение оставлено" in html
    response = client.post(url, {"aspect": aspect.pk, "expert": e2.pk, "value": "1"})
    assert response.json()["discrepancy"] == ""
    html = client.get(entry).content.decode()
    assert "discrepancy" not in html.split('id="entry-grid"')[1].split("</section>")[0].replace(
        "discrepancy-slot", "").replace("data-msg-discrepancy", "")


@pytest.mark.parametrize("data", [
    {"aspect": "", "value": "1"}, {"aspect": "x", "value": "1"}, {"aspect": "999999", "value": "1"},
    {"value": "9"}, {"value": "-1"}, {"value": "один"}, {"expert": "abc", "value": "1"}, {"expert": "999999", "value": "1"},
])
def test_sc3_bad_autosave_input_is_a_clear_4xx(client, locked_scheme, panel, teams, data):
    chief, (e1, _) = panel
    client.force_login(chief)
    payload = {"aspect": _aspect(locked_scheme).pk, "expert": e1.pk, **data}
    response = client.post(reverse("marking:save", args=[locked_scheme.pk, teams[0].pk]), payload)
    assert response.status_code == 400 and response.json()["ok"] is False and response.json()["error"]
    assert not Mark.objects.exists()


def test_sc3_expert_cannot_enter_in_person_marks(client, locked_scheme, panel, teams):
    _chief, (e1, _) = panel
    client.force_login(e1)
    response = client.post(reverse("marking:save", args=[locked_scheme.pk, teams[0].pk]),
                           {"aspect": _aspect(locked_scheme).pk, "expert": e1.pk, "value": "2"})
    assert response.status_code == 403 and not Mark.objects.exists()


def test_sc3_correction_reason_required_through_the_endpoint(client, locked_scheme, panel, teams):
    chief, (e1, _) = panel
    mark_everything(locked_scheme, teams, chief)
    client.force_login(chief)
    url = reverse("marking:save", args=[locked_scheme.pk, teams[0].pk])
    response = client.post(url, {"aspect": _aspect(locked_scheme).pk, "expert": e1.pk, "value": "3"})
    assert response.status_code == 400 and response.json()["field"] == "reason"
    response = client.post(url, {"aspect": _aspect(locked_scheme).pk, "expert": e1.pk, "value": "3", "reason": "Ошибка"})
    assert response.json()["ok"] is True


def test_sc2_complete_sheet_page_refuses_missing_marks(client, locked_scheme, panel, teams):
    chief, _ = panel
    client.force_login(chief)
    sub = SubCriterion.objects.get(criterion__scheme=locked_scheme, code="A1")
    response = client.post(reverse("marking:complete", args=[locked_scheme.pk, teams[0].pk]),
                           {"sub_criterion": sub.pk}, follow=True)
    assert "Не оценены" in response.content.decode()
    response = client.post(reverse("marking:complete", args=[locked_scheme.pk, teams[0].pk]),
                           {"sub_criterion": "x"}, follow=True)
    assert response.status_code == 200


def test_sc4_board_shows_subtotals_and_flags(client, locked_scheme, panel, teams):
    chief, (e1, e2) = panel
    marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 0, expert=e1, by=chief)
    marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 3, expert=e2, by=chief)
    client.force_login(chief)
    content = client.get(reverse("marking:board", args=[locked_scheme.pk])).content.decode()
    assert "discrepancy" in content and "A1.1: 0, 3" in content
    assert "1,00" in content  # A: 2 × 1.5 / 3, shown in the Russian format


def test_sc5_lock_through_the_page_then_mentor_sees_only_their_team(client, locked_scheme, panel, competency,
                                                                    django_capture_on_commit_callbacks):
    chief, _ = panel
    mentor = UserFactory(last_name="Наставникова")
    give_role(mentor, Role.MENTOR, competency.championship)
    mine, theirs = make_team(competency, mentor=mentor), make_team(competency)
    mark_everything(locked_scheme, [mine, theirs], chief)
    client.force_login(mentor)
    assert client.get(reverse("marking:team_marks", args=[locked_scheme.pk, mine.pk])).status_code == 403
    client.force_login(chief)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("marking:lock_marks", args=[locked_scheme.pk]))
    assert SchemeMarking.objects.get(scheme=locked_scheme).is_locked
    assert TeamResult.objects.filter(scheme=locked_scheme).count() == 2
    pdf = client.get(reverse("marking:sheets_pdf", args=[locked_scheme.pk]))
    assert pdf.status_code == 200 and b"".join(pdf).startswith(b"%PDF")
    client.force_login(mentor)
    page = client.get(reverse("marking:team_marks", args=[locked_scheme.pk, mine.pk]))
    assert page.status_code == 200 and "4,00" in page.content.decode()
    assert client.get(reverse("marking:team_marks", args=[locked_scheme.pk, theirs.pk])).status_code == 403
    assert client.get(reverse("marking:board", args=[locked_scheme.pk])).status_code == 403
    listing = client.get(reverse("marking:my_marks", args=[competency.championship.pk])).content.decode()
    assert str(mine.organisation) in listing and str(theirs.organisation) not in listing


def test_sc9_team_marks_hidden_from_others(client, locked_scheme, panel, competency):
    chief, _ = panel
    participant = UserFactory()
    give_role(participant, Role.PARTICIPANT, competency.championship)
    team = make_team(competency)
    TeamMember.objects.create(application=team, kind=TeamMember.Kind.PARTICIPANT, last_name="Учеников",
                              first_name="Пётр", birth_date="2015-01-01", user=participant)
    other = make_team(competency)
    mark_everything(locked_scheme, [team, other], chief)
    marks.lock_marks(locked_scheme, by=chief)
    other_expert = UserFactory()
    other_competency = CompetencyFactory(championship=competency.championship)
    give_role(other_expert, Role.EXPERT, competency.championship, other_competency)
    url_other = reverse("marking:team_marks", args=[locked_scheme.pk, other.pk])
    for user, expected in ((participant, 403), (other_expert, 403)):
        client.force_login(user)
        assert client.get(url_other).status_code == expected
    client.force_login(participant)
    assert client.get(reverse("marking:team_marks", args=[locked_scheme.pk, team.pk])).status_code == 200
    client.logout()
    assert client.get(url_other).status_code == 302


def test_sc1_blank_sheets_pdf(client, locked_scheme, panel, teams):
    from io import BytesIO

    from pypdf import PdfReader

    chief, _ = panel
    client.force_login(chief)
    response = client.get(reverse("marking:blank_sheets", args=[locked_scheme.pk]) + f"?team={teams[0].pk}")
    reader = PdfReader(BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    assert len(reader.pages) == 3  # one sheet per sub-criterion of the team
    text = reader.pages[0].extract_text()
    assert "A1.1" in text and "Подпись" in text and "Экспертова0" in text


def test_sc8_panel_page_settings_and_roles(client, competency, panel, teams):
    chief, (e1, _) = panel
    client.force_login(chief)
    url = reverse("marking:panel", args=[competency.championship.pk, competency.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"action": "settings", "four_eyes": "on", "exclude_own_organisation": "on"})
    from profmaster.marking.panel import panel_of

    assert panel_of(competency).four_eyes is True
    client.post(url, {"action": "role", "user": e1.pk, "duty": "Оценщик A"})
    response = client.post(url, {"action": "protocol"})
    assert response.status_code == 302 and "/documents/" in response["Location"]
    client.force_login(e1)
    assert client.post(url, {"action": "settings", "blind": "on"}).status_code == 403


def test_sc6_unlock_pages(client, locked_scheme, panel, teams, directorate_user):
    from profmaster.documents.domain import sign_document

    from ..factories import PASSWORD

    chief, experts = panel
    mark_everything(locked_scheme, teams, chief)
    marks.lock_marks(locked_scheme, by=chief)
    client.force_login(chief)
    client.post(reverse("marking:unlock_marks_request", args=[locked_scheme.pk]), {"reason": "Ошибка переноса"})
    marking = SchemeMarking.objects.get(scheme=locked_scheme)
    assert marking.unlock_document is not None
    assert client.post(reverse("marking:unlock_marks", args=[locked_scheme.pk])).status_code == 403
    for user in (chief, *experts):
        sign_document(marking.unlock_document, signer=user, password=PASSWORD)
    client.force_login(directorate_user)
    client.post(reverse("marking:unlock_marks", args=[locked_scheme.pk]))
    assert not SchemeMarking.objects.get(scheme=locked_scheme).is_locked
    assert TeamResult.objects.count() == 0
    assert Decimal("0") == Decimal(TeamResult.objects.count())


def test_sc3_nul_in_a_reason_is_never_a_500(client, locked_scheme, panel, teams):
    chief, (e1, _) = panel
    mark_everything(locked_scheme, teams, chief)
    client.force_login(chief)
    response = client.post(reverse("marking:save", args=[locked_scheme.pk, teams[0].pk]),
                           {"aspect": _aspect(locked_scheme).pk, "expert": e1.pk, "value": "0", "reason": "оп\x00ечатка"})
    assert response.status_code == 200 and Mark.objects.get(expert=e1, team=teams[0],
                                                            aspect=_aspect(locked_scheme)).value == 0


def test_sc8_blind_assessment_hides_organisations_on_the_entry_page(client, locked_scheme, panel, teams):
    from profmaster.marking import panel as panels

    chief, _ = panel
    row = panels.panel_of(locked_scheme.competency)
    row.blind = True
    panels.save_panel(row, by=chief)
    client.force_login(chief)
    content = client.get(reverse("marking:entry", args=[locked_scheme.pk, teams[0].pk])).content.decode()
    teams[0].refresh_from_db()
    assert teams[0].work_code.code in content
    assert str(teams[0].organisation) not in content and str(teams[1].organisation) not in content
