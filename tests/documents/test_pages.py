"""Pages of documents (SPEC DOC-2, DOC-3): register, create, detail, sign, edit, PDF — per role."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.accounts.models import Role
from profmaster.documents.domain import sign_document
from profmaster.documents.models import Document, DocumentType, Signature

from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from .conftest import make_document, pdf_text


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(championship, competency, directorate_user, chief_expert, expert, quality_user, mentor, platform_directorate):
    other_competency = CompetencyFactory(championship=championship, name="Электроника")
    chief_other = UserFactory(last_name="Другойглавный", email="chief-other@example.ru")
    give_role(chief_other, Role.CHIEF_EXPERT, championship, other_competency)
    outsider = UserFactory(last_name="Чужой", email="outsider@example.ru")
    give_role(outsider, Role.DIRECTORATE, ChampionshipFactory(name="Другой чемпионат"))
    return {"platform": platform_directorate, "directorate": directorate_user, "quality": quality_user,
            "chief": chief_expert, "expert": expert, "chief_other": chief_other, "mentor": mentor,
            "outsider": outsider, "nobody": UserFactory(email="nobody@example.ru")}


ALL = ("platform", "directorate", "quality", "chief", "expert", "chief_other", "mentor", "outsider", "nobody")
TABLE = {
    # route: (roles answered 200 (or a redirect for the POST), method)
    "register": ({"platform", "directorate", "quality", "chief", "chief_other"}, "get"),
    "create": ({"platform", "directorate", "chief", "chief_other"}, "get"),
    "detail": ({"platform", "directorate", "quality", "chief", "expert"}, "get"),
    "edit": ({"platform", "directorate", "chief"}, "get"),
    "pdf": ({"platform", "directorate", "quality", "chief", "expert"}, "get"),
    "sign": ({"chief", "expert"}, "post"),
}


@pytest.mark.parametrize("route", sorted(TABLE))
def test_doc2_pages_allowed_and_denied_per_role(route, people, document):
    allowed, method = TABLE[route]
    kwargs = {"championship_pk": document.championship_id} if route in {"register", "create"} else {"pk": document.pk}
    url = reverse(f"documents:{route}", kwargs=kwargs)
    outcome = {}
    for role in ALL:
        client = client_for(people[role])
        response = client.post(url, {"password": "неверный"}) if method == "post" else client.get(url)
        outcome[role] = response.status_code
    success = 400 if route == "sign" else 200  # a wrong password comes back on the page
    assert outcome == {role: success if role in allowed else 403 for role in ALL}
    anonymous = Client().post(url) if method == "post" else Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/accounts/login/?next={url}"


def test_doc2_unknown_document_is_404(directorate_user):
    assert client_for(directorate_user).get(reverse("documents:detail", args=[999999])).status_code == 404
    assert client_for(directorate_user).get(reverse("documents:register", args=[999999])).status_code == 404


# --- Register ---------------------------------------------------------------------------------------


@pytest.fixture
def register_world(championship, competency, directorate_user, chief_expert, expert, quality_user):
    other = CompetencyFactory(championship=championship, name="Электроника")
    complete = make_document(championship=championship, competency=competency, by=chief_expert,
                             signers=[(chief_expert, "Главный эксперт")], title="Протокол блокировки критериев",
                             doc_type=DocumentType.CRITERIA_LOCK)
    sign_document(complete, signer=chief_expert, password=PASSWORD)
    awaiting = make_document(championship=championship, competency=competency, by=chief_expert,
                             signers=[(chief_expert, "Главный эксперт"), (expert, "Эксперт")])
    sign_document(awaiting, signer=chief_expert, password=PASSWORD)
    electronics = make_document(championship=championship, competency=other, by=directorate_user,
                                signers=[(quality_user, "Контроль качества")], title="Протокол Электроника")
    general = make_document(championship=championship, by=directorate_user, doc_type=DocumentType.VENUE_ACCEPTANCE,
                            signers=[(directorate_user, "Дирекция"), (quality_user, "Контроль качества")],
                            title="Протокол приёма площадки")
    return {"complete": complete, "awaiting": awaiting, "electronics": electronics, "general": general,
            "other": other}


def _rows(response):
    return [(row["document"].title, row["complete"], row["document"].missing_count,
             [r.user.last_name for r in row["missing"]]) for row in response.context["rows"]]


def test_doc2_register_shows_state_and_who_has_to_sign(register_world, directorate_user, chief_expert, expert):
    response = client_for(directorate_user).get(reverse("documents:register", args=[register_world["general"]
                                                                                    .championship_id]))
    assert response.status_code == 200
    assert _rows(response) == [
        ("Протокол приёма площадки", False, 2, ["Дирекцияева", "Качествова"]),
        ("Протокол Электроника", False, 1, ["Качествова"]),
        ("Протокол распределения судейских ролей", False, 1, ["Экспертов"]),
        ("Протокол блокировки критериев", True, 0, []),
    ]
    html = response.content.decode()
    assert "Подписан всеми" in html
    assert "Ожидает подписей: 2" in html
    assert f'href="{reverse("documents:create", args=[register_world["general"].championship_id])}"' in html


@pytest.mark.parametrize(("query", "titles"), [
    ({"state": "complete"}, ["Протокол блокировки критериев"]),
    ({"state": "awaiting"}, ["Протокол приёма площадки", "Протокол Электроника",
                             "Протокол распределения судейских ролей"]),
    ({"doc_type": "venue_acceptance"}, ["Протокол приёма площадки"]),
    ({"competency": "other"}, ["Протокол Электроника"]),
    ({"competency": "other", "state": "complete"}, []),
    ({"state": "bogus"}, ["Протокол приёма площадки", "Протокол Электроника",
                          "Протокол распределения судейских ролей", "Протокол блокировки критериев"]),
])
def test_doc2_register_filters(register_world, directorate_user, query, titles):
    if query.get("competency") == "other":
        query = {**query, "competency": register_world["other"].pk}
    url = reverse("documents:register", args=[register_world["general"].championship_id])
    response = client_for(directorate_user).get(url, query)
    assert response.status_code == 200
    assert [row["document"].title for row in response.context["rows"]] == titles


def test_doc2_register_chief_expert_sees_only_own_competency(register_world, chief_expert):
    url = reverse("documents:register", args=[register_world["general"].championship_id])
    response = client_for(chief_expert).get(url)
    assert [row["document"].title for row in response.context["rows"]] == [
        "Протокол распределения судейских ролей", "Протокол блокировки критериев"]
    assert list(response.context["filter_form"].fields["competency"].queryset) == [
        register_world["complete"].competency]
    # Asking for another competency's documents by filter shows nothing, not a leak.
    response = client_for(chief_expert).get(url, {"competency": register_world["other"].pk})
    assert [row["document"].title for row in response.context["rows"]] == [
        "Протокол распределения судейских ролей", "Протокол блокировки критериев"]
    assert "competency" in response.context["filter_form"].errors


# --- Create -------------------------------------------------------------------------------------------


def test_doc2_create_page_creates_document_with_signers(championship, competency, chief_expert, expert):
    client = client_for(chief_expert)
    url = reverse("documents:create", args=[championship.pk])
    page = client.get(url)
    assert page.status_code == 200
    candidates = {a.user_id: a for a in page.context["form"].fields["signers"].queryset}
    assert set(candidates) == {chief_expert.pk, expert.pk}
    response = client.post(url, {
        "doc_type": DocumentType.HANDWRITTEN_SHEETS, "competency": competency.pk, "title": "Рукописные ведомости",
        "text": "Тулбоксы проверены.\n## Замечания\nНет.",
        "signers": [a.pk for a in page.context["form"].fields["signers"].queryset],
    })
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[document.pk])
    assert (document.number, document.competency, document.created_by) == (1, competency, chief_expert)
    assert document.data == {"text": "Тулбоксы проверены.", "sections": [{"heading": "Замечания", "text": "Нет."}]}
    assert list(document.required_signers.values_list("user_id", "role_label", "order")) == [
        (chief_expert.pk, "Главный эксперт, Кондитерское дело", 1), (expert.pk, "Эксперт, Кондитерское дело", 2)]


def test_doc2_create_page_chief_expert_cannot_write_for_other_competency(championship, competency, chief_expert):
    other = CompetencyFactory(championship=championship, name="Электроника")
    client = client_for(chief_expert)
    url = reverse("documents:create", args=[championship.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["competency"].queryset) == [competency]
    assert form.fields["competency"].required is True
    signer = form.fields["signers"].queryset.get(user=chief_expert)
    for competency_value in (other.pk, ""):
        response = client.post(url, {"doc_type": DocumentType.OTHER, "competency": competency_value,
                                     "title": "Чужой протокол", "text": "…", "signers": [signer.pk]})
        assert response.status_code == 400
        assert "competency" in response.context["form"].errors
    assert Document.objects.count() == 0


def test_doc2_create_page_requires_signers(championship, directorate_user):
    response = client_for(directorate_user).post(reverse("documents:create", args=[championship.pk]), {
        "doc_type": DocumentType.OTHER, "competency": "", "title": "Протокол", "text": "Текст"})
    assert response.status_code == 400
    assert response.context["form"].errors["signers"] == ["Обязательное поле."]


# --- Detail, sign -----------------------------------------------------------------------------------------


def test_doc2_detail_shows_sign_form_only_to_a_required_signer_who_has_not_signed(document, chief_expert,
                                                                                directorate_user):
    page = client_for(chief_expert).get(reverse("documents:detail", args=[document.pk]))
    html = page.content.decode()
    assert "Пароль для подтверждения" in html
    assert ">Подписать</button>" in html
    assert document.content_hash in html
    assert "Ожидается подпись: Главэкспертов" in html
    assert "Пароль для подтверждения" not in client_for(directorate_user).get(
        reverse("documents:detail", args=[document.pk])).content.decode()


def test_doc2_sign_page_success_and_stamp(document, chief_expert):
    client = client_for(chief_expert)
    response = client.post(reverse("documents:sign", args=[document.pk]), {"password": PASSWORD}, follow=True)
    assert response.redirect_chain == [(reverse("documents:detail", args=[document.pk]), 302)]
    html = response.content.decode()
    assert f"Документ подписан. Подписанный хеш: {document.content_hash[:16]}…" in html
    assert f"Подписано: {chief_expert.full_name}" in html
    assert "Пароль для подтверждения" not in html
    assert "Вы подписали этот документ." in html
    assert Signature.objects.get().signer == chief_expert


def test_doc2_sign_page_wrong_password_shown_on_detail(document, chief_expert):
    response = client_for(chief_expert).post(reverse("documents:sign", args=[document.pk]), {"password": "не тот"})
    assert response.status_code == 400
    assert "Неверный пароль. Подпись не поставлена." in response.content.decode()
    assert Signature.objects.count() == 0
    empty = client_for(chief_expert).post(reverse("documents:sign", args=[document.pk]), {})
    assert empty.status_code == 400
    assert empty.context["sign_form"].errors == {"password": ["Обязательное поле."]}


def test_doc2_sign_page_double_sign_explained(document, chief_expert):
    sign_document(document, signer=chief_expert, password=PASSWORD)
    response = client_for(chief_expert).post(reverse("documents:sign", args=[document.pk]), {"password": PASSWORD},
                                             follow=True)
    assert response.status_code == 200
    assert "Вы уже подписали этот документ (редакция 1)." in response.content.decode()
    assert Signature.objects.count() == 1


def test_doc2_sign_page_get_not_allowed(document, chief_expert):
    assert client_for(chief_expert).get(reverse("documents:sign", args=[document.pk])).status_code == 405


# --- Edit ------------------------------------------------------------------------------------------------


def test_doc2_edit_page_warns_and_voids_signatures(document, chief_expert, directorate_user):
    sign_document(document, signer=chief_expert, password=PASSWORD)
    client = client_for(directorate_user)
    url = reverse("documents:edit", args=[document.pk])
    page = client.get(url)
    assert "Действующих подписей: 1. При изменении содержания они будут аннулированы" in page.content.decode()
    assert page.context["form"].initial["text"] == "Роли экспертов распределены."

    no_reason = client.post(url, {"title": document.title, "text": "Новый текст", "reason": ""})
    assert no_reason.status_code == 400
    assert no_reason.context["form"].errors == {"reason": ["Обязательное поле."]}
    unchanged = client.post(url, {"title": document.title, "text": "Роли экспертов распределены.", "reason": "x"})
    assert unchanged.status_code == 400
    assert "Содержание не изменилось" in unchanged.content.decode()

    response = client.post(url, {"title": document.title, "text": "Новый текст", "reason": "Уточнение"}, follow=True)
    assert response.redirect_chain == [(reverse("documents:detail", args=[document.pk]), 302)]
    html = response.content.decode()
    assert "Документ изменён: редакция 2." in html
    assert "Аннулированные подписи" in html
    assert "Содержание документа изменено в редакции 2. Причина: Уточнение" in html
    document.refresh_from_db()
    assert (document.version, document.data) == (2, {"text": "Новый текст"})


def test_doc2_edit_page_never_edits_raw_json(championship, directorate_user, chief_expert):
    """DOC-2: no page edits raw JSON. A typed-in document whose content has another shape (sent through the
    API) keeps its content on the edit page; only the title can change there, and a posted JSON is ignored."""
    doc = make_document(championship=championship, by=directorate_user, signers=[(chief_expert, "ГЭ")],
                        data={"teams": [{"team": "Команда 1", "time": "10:00"}]})
    client = client_for(directorate_user)
    url = reverse("documents:edit", args=[doc.pk])
    page = client.get(url)
    assert set(page.context["form"].fields) == {"title", "reason"}
    assert "content_json" not in page.content.decode()
    ok = client.post(url, {"title": "Учёт времени, уточнён", "reason": "Уточнён заголовок",
                           "content_json": '{"teams": [{"team": "Команда 1", "time": "23:59"}]}'})
    assert ok.status_code == 302
    doc.refresh_from_db()
    assert (doc.title, doc.version) == ("Учёт времени, уточнён", 2)
    assert doc.data == {"teams": [{"team": "Команда 1", "time": "10:00"}]}


# --- PDF ---------------------------------------------------------------------------------------------------


def test_doc3_pdf_download_is_current_and_private(document, chief_expert, expert):
    sign_document(document, signer=chief_expert, password=PASSWORD)
    response = client_for(expert).get(reverse("documents:pdf", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="document-1-v1.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    text = pdf_text(body)
    assert f"Подписано простой электронной подписью\n{chief_expert.full_name}" in text
    assert document.content_hash[:16] in text


def test_doc3_pdf_failure_explained_on_detail_not_500(document, chief_expert, settings, tmp_path):
    broken = tmp_path / "documents" / "pdf"
    broken.mkdir(parents=True)
    (broken / "generic.html").write_text("{% url 'no-such-route' %}", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    response = client_for(chief_expert).get(reverse("documents:pdf", args=[document.pk]), follow=True)
    assert response.redirect_chain == [(reverse("documents:detail", args=[document.pk]), 302)]
    html = response.content.decode()
    assert "Не удалось сформировать PDF. Попробуйте позже или сообщите в поддержку." in html
    assert "Последнее формирование PDF не удалось" in html


def test_doc2_regional_commission_reads_the_protocols_addressed_to_it(championship, competency, chief_expert,
                                                                      document):
    """Issue 13 §3: the regional commission got «Нет доступа» on documents addressed to it. The results
    protocols pass from the expert group to the commission (000 §11–12): it reads them in its register, on
    their page and as PDF; other documents and other championships stay closed."""
    commission = UserFactory(last_name="Комиссарова", email="commission@example.ru")
    give_role(commission, Role.REGIONAL_COMMISSION, championship)
    protocol = make_document(championship=championship, competency=competency, by=chief_expert,
                             signers=[(chief_expert, "Главный эксперт")], title="Протокол результатов финала",
                             doc_type=DocumentType.FINAL_RESULTS)
    elsewhere_champ = ChampionshipFactory(name="Другой чемпионат")
    elsewhere_chief = UserFactory(last_name="Чужойглавный")
    give_role(elsewhere_chief, Role.DIRECTORATE, elsewhere_champ)
    elsewhere = make_document(championship=elsewhere_champ, by=elsewhere_chief,
                              signers=[(elsewhere_chief, "Дирекция")], title="Протокол результатов финала",
                              doc_type=DocumentType.FINAL_RESULTS)
    client = client_for(commission)
    assert client.get(reverse("documents:detail", args=[protocol.pk])).status_code == 200
    assert client.get(reverse("documents:pdf", args=[protocol.pk])).status_code == 200
    register = client.get(reverse("documents:register", args=[championship.pk]))
    assert register.status_code == 200
    listed = [row["document"].pk for row in register.context["rows"]]
    assert listed == [protocol.pk]  # not the judging-roles protocol of the fixture
    assert client.get(reverse("documents:detail", args=[document.pk])).status_code == 403
    assert client.get(reverse("documents:detail", args=[elsewhere.pk])).status_code == 403
    assert client.get(reverse("documents:register", args=[elsewhere_champ.pk])).status_code == 403
