"""Issue 13 §3: the scheme editor shows the locale's decimal and takes «1,5» and «1.5» alike."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings

from profmaster.marking.models import Aspect


def _aspect_form(scheme, client, panel, value):
    chief, _ = panel
    client.force_login(chief)
    aspect = Aspect.objects.get(code="A1.1")
    data = {"code": "A1.1", "kind": "judgement", "description": "Аккуратность", "max_points": value, "order": 1,
            **{f"mark_{i}": f"оценка {i}" for i in range(4)}}
    return aspect, client.post(f"/marking/schemes/{scheme.pk}/aspect/{aspect.pk}/edit/", data)


@pytest.mark.parametrize("typed", ["1,5", "1.5", " 1,50 "])
def test_x3_scheme_editor_saves_comma_and_dot(scheme, client, panel, typed):
    aspect, response = _aspect_form(scheme, client, panel, typed)
    assert response.status_code == 302, response.content.decode()[:2000]
    aspect.refresh_from_db()
    assert aspect.max_points == Decimal("1.5")


def test_x3_scheme_editor_refuses_garbage_and_keeps_the_value(scheme, client, panel):
    aspect, response = _aspect_form(scheme, client, panel, "1,5,0")
    assert response.status_code in (200, 400)
    assert "Введите число." in response.content.decode()
    aspect.refresh_from_db()
    assert aspect.max_points == Decimal("2.00")


def test_x3_scheme_editor_shows_the_locale_decimal(scheme, client, panel):
    chief, _ = panel
    client.force_login(chief)
    aspect = Aspect.objects.get(code="A1.1")
    aspect.max_points = Decimal("1.25")
    aspect.save()
    url = f"/marking/schemes/{scheme.pk}/aspect/{aspect.pk}/edit/"
    ru = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'value="1,25"' in ru and 'inputmode="decimal"' in ru
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get(url).content.decode()
    assert 'value="1.25"' in en
    detail = client.get(f"/marking/schemes/{scheme.pk}/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "1.25" in detail
    assert "1,25" in client.get(f"/marking/schemes/{scheme.pk}/").content.decode()


