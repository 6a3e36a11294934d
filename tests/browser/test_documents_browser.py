"""A required signer signs a protocol in a real browser and downloads the stamped PDF (DOC-2, DOC-3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from profmaster.accounts.models import Role
from profmaster.documents.domain import create_document
from profmaster.documents.models import Document, DocumentType, Signature

from ..documents.conftest import pdf_text
from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from .conftest import login

pytestmark = pytest.mark.browser


def test_doc2_signer_signs_in_browser_and_downloads_stamped_pdf(page):
    championship = ChampionshipFactory(name="Мастерята-2023")
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело")
    chief = UserFactory(email="chief@example.ru", last_name="Пекарева", first_name="Анна", patronymic="Сергеевна")
    expert = UserFactory(email="expert@example.ru", last_name="Кремов", first_name="Олег")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    give_role(expert, Role.EXPERT, championship, competency)
    document = create_document(
        championship=championship, competency=competency, doc_type=DocumentType.OTHER,
        title="Протокол распределения судейских ролей", data={"text": "Роли экспертов распределены."},
        signers=[(chief, "Главный эксперт"), (expert, "Эксперт")], by=chief)

    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    todo = page.locator("#todo")
    todo.get_by_role("link", name="Протокол распределения судейских ролей").click()
    page.wait_for_url(re.compile(rf"/documents/{document.pk}/$"))
    assert document.content_hash in page.locator("#content-hash").inner_text()

    page.get_by_label("Пароль для подтверждения").fill("неверный пароль")
    page.get_by_role("button", name="Подписать").click()
    assert "Неверный пароль. Подпись не поставлена." in page.locator("#sign-form").inner_text()
    assert Signature.objects.count() == 0

    page.get_by_label("Пароль для подтверждения").fill(PASSWORD)
    page.get_by_role("button", name="Подписать").click()
    page.wait_for_url(re.compile(rf"/documents/{document.pk}/$"))
    assert f"Документ подписан. Подписанный хеш: {document.content_hash[:16]}…" in page.locator(
        ".alert-success").inner_text()
    stamp = page.locator("#signing .stamp")
    assert "Подписано: Пекарева Анна Сергеевна" in stamp.inner_text()
    assert document.content_hash in stamp.inner_text()
    assert "Ожидается подпись: Кремов" in page.locator("#signing").inner_text()
    assert page.get_by_label("Пароль для подтверждения").count() == 0

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать PDF").click()
    download = download_info.value
    assert download.suggested_filename == "document-1-v1.pdf"
    text = pdf_text(Path(download.path()).read_bytes())
    assert "Подписано простой электронной подписью" in text
    assert "Пекарева Анна Сергеевна" in text
    assert f"Подписанный хеш: {document.content_hash}" in text
    assert "Ожидается подпись: Кремов" in text
    signature = Signature.objects.get()
    assert (signature.signer, signature.content_hash) == (chief, document.content_hash)
    assert Document.objects.get().render_status == Document.RenderStatus.READY
