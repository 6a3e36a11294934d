"""WSGI entry point for gunicorn: Django's application behind the exam's autosave shortcut
(:mod:`profmaster.exams.autosave`, which hands every request but a common autosave to Django), the exam's start
shortcut (:mod:`profmaster.exams.startshortcut`, only the start of a paper drawn in advance) and the countdown
screen's idle poll (:mod:`profmaster.timekeeping.screenpoll`, which answers only "nothing changed")."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "profmaster.settings")
django_application = get_wsgi_application()

from profmaster.exams.autosave import AutosaveApp  # noqa: E402 - needs the configured settings
from profmaster.exams.startshortcut import StartApp  # noqa: E402
from profmaster.timekeeping.screenpoll import ScreenPollApp  # noqa: E402

application = StartApp(AutosaveApp(django_application))
if os.environ.get("SCREEN_POLL_SHORTCUT", "1") != "0":  # 0: every poll through Django (the benchmark's baseline)
    application = ScreenPollApp(application)
