"""Settings for the test suite: the real settings with fast password hashing and throwaway files."""

import tempfile
from pathlib import Path

from .settings import *  # noqa: F403
from .settings import CACHES, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="profmaster-media-"))
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
STATIC_ROOT = MEDIA_ROOT / "static"
STATIC_ROOT.mkdir()
# The shared (cross-process) cache in throwaway files of this test process; tests/conftest.py clears it.
if CACHES["shared"]["BACKEND"].endswith("FileBasedCache"):
    CACHES["shared"] = {**CACHES["shared"], "LOCATION": str(MEDIA_ROOT / "shared-cache")}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_ALWAYS_EAGER = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_CODE = "ru"
