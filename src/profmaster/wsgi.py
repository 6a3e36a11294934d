"""WSGI entry point for gunicorn: Django's application behind the exam's autosave shortcut
(:mod:`profmaster.exams.autosave`, which hands every request but a common autosave to Django)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "profmaster.settings")
django_application = get_wsgi_application()

from profmaster.exams.autosave import AutosaveApp  # noqa: E402 - needs the configured settings

application = AutosaveApp(django_application)
