"""Profmaster: a platform that runs professional-skills championships end to end."""

from .celery import app as celery_app

__all__ = ("celery_app",)
