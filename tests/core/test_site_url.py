"""Issue 13 §3: absolute links (e-mails, PDFs, QR codes) come from one helper: SITE_URL when set, else the
host and port of the request being served (development), else http://127.0.0.1:8000 outside any request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.test import RequestFactory

from profmaster.core import links

ROOT = Path(__file__).resolve().parents[2]


def test_x5_site_url_setting_wins_then_request_then_fallback(settings):
    settings.PROFMASTER = {**settings.PROFMASTER, "SITE_URL": ""}
    settings.ALLOWED_HOSTS = ["demo.local"]
    request = RequestFactory().get("/", HTTP_HOST="demo.local:8001")
    assert links.site_url(request) == "http://demo.local:8001"
    assert links.absolute_url("/results/verify/AB/", request) == "http://demo.local:8001/results/verify/AB/"
    assert links.site_url() == "http://127.0.0.1:8000"  # no request: a command or a worker
    evil = RequestFactory().get("/", HTTP_HOST="evil.example")
    assert links.site_url(evil) == "http://127.0.0.1:8000"  # never a host the site does not serve
    settings.PROFMASTER = {**settings.PROFMASTER, "SITE_URL": "https://profmaster.mos.ru/"}
    assert links.site_url(request) == "https://profmaster.mos.ru"
    assert links.absolute_url("a/b/") == "https://profmaster.mos.ru/a/b/"


def test_x5_check_deploy_warns_without_site_url():
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SITE_URL")},
        "DJANGO_SETTINGS_MODULE": "profmaster.settings",
        "SECRET_KEY": "x7Jq2pV9rT4wZ8mN3bK6yH1cF5gD0sL2aE9uI7oP4eR6tY3wQ8zX1vB5nM0jK2hG",
        "ALLOWED_HOSTS": "profmaster.example.ru",
    }
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--tag", "security"],
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "profmaster.W001" in result.stdout + result.stderr
