"""OP-1 on the records: prepare → contributions → perform → (redraw), verification, refusals, protocol."""

from __future__ import annotations

import json

import pytest

from profmaster.audit.models import AuditEntry
from profmaster.competition_day import domain
from profmaster.competition_day.models import Contribution, Draw
from profmaster.core.errors import DomainError, TransitionError
from profmaster.documents.models import Document, DocumentType
from profmaster.registration.models import Application

from .conftest import make_day

pytestmark = pytest.mark.django_db


def flows_draw(day, *, contributions=("берёза",)):
    draw = domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    for mentor, text in zip(day.mentors, contributions, strict=False):
        domain.add_contribution(draw, text=text, user=mentor, by=day.chief)
    return domain.perform_draw(draw, by=day.chief)


def test_op1_prepare_publishes_commitment_and_keeps_secret_hidden(day):
    draw = domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    assert draw.state == Draw.State.PREPARED and len(draw.commitment) == 64 and not draw.seed
    inputs = json.loads(draw.inputs_text)
    assert [t["id"] for t in inputs["teams"]] == sorted(str(t.pk) for t in day.teams)
    assert [f["capacity"] for f in inputs["flows"]] == [3, 3]
    # the mentor of two teams appears as one pseudonym on both (REG-11), and no e-mail is published
    mentors = [tuple(t["mentors"]) for t in inputs["teams"]]
    assert len(set(mentors)) == len(day.mentors) and "@" not in draw.inputs_text
    entry = AuditEntry.objects.get(object_type="competition_day.Draw", object_id=str(draw.pk))
    assert "secret" not in entry.after and entry.after["commitment"] == draw.commitment


def test_op1_perform_reveals_secret_every_team_one_flow_and_protocol(day):
    draw = flows_draw(day, contributions=("берёза", "42"))
    assert draw.state == Draw.State.PERFORMED
    result = json.loads(draw.result_text)
    assert sorted(result) == sorted(str(t.pk) for t in day.teams)
    assert set(result.values()) <= {str(s.pk) for s in day.flows}
    # REG-11: the mentor of the last two teams never has them in overlapping flows (the flows here do not overlap,
    # so they must be in different flows only if they overlapped — check the general rule)
    protocol = draw.protocol
    assert protocol.doc_type == DocumentType.DRAW and protocol.generator == "competition_day.draw_protocol"
    signers = set(protocol.required_signers.values_list("user_id", flat=True))
    assert signers == {day.chief.pk, day.mentors[0].pk, day.mentors[1].pk}
    assert protocol.data["record"]["secret"] == draw.secret and protocol.data["record"]["seed"] == draw.seed
    assert protocol.data["verification_url"].endswith(f"/competition-day/draws/{draw.pk}/verify/")
    assert domain.verify_draw(draw).matches


def test_op1_workplaces_per_flow_after_flows(day):
    with pytest.raises(DomainError, match="Сначала проведите жеребьёвку потоков"):
        domain.prepare_draw(day.competency, kind=Draw.Kind.WORKPLACES, flow=day.flows[0], by=day.chief)
    flows = json.loads(flows_draw(day).result_text)
    for slot in day.flows:
        teams = sorted(t for t, f in flows.items() if f == str(slot.pk))
        if not teams:
            continue
        draw = domain.perform_draw(domain.prepare_draw(day.competency, kind=Draw.Kind.WORKPLACES, flow=slot,
                                                       by=day.chief), by=day.chief)
        placed = json.loads(draw.result_text)[str(slot.pk)]
        assert sorted(placed) == teams and len(set(placed.values())) == len(teams)
        assert set(placed.values()) <= {"1", "2", "3"}
        assert domain.verify_draw(draw).matches
    drawn = domain.placements([day.competency.pk])
    assert set(drawn) == {t.pk for t in day.teams}
    assert all(p.flow is not None and p.workplace for p in drawn.values())


def test_op1_duplicate_draw_is_refused_with_a_clear_message(day):
    domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    with pytest.raises(DomainError, match=r"Жеребьёвка уже есть.*пережеребьёвку с указанием причины"):
        domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    assert Draw.objects.count() == 1


def test_op1_database_refuses_a_second_current_draw(day):
    from django.db import IntegrityError, transaction

    draw = domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    draw.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        draw.save()


def test_op1_contribution_after_the_draw_is_refused_and_nothing_changes(day):
    draw = flows_draw(day)
    seed = draw.seed
    with pytest.raises(TransitionError, match="вклад после неё не принимается"):
        domain.add_contribution(draw, text="поздно", user=day.mentors[2], by=day.chief)
    assert Contribution.objects.filter(draw=draw).count() == 1
    draw.refresh_from_db()
    assert draw.seed == seed


