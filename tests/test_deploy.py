"""Production settings come from the environment and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_environment():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set by browser tests
        "DJANGO_SETTINGS_MODULE": "profmaster.settings",
        "SECRET_KEY": "x7Jq2pV9rT4wZ8mN3bK6yH1cF5gD0sL2aE9uI7oP4eR6tY3wQ8zX1vB5nM0jK2hG",
        "ALLOWED_HOSTS": "profmaster.example.ru",
        "DATABASE_URL": "postgres://profmaster:secret@db.internal:5432/profmaster",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "SITE_URL": "https://profmaster.example.ru",
    }
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_follow_the_environment():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "profmaster.settings", "REDIS_URL": "redis://r:6379/1",
           "DATABASE_URL": "postgres://u:p@h:5432/d", "SECRET_KEY": "k" * 60}
    code = ("import sys; sys.path.insert(0, 'src'); from profmaster import settings as s; "
            "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['CONN_MAX_AGE'] > 0, "
            "s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.SECURE_SSL_REDIRECT)")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    assert out == ["django.db.backends.postgresql", "True", "False", "redis://r:6379/1", "True"]
    env.pop("REDIS_URL")
    env["DATABASE_URL"] = "sqlite:///tmp/x.sqlite3"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    assert out[0] == "django.db.backends.sqlite3" and out[2:4] == ["True", "memory://"]
