"""DOC-4 (003 §10, issue 13 §3b): quality control. The §10.4 items are pre-filled from the records with links to
the evidence, each saved answer is kept in the item's history, the §10.3 requests go to the chief expert and
come back answered or refused, the §10.6 check report is a generated, signed document (DOC-2), and the quality
page is reachable from the championship page and the quality-control expert's cabinet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.documents.domain import regenerate_document, sign_document
from profmaster.documents.models import Document, DocumentType
from profmaster.results import domain, quality
from profmaster.results.models import QualityCheck, QualityFinding, QualityRequest

from ..factories import PASSWORD, CompetencyFactory, UserFactory, give_role


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def quality_user(championship):
    user = UserFactory(last_name="Контролёва", first_name="Вера", email="quality@example.ru")
    give_role(user, Role.QUALITY_CONTROL, championship)
    return user


@pytest.fixture
def locked(results, chief_expert, expert):
    """The criteria lock signed by both, the marks-lock form signed by the chief expert only."""
    return results.lock_protocols(results.final, marks_signed=1, signers=[chief_expert, expert])


# --- §10.4 items pre-filled from the records ----------------------------------------------------------


def test_doc4_protocols_item_prefilled_from_unsigned_and_missing_protocols(results, locked, expert):
    suggested = quality.suggestions(results.competency)
    protocols = suggested["protocols"]
    assert protocols.outcome == QualityCheck.Outcome.VIOLATION
    marks_form = locked.marking.lock_document
    assert (f"не подписан: № {marks_form.number} Протокол {marks_form.number} (ждёт подписи: {expert.full_name})"
            in protocols.finding)
    assert "не сформирован: Протокол регистрации экспертов, наставников и участников" in protocols.finding
    assert "не сформирован: Протокол распределения судейских ролей" in protocols.finding
    urls = [e.url for e in protocols.evidence]
    assert reverse("documents:detail", args=[marks_form.pk]) in urls
    package = reverse("marking:package", args=[results.championship.pk, results.competency.pk])
    assert package in urls
    assert f"№ {locked.lock_document.number} " not in protocols.finding  # the signed criteria lock is fine
    assert suggested["score_sheets"].outcome == QualityCheck.Outcome.VIOLATION
    assert "safety" not in suggested and "false_information" not in suggested  # the records cannot tell


def test_doc4_protocols_item_ok_when_every_protocol_is_signed(results, chief_expert, expert, monkeypatch):
    from profmaster.marking import package as package_module

    results.lock_protocols(results.final, signers=[chief_expert, expert])
    real = package_module.document_package

    def signed_only(competency, **kwargs):
        found = real(competency, **kwargs)
        found.items = [i for i in found.items if i.kind in ("criteria_lock", "marks_lock")]
        return found

    monkeypatch.setattr(package_module, "document_package", signed_only)
    assert quality.suggestions(results.competency)["protocols"].outcome == QualityCheck.Outcome.OK


def test_doc4_quality_page_shows_prefilled_item_with_evidence_link(results, locked, quality_user):
    page = client_for(quality_user).get(reverse("results:quality", args=[results.championship.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    marks_form = locked.marking.lock_document
    assert f'href="{reverse("documents:detail", args=[marks_form.pk])}"' in html
    assert "Предложено по записям" in html
    row = next(r for r in page.context["rows"] if r["competency"] == results.competency)
    item = next(i for i in row["items"] if i["code"] == "protocols")
    assert item["check"] is None and item["suggestion"].outcome == "violation"
    assert '<option value="violation" selected>' in html


# --- history of each item ------------------------------------------------------------------------------


def test_doc4_saving_an_item_keeps_each_finding_with_who_and_when(results, locked, quality_user, directorate_user):
    first = domain.record_quality_check(results.competency, violation="protocols", outcome="violation",
                                        finding="Форма блокировки не подписана", evidence="/documents/2/",
                                        by=quality_user)
    domain.record_quality_check(results.competency, violation="protocols", outcome="remedied",
                                finding="Подписана после замечания", by=directorate_user)
    check = QualityCheck.objects.get(pk=first.pk)
    assert (check.outcome, check.finding, check.checked_by) == ("remedied", "Подписана после замечания",
                                                                 directorate_user)
    history = list(QualityFinding.objects.filter(item=check).order_by("checked_at", "pk")
                   .values_list("outcome", "finding", "checked_by", "confirmed_suggestion"))
    assert history == [("violation", "Форма блокировки не подписана", quality_user.pk, True),
                       ("remedied", "Подписана после замечания", directorate_user.pk, False)]
    html = client_for(quality_user).get(reverse("results:quality", args=[results.championship.pk])).content.decode()
    assert "История: 2 записи" in html and "Форма блокировки не подписана" in html
    assert "подтверждено по записям" in html


@pytest.mark.parametrize(("data", "field"), [
    ({"violation": "nonsense", "outcome": "ok"}, "violation"),
    ({"violation": "safety", "outcome": "maybe"}, "outcome"),
    ({"violation": "safety", "outcome": "violation", "finding": "  "}, "finding"),
    ({"violation": "safety", "outcome": "ok", "finding": "x" * 4001}, "finding"),
])
def test_doc4_bad_item_input_refused_and_nothing_saved(data, field, results, quality_user):
    with pytest.raises(DomainError) as refused:
        domain.record_quality_check(results.competency, by=quality_user, **data)
    assert refused.value.field == field
    assert not QualityCheck.objects.exists() and not QualityFinding.objects.exists()


def test_doc4_item_page_refuses_who_may_not_and_shows_bad_input(results, quality_user, chief_expert, expert):
    url = reverse("results:quality_check", args=[results.competency.pk])
    for who in (chief_expert, expert):  # the checked side does not check itself
        assert client_for(who).post(url, {"violation": "safety", "outcome": "ok"}).status_code == 403
    bad = client_for(quality_user).post(url, {"violation": "safety", "outcome": "violation"}, follow=True)
    assert "Опишите выявленное нарушение." in bad.content.decode()
    assert not QualityFinding.objects.exists()


# --- §10.3 requests ------------------------------------------------------------------------------------


def test_doc4_request_answered_by_the_chief_expert_from_the_cabinet(results, quality_user, chief_expert):
    due = timezone.now() + dt.timedelta(days=1)
    asked = quality.ask_information(results.competency, text="Журнал инструктажа по ОТ и ТБ", due_at=due,
                                    by=quality_user)
    cabinet = client_for(chief_expert).get(reverse("cabinet")).content.decode()
    assert "Запросы контроля качества" in cabinet and "Журнал инструктажа по ОТ и ТБ" in cabinet
    assert reverse("results:quality_request_answer", args=[asked.pk]) in cabinet
    response = client_for(chief_expert).post(reverse("results:quality_request_answer", args=[asked.pk]),
                                             {"answer": "Журнал приложен, № 4"})
    assert response.status_code == 302 and response["Location"].endswith("#quality-requests")
    asked.refresh_from_db()
    assert (asked.status, asked.answer, asked.answered_by) == ("answered", "Журнал приложен, № 4", chief_expert)
    with pytest.raises(TransitionError):  # answered once
        quality.refuse_request(asked, reason="Передумал", by=chief_expert)
    page = client_for(quality_user).get(reverse("results:quality", args=[results.championship.pk])).content.decode()
    assert "Журнал приложен, № 4" in page and "Ответ получен" in page


def test_doc4_request_refusal_recorded_by_chief_or_quality_control(results, quality_user, chief_expert):
    due = timezone.now() + dt.timedelta(hours=2)
    first = quality.ask_information(results.competency, text="Фото площадки", due_at=due, by=quality_user)
    quality.refuse_request(first, reason="Фото не велись", by=chief_expert)
    second = quality.ask_information(results.competency, text="Видео оценки", due_at=due, by=quality_user)
    client_for(quality_user).post(reverse("results:quality_request_refuse", args=[second.pk]),
                                  {"reason": "Ответа нет в срок"})
    assert list(QualityRequest.objects.order_by("pk").values_list("status", "answer", "answered_by")) == [
        ("refused", "Фото не велись", chief_expert.pk), ("refused", "Ответа нет в срок", quality_user.pk)]


def test_doc4_request_in_championship_zone_and_bad_input(results, quality_user, chief_expert):
    results.championship.time_zone = "Asia/Vladivostok"
    results.championship.save(update_fields=["time_zone"])
    url = reverse("results:quality_request", args=[results.competency.pk])
    client = client_for(quality_user)
    later = (timezone.now() + dt.timedelta(days=2)).astimezone(dt.timezone(dt.timedelta(hours=10)))
    client.post(url, {"text": "Протокол жеребьёвки", "due_at": later.strftime("%Y-%m-%dT%H:%M")})
    asked = QualityRequest.objects.get()
    assert asked.due_at == later.replace(second=0, microsecond=0)
    for data, message in [({"text": "", "due_at": later.strftime("%Y-%m-%dT%H:%M")}, "Укажите, какая информация нужна"),
                          ({"text": "Что-то", "due_at": "завтра"}, "Срок ответа не распознан"),
                          ({"text": "Что-то", "due_at": ""}, "Укажите срок ответа."),
                          ({"text": "Что-то", "due_at": "2001-01-01T10:00"}, "Срок ответа уже прошёл")]:
        shown = client.post(url, data, follow=True).content.decode()
        assert message in shown
    assert QualityRequest.objects.count() == 1


def test_doc4_request_permission_denials(results, quality_user, chief_expert, expert, championship):
    url = reverse("results:quality_request", args=[results.competency.pk])
    due = (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    for who in (chief_expert, expert):
        assert client_for(who).post(url, {"text": "Сам себе", "due_at": due}).status_code == 403
    asked = quality.ask_information(results.competency, text="Журнал", due_at=timezone.now() + dt.timedelta(days=1),
                                    by=quality_user)
    answer = reverse("results:quality_request_answer", args=[asked.pk])
    other_chief = UserFactory()
    give_role(other_chief, Role.CHIEF_EXPERT, championship, CompetencyFactory(championship=championship,
                                                                              name="Электроника"))
    for who in (expert, quality_user, other_chief):
        assert client_for(who).post(answer, {"answer": "Вот"}).status_code == 403
    with pytest.raises(AccessDenied):
        quality.answer_request(asked, answer="Вот", by=expert)
    assert client_for(expert).post(reverse("results:quality_request_refuse", args=[asked.pk]),
                                   {"reason": "Нет"}).status_code == 403
    asked.refresh_from_db()
    assert asked.is_open


def test_doc4_request_needs_a_chief_expert(championship, quality_user):
    lonely = CompetencyFactory(championship=championship, name="Без главного")
    with pytest.raises(DomainError, match="нет главного эксперта"):
        quality.ask_information(lonely, text="Журнал", due_at=timezone.now() + dt.timedelta(days=1), by=quality_user)


# --- §10.6 check report --------------------------------------------------------------------------------


def test_doc4_check_report_generated_signed_and_formed_again(results, locked, quality_user, chief_expert):
    domain.record_quality_check(results.competency, violation="protocols", outcome="violation",
                                finding="Форма блокировки не подписана", by=quality_user)
    quality.ask_information(results.competency, text="Журнал ОТ и ТБ", due_at=timezone.now() + dt.timedelta(days=1),
                            by=quality_user)
    response = client_for(quality_user).post(reverse("results:quality_report", args=[results.championship.pk]),
                                             {"competency": results.competency.pk})
    report = Document.objects.get(doc_type=DocumentType.QUALITY_REPORT)
    assert response["Location"] == reverse("documents:detail", args=[report.pk])
    assert (report.generator, report.competency, report.title) == (
        "results.quality_report", results.competency, f"Отчёт о проверке качества — {results.competency.name}")
    rows = report.data[f"Проверка: {results.competency.name}"]
    protocols = next(r for r in rows if r["Пункт 10.4"].startswith("Отсутствие правильно оформленных протоколов"))
    assert (protocols["Результат"], protocols["Выявлено"]) == ("Нарушение", "Форма блокировки не подписана")
    requests = report.data[f"Запросы информации (п. 10.3): {results.competency.name}"]
    assert [(r["Запрос"], r["Состояние"]) for r in requests] == [("Журнал ОТ и ТБ", "Ожидает ответа")]
    assert report.data["Итог"] == "Выявлено нарушений: 1."
    assert [(r.user, r.role_label) for r in report.required_signers.all()] == [(quality_user, "Эксперт контроля качества")]
    sign_document(report, signer=quality_user, password=PASSWORD)
    # the report's content is not edited, only formed again from the checks
    domain.record_quality_check(results.competency, violation="protocols", outcome="remedied",
                                finding="Подписана", by=quality_user)
    regenerate_document(report, by=quality_user, reason="Нарушение устранено")
    report.refresh_from_db()
    assert report.version == 2 and report.data["Итог"] == "Выявлено нарушений: 1."
    assert report.signatures.get().voided_at is not None


def test_doc4_check_report_denials_and_bad_input(results, quality_user, chief_expert, expert, championship):
    url = reverse("results:quality_report", args=[championship.pk])
    for who in (chief_expert, expert):
        assert client_for(who).post(url, {}).status_code == 403
    bad = client_for(quality_user).post(url, {"competency": "999999"}, follow=True)
    assert "Компетенция этого чемпионата не найдена." in bad.content.decode()
    assert not Document.objects.exists()
    whole = client_for(quality_user).post(url, {})
    assert whole.status_code == 302
    assert Document.objects.get().competency is None


# --- links with counts ---------------------------------------------------------------------------------


def test_doc4_quality_link_on_championship_page_and_cabinet_with_counts(results, quality_user, chief_expert):
    quality.ask_information(results.competency, text="Журнал", due_at=timezone.now() + dt.timedelta(days=1),
                            by=quality_user)
    domain.record_quality_check(results.competency, violation="safety", outcome="ok", by=quality_user)
    counts = quality.open_counts(results.championship)
    assert counts == {"items": 7, "violations": 0, "requests": 1}
    page = client_for(quality_user).get(reverse("championships:detail", args=[results.championship.pk]))
    html = page.content.decode()
    assert f'href="{reverse("results:quality", args=[results.championship.pk])}"' in html
    assert "Контроль качества" in html and "7 / 1" in html
    cabinet = client_for(quality_user).get(reverse("cabinet")).content.decode()
    assert "Сейчас ничего не ждёт вашего действия." not in cabinet
    assert "не проверено 7 пунктов" in cabinet and "1 запрос ждёт ответа" in cabinet
    chief_page = client_for(chief_expert).get(reverse("championships:detail", args=[results.championship.pk]))
    assert 'id="quality-link"' not in chief_page.content.decode()