@pytest.mark.parametrize(("text", "message"), [("   ", "Введите вклад"), ("я" * 201, "длиннее 200"),
                                                ("a\x00b", "недопустимый символ")])
def test_op1_bad_contribution_text_is_refused(day, text, message):
    draw = domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    with pytest.raises(DomainError, match=message):
        domain.add_contribution(draw, text=text, user=day.mentors[0], by=day.chief)
    assert not Contribution.objects.exists()


def test_op1_one_contribution_per_mentor_and_only_mentors_of_the_competency(day):
    from tests.factories import UserFactory

    draw = domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    domain.add_contribution(draw, text="раз", user=day.mentors[0], by=day.chief)
    with pytest.raises(DomainError, match="уже внёс"):
        domain.add_contribution(draw, text="два", user=day.mentors[0], by=day.chief)
    with pytest.raises(DomainError, match="не наставник команды"):
        domain.add_contribution(draw, text="три", user=UserFactory(), by=day.chief)
    with pytest.raises(DomainError, match="Укажите, кто вносит вклад"):
        domain.add_contribution(draw, text="четыре", by=day.chief)
    domain.add_contribution(draw, text="пять", name="Ёлкина Ирина", by=day.chief)
    assert draw.contributions.count() == 2


def test_op1_perform_twice_is_refused(day):
    draw = flows_draw(day)
    with pytest.raises(TransitionError, match="уже проведена"):
        domain.perform_draw(draw, by=day.chief)


def test_op1_redraw_needs_a_reason_and_keeps_the_old_draw_and_protocol(day):
    draw = flows_draw(day)
    with pytest.raises(DomainError, match="Укажите причину пережеребьёвки"):
        domain.redraw(draw, reason="  ", by=day.chief)
    draw.refresh_from_db()
    assert draw.state == Draw.State.PERFORMED
    new = domain.redraw(draw, reason="Снята команда по болезни", by=day.chief)
    draw.refresh_from_db()
    assert draw.state == Draw.State.SUPERSEDED and new.supersedes == draw and new.reason.startswith("Снята")
    assert new.commitment != draw.commitment and new.state == Draw.State.PREPARED
    assert Document.objects.filter(pk=draw.protocol_id).exists()
    assert domain.verify_draw(draw).matches  # the old draw is still verifiable
    performed = domain.perform_draw(new, by=day.chief)
    assert performed.protocol_id != draw.protocol_id
    assert performed.protocol.data["supersedes"] == {"number": draw.pk, "reason": "Снята команда по болезни"}
    with pytest.raises(TransitionError, match="уже заменена"):
        domain.redraw(draw, reason="ещё раз", by=day.chief)


def test_op1_redraw_of_flows_supersedes_the_workplace_draws(day):
    flows = json.loads(flows_draw(day).result_text)
    slot = next(s for s in day.flows if str(s.pk) in flows.values())
    wp = domain.perform_draw(domain.prepare_draw(day.competency, kind=Draw.Kind.WORKPLACES, flow=slot, by=day.chief),
                             by=day.chief)
    domain.redraw(Draw.objects.get(kind=Draw.Kind.FLOWS, state=Draw.State.PERFORMED), reason="Ошибка в программе",
                  by=day.chief)
    wp.refresh_from_db()
    assert wp.state == Draw.State.SUPERSEDED


def test_op1_inputs_changed_after_the_commitment_are_refused(day):
    draw = domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    Application.objects.filter(pk=day.teams[0].pk).update(status=Application.Status.WITHDRAWN)
    with pytest.raises(DomainError, match="изменились после публикации обязательства"):
        domain.perform_draw(draw, by=day.chief)
    draw.refresh_from_db()
    assert draw.state == Draw.State.PREPARED


def test_op1_unmeetable_capacity_is_reported_not_broken(db):
    day = make_day(teams=7, flows=2, workplaces=3)
    with pytest.raises(DomainError, match="Команд 7, а мест во всех потоках 6"):
        domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    assert not Draw.objects.exists()


def test_op1_unmeetable_mentor_constraint_is_reported(db):
    # REG-11: both flows overlap, so the mentor of two teams cannot have them apart
    day = make_day(teams=3, flows=2, workplaces=3, gap_hours=1)
    with pytest.raises(DomainError, match="У наставника больше команд"):
        domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)


