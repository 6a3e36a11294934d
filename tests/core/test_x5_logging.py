"""X-5 (issue 13 §6): a refused request is logged in one line; a server error keeps its traceback."""

from __future__ import annotations

import logging

import pytest

from profmaster.core.logfilters import OneLineClientErrors

from ..factories import ChampionshipFactory, UserFactory


@pytest.mark.django_db
def test_x5_a_403_page_logs_one_line_without_traceback(client, caplog):
    championship = ChampionshipFactory()
    client.force_login(UserFactory(email="nobody@example.ru"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/championships/{championship.pk}/audit/")
    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is None
    assert record.getMessage() == f"Forbidden (Permission denied): /championships/{championship.pk}/audit/ " \
                                  "(PermissionDenied: audit.view_log)"
    assert "\n" not in logging.Formatter().format(record)


def test_x5_a_500_keeps_its_traceback():
    try:
        raise RuntimeError("bug")
    except RuntimeError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s",
                                   ("/x/",), sys.exc_info())
    record.status_code = 500
    assert OneLineClientErrors().filter(record) is True
    assert record.exc_info is not None
    assert "Traceback" in logging.Formatter().format(record)
