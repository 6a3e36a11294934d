"""Documents as PDF with signature stamps (SPEC DOC-2, DOC-3): rendering, freshness, no external fetching."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from profmaster.documents.domain import sign_document, update_document_content
from profmaster.documents.models import Document
from profmaster.documents.rendering import (
    FontOnlyURLFetcher,
    URLRefused,
    document_context,
    expected_pdf_version,
    fresh_pdf,
    html_to_pdf,
    render_document_pdf,
    render_html,
)

from ..factories import PASSWORD
from .conftest import make_document, pdf_text, stored_pdf_text


def test_doc3_pdf_rendered_after_commit_with_cyrillic(django_capture_on_commit_callbacks, chief_expert, expert,
                                                      championship, competency):
    with django_capture_on_commit_callbacks(execute=True):
        doc = make_document(championship=championship, competency=competency, by=chief_expert,
                            signers=[(chief_expert, "Главный эксперт"), (expert, "Эксперт")],
                            data={"text": "Роли распределены.", "jury": [{"ФИО": "Экспертов И. И.", "роль": "оценка"}]})
    doc.refresh_from_db()
    assert doc.render_status == Document.RenderStatus.READY
    assert doc.pdf_version == f"{doc.content_hash}:"
    assert doc.pdf.name.startswith("documents/")
    text = stored_pdf_text(doc)
    assert "Протокол распределения судейских ролей" in text
    assert "Кондитерское дело" in text
    assert "Роли распределены." in text
    assert "Экспертов И. И." in text
    assert f"Ожидается подпись: {chief_expert.full_name} (Главный эксперт)" in text
    assert "Подписано" not in text


def test_doc2_pdf_carries_the_stamp_of_each_valid_signature(document, chief_expert, expert,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign_document(document, signer=chief_expert, password=PASSWORD)
    document.refresh_from_db()
    assert document.render_status == Document.RenderStatus.READY
    assert document.pdf_version == f"{document.content_hash}:{signature.pk}"
    text = stored_pdf_text(document)
    assert "Подписано простой электронной подписью" in text
    assert chief_expert.full_name in text
    assert "в качестве: Главный эксперт" in text
    assert f"Подписанный хеш: {document.content_hash}" in text
    assert "(Москва, UTC+3)" in text  # the championship's zone, named
    assert f"Ожидается подпись: {expert.full_name} (Эксперт)" in text


def test_doc2_voided_signature_not_printed_as_valid(document, chief_expert, directorate_user,
                                                    django_capture_on_commit_callbacks):
    sign_document(document, signer=chief_expert, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        update_document_content(document, data={"text": "Новая редакция."}, by=directorate_user, reason="Правка")
    document.refresh_from_db()
    text = stored_pdf_text(document)
    assert "Подписано" not in text
    assert f"Ожидается подпись: {chief_expert.full_name} (Главный эксперт)" in text
    assert "Новая редакция." in text
    assert document.content_hash in text


def test_doc3_context_is_plain_data(document, chief_expert):
    sign_document(document, signer=chief_expert, password=PASSWORD)

    def plain(value):
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list | tuple):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, str | int | bool)

    context = document_context(document)
    assert plain(context)
    assert context["stamps"][0]["name"] == chief_expert.full_name
    assert context["stamps"][0]["signed_at"].endswith("(Москва, UTC+3)")
    assert context["document"]["competency"] == "Кондитерское дело"


def test_doc3_stale_pdf_rerendered_on_request(document, chief_expert):
    # No on-commit callbacks ran in this test transaction: nothing is rendered yet.
    assert not document.pdf
    current = fresh_pdf(document)
    assert current is not None
    assert current.pdf_version == f"{document.content_hash}:"
    first_name = current.pdf.name
    signature = sign_document(document, signer=chief_expert, password=PASSWORD)
    assert expected_pdf_version(current) == f"{document.content_hash}:{signature.pk}"
    again = fresh_pdf(current)
    assert again is not None
    assert again.pdf_version == f"{document.content_hash}:{signature.pk}"
    assert chief_expert.full_name in stored_pdf_text(again)
    assert fresh_pdf(again) is again  # fresh: not rendered a third time
    assert again.pdf.name != first_name


def test_doc3_render_failure_recorded_not_raised(document, settings, tmp_path):
    broken = tmp_path / "documents" / "pdf"
    broken.mkdir(parents=True)
    (broken / "generic.html").write_text("{% url 'no-such-route' %}", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    result = render_document_pdf(document.pk)
    assert result is not None
    assert result.render_status == Document.RenderStatus.FAILED
    assert result.render_error.startswith("NoReverseMatch")
    assert fresh_pdf(document) is None


def test_doc3_doc_type_template_preferred(document, settings, tmp_path):
    own = tmp_path / "documents" / "pdf"
    own.mkdir(parents=True)
    (own / "other.html").write_text(
        '{% extends "documents/pdf/base.html" %}{% block body %}<p>Особый шаблон: {{ data.text }}</p>{% endblock %}',
        encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    text = pdf_text(html_to_pdf(render_html(document_context(document))))
    assert "Особый шаблон: Роли экспертов распределены." in text


def test_doc3_url_fetcher_refuses_everything_but_bundled_fonts():
    fetcher = FontOnlyURLFetcher()
    font_dir = Path(settings.PROFMASTER["PDF_FONT_DIR"]).resolve()
    response = fetcher.fetch((font_dir / "DejaVuSans.ttf").as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    response.close()
    for url in ["http://example.com/logo.png", "https://example.com/a.css", "ftp://example.com/x",
                "data:text/plain,hi", "file:///etc/passwd", (font_dir / ".." / "models.py").as_uri(),
                "file://evil.example.com" + str(font_dir / "DejaVuSans.ttf")]:
        with pytest.raises(URLRefused):
            fetcher.fetch(url)


def test_doc3_title_markup_is_escaped_and_never_fetched(championship, directorate_user, chief_expert):
    doc = make_document(championship=championship, by=directorate_user, signers=[(chief_expert, "ГЭ")],
                        title='<img src="http://example.com/track.png"> Протокол',
                        data={"text": '<link rel="stylesheet" href="http://example.com/x.css">'})
    html = render_html(document_context(doc))
    assert '<img src="http://example.com' not in html
    assert "&lt;img src=&quot;http://example.com/track.png&quot;&gt; Протокол" in html
    text = pdf_text(html_to_pdf(html))
    assert '<img src="http://example.com/track.png"> Протокол' in text