def test_op1_no_flows_or_no_teams_are_explained(db):
    day = make_day(flows=0)
    with pytest.raises(DomainError, match="нет потоков"):
        domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    day2 = make_day()
    Application.objects.filter(competency=day2.competency).update(status=Application.Status.SUBMITTED)
    with pytest.raises(DomainError, match="нет одобренных заявок"):
        domain.prepare_draw(day2.competency, kind=Draw.Kind.FLOWS, by=day2.chief)


def test_op1_tampering_is_found_by_verification(day):
    draw = flows_draw(day)
    Draw.objects.filter(pk=draw.pk).update(secret="0" * 64)
    outcome = domain.verify_draw(Draw.objects.get(pk=draw.pk))
    assert not outcome.matches and any("обязательству" in d for d in outcome.differences)
    Draw.objects.filter(pk=draw.pk).update(secret=draw.secret)
    Contribution.objects.filter(draw=draw).update(text="подмена")
    outcome = domain.verify_draw(Draw.objects.get(pk=draw.pk))
    assert not outcome.matches and any("Зерно не совпадает" in d for d in outcome.differences)


def test_op1_regenerated_protocol_is_the_same(day):
    from profmaster.documents.domain import regenerate_document

    """DOC-2: formed again from the draw's record, the protocol comes out the same (nothing to replace)."""
    draw = flows_draw(day)
    with pytest.raises(DomainError, match="Записи не изменились"):
        regenerate_document(draw.protocol, by=day.chief, reason="Проверка")


def test_op1_protocol_pdf_renders_with_its_qr_code(day, settings):
    from profmaster.documents.rendering import document_context, render_html

    draw = flows_draw(day)
    html = render_html(document_context(draw.protocol))
    assert "<svg" in html and draw.secret in html and draw.seed in html and draw.commitment in html
    assert "Протокол жеребьёвки" in html and "берёза" in html


def test_op1_perform_draws_at_once_then_the_protocols_job(db, django_capture_on_commit_callbacks):
    """A national draw day: several competencies drawn in one transaction; the job forms their protocols."""
    days = [make_day(), make_day(teams=4)]
    draws = [domain.prepare_draw(d.competency, kind=Draw.Kind.FLOWS, by=d.chief) for d in days]
    domain.add_contribution(draws[0], text="раз", user=days[0].mentors[0], by=days[0].chief)
    with django_capture_on_commit_callbacks(execute=True):
        performed = domain.perform_draws(draws, by=days[0].chief)
    assert [d.state for d in performed] == [Draw.State.PERFORMED] * 2
    for draw in Draw.objects.filter(pk__in=[d.pk for d in draws]).select_related("protocol"):
        assert draw.protocol is not None and draw.protocol.doc_type == DocumentType.DRAW
        assert domain.verify_draw(draw).matches
    # the same draws again: refused, nothing changes
    with pytest.raises(TransitionError, match="уже проведена"):
        domain.perform_draws(draws, by=days[0].chief)


def test_op1_perform_draws_changes_nothing_when_one_competency_cannot_draw(db):
    days = [make_day(), make_day()]
    draws = [domain.prepare_draw(d.competency, kind=Draw.Kind.FLOWS, by=d.chief) for d in days]
    Application.objects.filter(pk=days[1].teams[0].pk).update(status=Application.Status.WITHDRAWN)
    with pytest.raises(DomainError, match="изменились после публикации обязательства"):
        domain.perform_draws(draws, by=days[0].chief)
    assert set(Draw.objects.values_list("state", flat=True)) == {Draw.State.PREPARED}


def test_op1_protocol_pdf_prints_the_record(day, tmp_path, settings):
    """DOC-1/003 §13.2: the PDF of the draw protocol is rendered (QR code inline, nothing fetched) and prints the
    commitment, secret, seed, algorithm and the result."""
    from profmaster.documents.models import Document as Doc
    from profmaster.documents.rendering import render_document_pdf

    from ..documents.conftest import pdf_text

    settings.MEDIA_ROOT = tmp_path
    draw = flows_draw(day)
    document = render_document_pdf(draw.protocol.pk)
    assert document is not None and document.render_status == Doc.RenderStatus.READY, document.render_error
    text = pdf_text(document.pdf.read()).replace("\n", "")
    assert draw.seed[:16] in text and draw.commitment[:16] in text and draw.algorithm in text
    assert "берёза" in text and day.teams[0].organisation.short_name in text


def test_op1_a_draw_replaced_before_it_was_held_is_not_a_mismatch(day):
    draw = domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    domain.redraw(draw, reason="Изменился состав команд", by=day.chief)
    draw.refresh_from_db()
    outcome = domain.verify_draw(draw)
    assert not outcome.performed and "не проводилась" in outcome.differences[0]
