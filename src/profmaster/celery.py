"""Celery application: a Redis broker in production, eager execution in the embedded default."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "profmaster.settings")

app = Celery("profmaster")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
